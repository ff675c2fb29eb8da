"""The audit pages under hostile input and at scale: never a 5xx, and a fixed number of queries."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_service.extension import registries
from audit_service.services.audits import lifecycle as audit_service
from audit_service.storage.database import database
from audit_service.storage.models import Audit
from tests.audits.world import complete_form, world_fixture  # noqa: F401


def _start(world, index=0):
    with world.app.app_context():
        audit, _ = audit_service.start_audit(
            world.supervisor, world.round_a.public_id, world.cases_a[index].public_id,
            registries().criterion_types)
        state = audit_service.load_state(audit, registries().criterion_types)
    return audit, state


def test_any_posted_form_gives_a_2xx_3xx_or_4xx(world):
    audit, state = _start(world)
    sup = world.client(world.supervisor)
    token = sup.get(f"/audits/{audit.public_id}").csrf_token()
    names = [f"{part}-{k.rubric_id}-{k.criterion_id}" for k in state.keys[:4]
             for part in ("rating", "na", "na-reason", "evidence")]
    field = st.one_of(st.sampled_from([*names, "version", "intent", "keep"]), st.text(max_size=20))
    value = st.one_of(st.text(max_size=30), st.sampled_from(["1", "2", "good", "submit", "yes",
                                                             "-1", "99999999999"]))
    urls = [f"/audits/{audit.public_id}", f"/audits/{audit.public_id}/autosave",
            f"/audits/{audit.public_id}/resolve"]

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(urls), st.dictionaries(field, value, max_size=8))
    def post(url, data):
        response = sup.client.post(url, data={**data, "csrf_token": token})
        assert response.status_code < 500, (url, data, response.status_code)

    post()
    assert Audit.get_by_id(audit.id).status in ("draft", "submitted")


class QueryCounter:
    def __init__(self, db):
        self.db = db
        self.count = 0
        self._original = db.execute_sql

    def __enter__(self):
        def counting(sql, params=None, *args, **kwargs):
            self.count += 1
            return self._original(sql, params, *args, **kwargs)

        self.db.execute_sql = counting
        return self

    def __exit__(self, *exc):
        self.db.execute_sql = self._original


def test_the_form_and_home_pages_use_a_fixed_number_of_queries(world):
    audit, state = _start(world)
    sup = world.client(world.supervisor)
    url = f"/audits/{audit.public_id}"
    sup.get(url)
    with QueryCounter(database.obj) as empty:
        sup.get(url)
    with world.app.app_context():
        data = complete_form(state)
    page = sup.get(url)
    response = sup.client.post(url, data={**data, "version": "1", "intent": "save",
                                          "csrf_token": page.csrf_token()})
    assert response.status_code == 302
    with QueryCounter(database.obj) as filled:
        sup.get(url)
    assert filled.count == empty.count
    assert filled.count <= 25

    with QueryCounter(database.obj) as one:
        sup.get("/my-audits")
    _start(world, 1)
    with QueryCounter(database.obj) as two:
        sup.get("/my-audits")
    assert two.count == one.count
