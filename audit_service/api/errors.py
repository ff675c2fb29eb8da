"""The API's answer to a service's refusal: flask-smorest's error shape, the family's code.

``{"code": 409, "status": "Conflict", "message": "...", "errors": {field: [...]}}``, plus
whatever the refusal adds for a client to act on (``your_version`` and
``current_version`` of a conflict). Registered once for every API path by
``web/errors.py``, so no endpoint translates a refusal itself.
"""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.http import HTTP_STATUS_CODES

from audit_service.services.errors import ServiceError


def refusal(exc: ServiceError) -> Response:
    body = {"code": exc.status, "status": HTTP_STATUS_CODES[exc.status], "message": exc.message}
    if exc.errors:
        body["errors"] = exc.by_field()
    body.update(exc.details())
    response = jsonify(body)
    response.status_code = exc.status
    return response
