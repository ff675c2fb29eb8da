"""``GET /healthz``: is the process up and can it reach its database?"""

from __future__ import annotations

from flask import Blueprint, jsonify

from audit_service.storage.database import database
from audit_service.storage.migrations import pending

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Open to load balancers without login; reveals no data, only readiness."""
    try:
        database.execute_sql("SELECT 1")
        waiting = pending(database.obj)
    except Exception as exc:  # any database failure means not ready
        return jsonify(status="unavailable", database=type(exc).__name__), 503
    if waiting:
        return jsonify(status="unavailable", pending_migrations=waiting), 503
    return jsonify(status="ok")
