"""The web load benchmark's reference: bare Flask serving pre-rendered HTML of a given size.

``gunicorn benchmarks.bare_flask:app``. ``GET /page/<bytes>`` answers with an HTML page of
exactly that many bytes, built once per size and then served from memory; ``POST`` parses
the form body first (as the real app must) and answers the same way. No sessions, no
database, no templates: what Flask and gunicorn cost on their own, so the audit service's
figures can be read against the best this stack could do with pages of that size.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, Response, request

app = Flask(__name__)

HEAD = '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Reference</title>' \
       '</head><body><main>\n'
TAIL = "</main></body></html>\n"
PARAGRAPH = ('<p class="govuk-body">Seen alone at the last visit; the plan is current and '
             "the chronology is up to date.</p>\n")
LARGEST = 10 * 1024 * 1024


@lru_cache(maxsize=16)
def page(size: int) -> bytes:
    """An HTML document of exactly ``size`` bytes (at least the bare head and tail)."""
    body_bytes = max(0, size - len(HEAD) - len(TAIL))
    body = (PARAGRAPH * (body_bytes // len(PARAGRAPH) + 1))[:body_bytes]
    return (HEAD + body + TAIL).encode()


@app.route("/page/<int:size>", methods=["GET", "POST"])
def serve_page(size: int) -> Response:
    if size > LARGEST:
        return Response("too large", status=400)
    if request.method == "POST":
        request.form  # noqa: B018 - parse the body, as the real form handler does
    return Response(page(size), mimetype="text/html")


@app.get("/healthz")
def healthz() -> Response:
    return Response("ok", mimetype="text/plain")
