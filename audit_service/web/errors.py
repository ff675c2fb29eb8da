"""Error pages in GOV.UK style for browsers, JSON for the API.

flask-smorest answers every ``HTTPException`` with JSON app-wide; the handlers
here are registered per status code, which Flask prefers, and hand API paths
back to the JSON handler. A service's refusal (``services.errors``) is answered
here too, once for every page: the same status code the API gives it.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from audit_service.services.errors import Blinded, NotAllowed, NotFound, ServiceError

JSON_ERROR_HANDLER = "audit_service.json_error_handler"
JSON_REFUSAL_HANDLER = "audit_service.json_refusal_handler"

PAGES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/404.html",
    413: "errors/413.html",
    429: "errors/429.html",
    500: "errors/500.html",
}


PLAIN_500 = "Sorry, there is a problem with the service. Try again later."


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def handle_error(error: HTTPException):
    handler = current_app.extensions.get(JSON_ERROR_HANDLER)
    if _is_api_request() and handler is not None:
        return handler(error)
    code = error.code or 500
    if code == 405:
        code = 404  # a wrong method on a page is, to a person, a page that is not there
    csrf_failed = isinstance(error, CSRFError)
    return render_template(PAGES[code], csrf_failed=csrf_failed, max_mb=_max_upload_mb()), code


def handle_refusal(error: ServiceError):
    """A service said no: the page that says why, with the status the API would give."""
    handler = current_app.extensions.get(JSON_REFUSAL_HANDLER)
    if _is_api_request() and handler is not None:
        return handler(error)
    if isinstance(error, Blinded):
        return render_template("moderation/blind.html", message=error.message), error.status
    if isinstance(error, NotFound):
        return render_template(PAGES[404], max_mb=_max_upload_mb()), error.status
    if isinstance(error, NotAllowed):
        return render_template(PAGES[403], message=error.message), error.status
    return render_template("errors/refused.html", message=error.message, errors=error.errors,
                           back=_same_site_referrer()), error.status


def _same_site_referrer() -> str:
    """Where "Go back" leads: the page the person came from, if it is one of ours."""
    referrer = request.referrer or ""
    return referrer if referrer.startswith(request.host_url) else url_for("home.index")


def handle_server_error(error: InternalServerError):
    current_app.logger.error("unhandled error on %s %s", request.method, request.path)
    try:
        return handle_error(error)
    except Exception:  # the page itself needs the database, which may be what failed
        current_app.logger.exception("the error page could not be rendered")
        return PLAIN_500, 500, {"Content-Type": "text/plain; charset=utf-8"}


def _max_upload_mb() -> int:
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    return int(limit // (1024 * 1024))


def init_app(app: Flask) -> None:
    for code in PAGES:
        if code != 500:
            app.register_error_handler(code, handle_error)
    app.register_error_handler(500, handle_server_error)
    app.register_error_handler(ServiceError, handle_refusal)
