"""The application factory: every subsystem attaches itself with ``init_app``."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from audit_service import config, extension
from audit_service.api.blueprint import DatabaseId


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the web app from the environment (or ``test_config``, which wins)."""
    app = Flask(__name__, instance_path=str(config.instance_dir()))
    # Browser ``<int:...>`` ids past the database's integer range are no object (404), as the
    # API's are, rather than an overflow in the driver.
    app.url_map.converters["int"] = DatabaseId
    app.config.update(config.from_environ())
    if test_config:
        app.config.update(test_config)
    # ``__Host-``: the browser sends the cookie only to this host, over https, for every
    # path, and refuses one planted by a sibling subdomain. Local http cannot carry it.
    if app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_NAME"] == "session":
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
    trust_proxies(app)

    from audit_service import api, web
    from audit_service.storage import database

    database.init_app(app)
    extension.init_app(app)
    web.init_app(app)
    api.init_app(app)
    return app


def trust_proxies(app: Flask) -> None:
    """Behind the council's reverse proxies, the client's address (sign-in throttling, the
    audit trail) and scheme come from the headers those proxies set, and only from as many
    of them as ``TRUSTED_PROXIES`` says are there."""
    hops = app.config.get("TRUSTED_PROXIES") or 0
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
