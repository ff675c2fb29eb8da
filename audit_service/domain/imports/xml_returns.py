"""Streaming the DfE's XML returns (the CIN census, the workforce census) one record at a time.

Both returns are a ``<Message>`` holding many records (``<Child>``, ``<CSWWWorker>``). They
are read with ``iterparse`` through defusedxml and each record is cleared once handed on, so
a whole council's return, or a hostile file with entity expansions, costs no more than one
record's element at a time.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

ROOT = "Message"


class ReturnFileError(ValueError):
    """Not the return expected at all: not XML, the wrong root, or no records in it."""


def local(tag: str) -> str:
    """A tag without its namespace: councils' software writes returns with and without."""
    return tag.rsplit("}", 1)[-1]


def records(stream: BinaryIO, record: str, what: str) -> Iterator[Element]:
    """Each ``record`` element of a ``<Message>`` in file order, cleared after use.

    ``what`` names the return in errors ("a CIN census"). Raises ``ReturnFileError`` when the
    file is not XML, declares entities, has another root, or holds no ``record``.
    """
    count = 0
    root_checked = False
    try:
        for event, element in SafeElementTree.iterparse(stream, events=("start", "end")):
            tag = local(element.tag)
            if event == "start":
                if not root_checked:
                    if tag != ROOT:
                        raise ReturnFileError(
                            f"this is not {what}: it starts with <{tag}>, not <{ROOT}> "
                            f"holding <{record}> elements")
                    root_checked = True
                continue
            if tag != record:
                continue
            count += 1
            yield element
            element.clear()
    except SafeElementTree.ParseError as exc:
        raise ReturnFileError(f"this is not readable XML: {exc}") from None
    except DefusedXmlException as exc:
        raise ReturnFileError(f"this XML declares entities or a DTD, which a return never "
                              f"needs, so it is not read ({type(exc).__name__})") from None
    if count == 0:
        raise ReturnFileError(f"this is not {what}: it holds no <{record}> elements")


def texts(element: Element) -> dict[str, str]:
    """The element's direct children as tag to stripped text (the last of a repeated tag)."""
    return {local(child.tag): (child.text or "").strip() for child in element}


def children(element: Element, tag: str) -> list[Element]:
    """The element's direct children named ``tag``, namespace or not."""
    return [child for child in element if local(child.tag) == tag]
