"""Page health: every page a test renders is checked like notifications-admin's client_request.

Use the ``page`` fixture: ``page.get(url)`` returns the parsed document after
asserting valid HTML, exactly one ``h1``, a ``<title>`` that starts with the
``h1`` text, an ``action`` on every form, a label for every visible input, and
no duplicate ids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

import html5lib
import pytest

XHTML = "{http://www.w3.org/1999/xhtml}"
LABELLED = {"input", "select", "textarea"}
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "image", "reset"}


class PageHealthError(AssertionError):
    pass


def _text(el: ET.Element) -> str:
    return re.sub(r"\s+", " ", "".join(el.itertext())).strip()


def check_page_health(html: str) -> ET.Element:
    """Parse ``html`` strictly and assert the page-health rules. Returns the tree."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    try:
        doc = parser.parse(html)
    except html5lib.html5parser.ParseError as exc:
        line = _error_context(html, parser)
        raise PageHealthError(f"invalid HTML: {exc}{line}") from None

    h1s = doc.findall(f".//{XHTML}h1")
    if len(h1s) != 1:
        raise PageHealthError(f"expected exactly one h1, found {len(h1s)}")
    title = doc.find(f".//{XHTML}title")
    h1_text = _text(h1s[0])
    title_text = _text(title).removeprefix("Error: ") if title is not None else ""
    if title is None or not title_text.startswith(h1_text):
        raise PageHealthError(
            f"<title> {(_text(title) if title is not None else None)!r} "
            f"does not start with the h1 {h1_text!r}"
        )

    ids: dict[str, int] = {}
    for el in doc.iter():
        if el.get("id"):
            ids[el.get("id")] = ids.get(el.get("id"), 0) + 1
    duplicates = sorted(i for i, n in ids.items() if n > 1)
    if duplicates:
        raise PageHealthError(f"duplicate ids: {duplicates}")

    for form in doc.iter(f"{XHTML}form"):
        if not form.get("action"):
            raise PageHealthError("a form has no action attribute")

    labels_for = {lbl.get("for") for lbl in doc.iter(f"{XHTML}label") if lbl.get("for")}
    wrapped = set()
    for lbl in doc.iter(f"{XHTML}label"):
        for inner in lbl.iter():
            wrapped.add(id(inner))
    for el in doc.iter():
        tag = el.tag.removeprefix(XHTML)
        if tag not in LABELLED:
            continue
        if tag == "input" and el.get("type", "text") in UNLABELLED_INPUT_TYPES:
            continue
        if el.get("aria-label") or el.get("aria-labelledby") or id(el) in wrapped:
            continue
        if not el.get("id") or el.get("id") not in labels_for:
            raise PageHealthError(f"<{tag} name={el.get('name')!r}> has no label")
    return doc


def _error_context(html: str, parser: html5lib.HTMLParser) -> str:
    if not parser.errors:
        return ""
    (line, col), code, data = parser.errors[0]
    lines = html.splitlines()
    snippet = lines[line - 1].strip()[:160] if 0 < line <= len(lines) else ""
    return f" at line {line}, column {col} ({code} {data}): {snippet}"


@dataclass
class Page:
    """A rendered page that passed the health checks."""

    status_code: int
    html: str
    doc: ET.Element
    response: object = field(repr=False)

    def h1(self) -> str:
        return _text(self.doc.find(f".//{XHTML}h1"))

    def text(self) -> str:
        return _text(self.doc)

    def select(self, tag: str, **attrs: str) -> list[ET.Element]:
        found = []
        for el in self.doc.iter(f"{XHTML}{tag}"):
            if all(el.get(k.rstrip("_")) == v for k, v in attrs.items()):
                found.append(el)
        return found

    def csrf_token(self) -> str:
        inputs = self.select("input", name="csrf_token")
        assert inputs, "page has no csrf_token input"
        return inputs[0].get("value")


class PageClient:
    """Wraps the Flask test client so every HTML response is health-checked."""

    def __init__(self, client):
        self.client = client

    def _check(self, response, expected_status: int) -> Page:
        assert response.status_code == expected_status, (
            f"expected {expected_status}, got {response.status_code}: "
            f"{response.get_data(as_text=True)[:500]}"
        )
        html = response.get_data(as_text=True)
        return Page(response.status_code, html, check_page_health(html), response)

    def get(self, url: str, *, expected_status: int = 200, **kwargs) -> Page:
        return self._check(self.client.get(url, **kwargs), expected_status)

    def post(self, url: str, *, expected_status: int = 200, **kwargs) -> Page:
        return self._check(self.client.post(url, **kwargs), expected_status)


@pytest.fixture
def page(client) -> PageClient:
    return PageClient(client)


@pytest.fixture
def client(app):
    return app.test_client()
