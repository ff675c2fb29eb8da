"""The browser-facing app: GOV.UK Frontend pages, one blueprint per journey.

Every browser endpoint declares who may use it with ``access.require_roles``
(or ``access.public``); the permission-matrix test reads those declarations.
"""

from __future__ import annotations

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from audit_service.web import assets, case_refs, errors, filters, security, sessions
from audit_service.web.navigation import service_navigation


def init_app(app: Flask) -> None:
    from audit_service.web import (
        accessibility,
        account,
        admin_audit_trail,
        admin_imports,
        admin_staff,
        admin_users,
        audits,
        auth,
        health,
        home,
        inbox,
        learning,
        moderation,
        oversight,
        policies,
        practitioner,
        rounds,
        rubric_drafts,
        rubric_editor,
        sign_on,
        summaries,
        supervisor,
        thematic,
    )

    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # Forms stay valid for the whole session: a supervisor part-way through a long
    # audit form must not lose it to a token clock. Sessions expire instead.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)

    assets.init_app(app)
    filters.init_app(app)
    case_refs.init_app(app)
    security.init_app(app)
    sessions.init_app(app)
    errors.init_app(app)
    app.context_processor(lambda: {
        "service_navigation": service_navigation,
        "organisation_name": app.config["ORGANISATION_NAME"],
    })

    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    sign_on.init_app(app)
    app.register_blueprint(home.bp)
    app.register_blueprint(admin_imports.bp)
    app.register_blueprint(admin_users.bp)
    app.register_blueprint(admin_staff.bp)
    account.init_app(app)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(audits.bp)
    app.register_blueprint(supervisor.bp)
    app.register_blueprint(practitioner.bp)
    app.register_blueprint(rounds.bp)
    app.register_blueprint(admin_audit_trail.bp)
    app.register_blueprint(accessibility.bp)
    app.register_blueprint(summaries.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(learning.bp)
    app.register_blueprint(rubric_editor.bp)
    app.register_blueprint(rubric_drafts.bp)
    app.register_blueprint(policies.bp)
    app.register_blueprint(thematic.bp)
    app.register_blueprint(oversight.bp)
