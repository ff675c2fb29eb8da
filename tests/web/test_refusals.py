"""A service's refusal means the same on a page and in the API: one family, one code each.

A throwaway route raises each refusal; the page answer and the API answer are
compared. Pages say why in GOV.UK style (the blind-moderation page for ``Blinded``);
the API gives flask-smorest's error shape with the fields and details.
"""

from __future__ import annotations

import pytest
from flask import Blueprint

from audit_service.domain.vocabulary import Role
from audit_service.services.errors import (
    Blinded,
    Conflict,
    FieldError,
    Invalid,
    NotAllowed,
    NotFound,
    ServiceError,
)


class StaleThing(Conflict):
    def details(self) -> dict:
        return {"your_version": 3, "current_version": 4}


REFUSALS: dict[str, ServiceError] = {
    "not-found": NotFound("There is nothing at this address."),
    "not-allowed": NotAllowed("Only the team's team manager can do this."),
    "blinded": Blinded("You are moderating this audit."),
    "conflict": StaleThing("This was saved elsewhere after you opened it."),
    "invalid": Invalid("Some answers cannot be saved.",
                       [FieldError("due-day", "Enter a due date"),
                        FieldError("due-day", "The due date must be in the future"),
                        FieldError("owner", "Choose who owns the action")]),
}
PAGE_TEXT = {
    "not-found": "Page not found",
    "not-allowed": "Only the team's team manager can do this.",
    "blinded": "Moderation is blind so that your ratings are your own.",
    "conflict": "This was saved elsewhere after you opened it. Nothing has been changed.",
    "invalid": "Choose who owns the action",
}


@pytest.fixture
def refusing_app(app):
    refuse = Blueprint("refuse", __name__)

    @refuse.route("/refuse/<kind>", endpoint="page")
    @refuse.route("/api/v1/refuse/<kind>", endpoint="api")
    def raise_it(kind: str):
        raise REFUSALS[kind]

    app.register_blueprint(refuse)
    return app


@pytest.mark.parametrize("kind", sorted(REFUSALS))
def test_a_page_and_the_api_give_a_refusal_the_same_status(refusing_app, login_as, kind):
    refusal = REFUSALS[kind]
    page = login_as(Role.ADMIN).get(f"/refuse/{kind}", expected_status=refusal.status)
    api = refusing_app.test_client().get(f"/api/v1/refuse/{kind}")
    assert api.status_code == refusal.status
    assert PAGE_TEXT[kind] in page.text()
    assert page.response.headers["Content-Security-Policy"]
    body = api.get_json()
    assert (body["code"], body["message"]) == (refusal.status, refusal.message)
    assert body.get("errors") == (refusal.by_field() or None)
    if kind == "invalid":
        assert body["errors"] == {"due-day": ["Enter a due date",
                                              "The due date must be in the future"],
                                  "owner": ["Choose who owns the action"]}
    if kind == "conflict":
        assert (body["your_version"], body["current_version"]) == (3, 4)


def test_the_status_of_each_refusal():
    assert [type(r).status for r in REFUSALS.values()] == [404, 403, 403, 409, 422]
