"""``GET /healthz``: is the process up and can it reach its database?"""

from __future__ import annotations

from flask import Blueprint, jsonify

from audit_service.services.platform.health import readiness

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Open to load balancers without login; reveals no data, only readiness."""
    state = readiness()
    if state.database_error is not None:
        return jsonify(status="unavailable", database=state.database_error), 503
    if state.pending_migrations:
        return jsonify(status="unavailable", pending_migrations=list(state.pending_migrations)), 503
    return jsonify(status="ok")
