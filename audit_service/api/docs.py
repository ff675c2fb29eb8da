"""``/api/docs``: interactive API documentation (Swagger UI) for ``/api/openapi.json``.

Swagger UI's files come from the npm package ``swagger-ui-dist`` (copied into
``static/vendor/swagger-ui/`` by ``make assets``), served from our own origin.
``API_DOCS_ASSETS_URL`` may point elsewhere; only this page's policy then allows
that origin. Its one inline script carries a nonce like every other page's.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, render_template, url_for

from audit_service.web.access import public
from audit_service.web.security import content_security_policy, csp_nonce

bp = Blueprint("api_docs_ui", __name__)


def _docs_policy(nonce: str, assets_url: str) -> str:
    parts = urlsplit(assets_url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    return content_security_policy(nonce, origin=origin, inline_styles=True)


@bp.get("/api/docs")
@public
def swagger_ui():
    """Public like the OpenAPI document it shows: it holds no data, only the API's shape."""
    assets_url = current_app.config.get("API_DOCS_ASSETS_URL") or (
        url_for("static", filename="vendor/swagger-ui/")
    )
    nonce = csp_nonce()
    html = render_template(
        "api/docs.html",
        assets_url=assets_url,
        spec_url=url_for("api-docs.openapi_json"),
        nonce=nonce,
    )
    return html, 200, {"Content-Security-Policy": _docs_policy(nonce, assets_url)}
