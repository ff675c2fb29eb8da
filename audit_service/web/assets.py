"""GOV.UK Frontend's compiled assets, built from npm by ``make assets``.

They are not committed, so a checkout that skipped ``make assets`` would serve
unstyled, script-less pages. Instead every browser page fails with a message
that says what to run; the API, ``/healthz`` and the CLI keep working.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, current_app, request, url_for

REQUIRED = (
    "govuk-frontend.min.css",
    "govuk-frontend.min.js",
    "assets/fonts",
    "assets/images/favicon.svg",
)
MISSING_MESSAGE = (
    "GOV.UK Frontend assets are missing from {folder} ({missing}). "
    "Run `make assets` (npm ci && .venv/bin/python scripts/build_assets.py) and restart."
)


def missing_assets(folder: Path) -> list[str]:
    return [name for name in REQUIRED if not (folder / name).exists()]


def init_app(app: Flask) -> None:
    folder = Path(app.config.setdefault("GOVUK_ASSETS_DIR", Path(app.static_folder) / "govuk"))
    missing = missing_assets(folder)
    if missing:
        message = MISSING_MESSAGE.format(folder=folder, missing=", ".join(missing))
        app.logger.error(message)

        @app.before_request
        def _refuse_pages_without_assets() -> Response | None:
            if request.path.startswith(("/api/", "/healthz", "/static/")):
                return None
            return Response(message, status=500, mimetype="text/plain")

    @app.context_processor
    def _asset_urls() -> dict[str, str]:
        return {
            "assetPath": url_for("static", filename="govuk/assets"),
            "govuk_css": url_for("static", filename="govuk/govuk-frontend.min.css"),
            "govuk_js": url_for("static", filename="govuk/govuk-frontend.min.js"),
        }


def assets_folder() -> Path:
    return Path(current_app.config["GOVUK_ASSETS_DIR"])
