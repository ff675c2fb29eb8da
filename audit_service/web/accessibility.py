"""``/accessibility``: the accessibility statement UK public-sector bodies must publish.

Public, so that someone who cannot sign in because of an accessibility problem
can still read how to report it. The text follows GOV.UK's model statement.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template

from audit_service.web.access import public

bp = Blueprint("accessibility", __name__)

# When the statement was prepared and last reviewed; change these when it is reviewed again.
PREPARED_ON = dt.date(2026, 3, 2)
REVIEWED_ON = dt.date(2026, 3, 2)


@bp.get("/accessibility")
@public
def statement():
    config = current_app.config
    return render_template(
        "accessibility.html",
        organisation=config["ORGANISATION_NAME"],
        contact_email=config.get("ACCESSIBILITY_CONTACT_EMAIL"),
        prepared_on=PREPARED_ON,
        reviewed_on=REVIEWED_ON,
    )
