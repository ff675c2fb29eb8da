"""CSRF protection on every form post, and the security headers on every response.

The Content-Security-Policy allows no inline script: the one inline script in
GOV.UK's page template carries a per-response nonce. A view that needs a
different policy (the API docs page) sets its own header, which is kept.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, abort, g, request
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

HSTS = "max-age=31536000; includeSubDomains"
REFERRER_POLICY = "strict-origin-when-cross-origin"
# Long-lived caching would leave case details in shared machines' caches, so only
# the fingerprint-free GOV.UK and service assets may be cached.
CACHEABLE_PREFIXES = ("/static/",)


def csp_nonce() -> str:
    """The nonce for this response's inline scripts, made on first use."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str | None, *, origin: str = "",
                            inline_styles: bool = False) -> str:
    """The policy every page gets; the API docs page adds the origin its Swagger UI files
    come from and, because Swagger UI sets style attributes as it renders, inline styles.
    Scripts stay strict everywhere."""
    scripts = " ".join(filter(None, ["'self'", f"'nonce-{nonce}'" if nonce else "", origin]))
    styles = " ".join(filter(None, ["'self'", "'unsafe-inline'" if inline_styles else "",
                                    origin]))
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            f"style-src {styles}",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy(g.get("csp_nonce")))
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = REFERRER_POLICY
    headers["Strict-Transport-Security"] = HSTS
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if not request.path.startswith(CACHEABLE_PREFIXES):
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    return response


def refuse_nul() -> None:
    """A NUL anywhere in a browser request is refused before any view sees it: PostgreSQL
    cannot store or compare text holding one, and no form field has a use for it. (The API
    refuses it in its schemas, field by field, with 422.)"""
    if request.path.startswith("/api/"):
        return
    parts = [request.path, *request.args.values(), *request.form.values(),
             *(f.filename or "" for f in request.files.values())]
    if any("\x00" in part for part in parts):
        abort(400, description="The request held a character that is not allowed (NUL).")


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
    csrf.init_app(app)
    app.after_request(set_security_headers)
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
