"""Summary pages, downloads and API: roles, page health, audit trail and HR privacy."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from audit_service.domain.vocabulary import Role
from audit_service.storage.models import AuditRating, Case, Event, Staff
from tests.summaries.builders import Council


@pytest.fixture
def council(db, app) -> Council:
    c = Council()
    for day in range(1, 7):
        a = c.audit(c.perm, dt.datetime(2026, 3, day + 1, 10), "good", "3.00",
                    domain_score="3.00", ratings={"allocation_clear": "good"})
        c.action(a, dt.date(2026, 4, 10))
    return c


def test_hr_reads_the_summary_with_suppression_and_the_view_is_recorded(council, login_as):
    hr = login_as(Role.HR)
    page = hr.get("/summaries?level=practitioner&granularity=quarter&period=2026-Q1")
    assert page.h1() == "Practice quality summary"
    text = page.text()
    assert "Pat Perm" in text and "shown as c" in text
    assert page.select("canvas", role="img")
    assert page.select("script", type="application/json")
    event = Event.select().where(Event.action == "summary.viewed").get()
    assert event.actor_id == hr.user.id
    assert event.after["filters"]["period"] == "2026-Q1"


def test_csv_and_xlsx_downloads_have_the_documented_columns(council, login_as):
    lead = login_as(Role.QUALITY_LEAD)
    args = "level=team&granularity=quarter&period=2026-Q1"
    csv = lead.client.get(f"/summaries/summary.csv?{args}")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    header, north, *_ = csv.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert header.startswith("period,level,group_id,group,audits_sampled,audits_completed")
    assert ",North," in north and ",6," in north
    xlsx = lead.client.get(f"/summaries/criteria.xlsx?{args}")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[1]][:3] == ["period", "rank", "domain_id"]
    assert sheet.cell(2, 5).value == "allocation_clear" and sheet.cell(2, 8).value == 3
    assert Event.select().where(Event.action == "summary.exported").count() == 2


def test_trends_and_coverage_pages(council, login_as):
    leader = login_as(Role.SENIOR_LEADER)
    page = leader.get("/summaries/trends?level=team&metric=mean_score&months=12")
    assert "North" in page.text()
    coverage = login_as(Role.QUALITY_LEAD, "ql2").get("/coverage")
    assert "High-risk cases never audited" in coverage.text()

    def headings(page) -> list[str]:
        return ["".join(h.itertext()) for h in page.select("h2", class_="govuk-heading-m")]

    # The list names children's cases: neither HR nor senior leaders get it, only the counts.
    for reader in (login_as(Role.HR, "hr2"), leader):
        others = reader.get("/coverage")
        assert "Open cases audited in the last 12 months" in others.text()
        assert "High-risk cases never audited" not in headings(others)
    assert "High-risk cases never audited" in headings(coverage)


def test_practitioners_may_not_read_summaries(council, login_as):
    practitioner = login_as(Role.PRACTITIONER)
    practitioner.get("/summaries", expected_status=403)
    practitioner.get("/coverage", expected_status=403)


def test_supervisor_sees_only_their_team(council, app, make_user):
    from tests.support.auth import sign_in
    from tests.support.pages import PageClient

    manager = Staff.create(name="Sid Second", name_key="sid second", staff_role="team_manager",
                           team=council.north)
    user = make_user(Role.SUPERVISOR, "sid", staff=manager)
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    page = PageClient(client).get("/summaries?level=team&granularity=quarter&period=2026-Q1")
    assert "North" in page.text() and "South" not in page.text()
    PageClient(client).get("/coverage", expected_status=403)


def test_api_gives_the_same_numbers_paginated(council, api_as):
    api = api_as(Role.HR)
    response = api.get("/api/v1/summaries/groups?level=team&period=2026-Q1&page_size=1")
    assert response.status_code == 200
    (north,) = response.json
    assert (north["group"], north["audits_submitted"], north["good"]) == ("North", 6, 6)
    assert response.headers["X-Pagination"].startswith('{"total": 3')
    refused = api.get("/api/v1/summaries/coverage/high-risk")
    assert refused.status_code == 403
    bad = api.get("/api/v1/summaries/groups?period=March")
    assert bad.status_code == 422 and "2026-Q1" in str(bad.json)


# --- HR privacy: every response HR can get, with the demo and its history loaded ----------


ARG_VALUES = {
    "name": ["summary", "domains", "criteria", "breakdowns"],
    "fmt": ["csv", "xlsx"],
    "token_id": ["1"],
}
QUERIES = ["", "?level=practitioner&granularity=year&period={year}",
           "?level=team&granularity=month&period={month}", "?level=council&months=12"]


def _hr_urls(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "required_roles", None)
        if "GET" not in rule.methods or not roles or Role.HR not in roles:
            continue
        if rule.endpoint in ("auth.logout",) or rule.rule.startswith("/static"):
            continue
        missing = [a for a in rule.arguments if a not in ARG_VALUES]
        assert not missing, f"{rule.rule}: give test values for {missing} in ARG_VALUES"
        combos = [{}]
        for arg in sorted(rule.arguments):
            combos = [{**c, arg: v} for c in combos for v in ARG_VALUES[arg]]
        for combo in combos:
            path = rule.rule
            for arg, value in combo.items():
                path = re.sub(rf"<(?:\w+:)?{arg}>", value, path)
            urls.append(path)
    return urls


def _body(response) -> str:
    if response.mimetype.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(response.data))
        return "\n".join(str(v) for ws in book for row in ws.iter_rows(values_only=True)
                         for v in row if v is not None)
    return response.get_data(as_text=True)


def test_hr_never_receives_child_data_case_ids_or_evidence(app, db, runner, login_as, api_as):
    today = dt.date.today()
    result = runner.invoke(args=["demo", "--password", "demo-password-2024"])
    assert result.exit_code == 0, result.output
    assert AuditRating.select().where(AuditRating.evidence != "").exists()
    child_ids = [c for (c,) in Case.select(Case.child_id).tuples()]
    public_ids = [p for (p,) in Case.select(Case.public_id).tuples()]
    evidence = {e for (e,) in AuditRating.select(AuditRating.evidence).distinct().tuples() if e}
    evidence |= {r for (r,) in AuditRating.select(AuditRating.na_reason).distinct().tuples() if r}
    forbidden = re.compile(r"\b(" + "|".join(map(re.escape, child_ids + public_ids
                                                  + [p[:12] for p in public_ids])) + r")\b")

    hr = login_as(Role.HR)
    api = api_as(Role.HR, "hr-api")
    last = today.replace(day=1) - dt.timedelta(days=1)
    checked = 0
    for url in _hr_urls(app):
        client = api.client if url.startswith("/api/") else hr.client
        headers = api.headers if url.startswith("/api/") else {}
        for query in QUERIES:
            full = url + query.format(year=last.year, month=f"{last:%Y-%m}")
            response = client.get(full, headers=headers)
            if response.status_code in (400, 404, 422):
                continue
            assert response.status_code == 200, (full, response.status_code)
            body = _body(response)
            found = forbidden.search(body)
            assert found is None, f"{full} contains case data {found.group(0)!r}"
            for text in evidence:
                assert text not in body, f"{full} contains evidence text {text!r}"
            checked += 1
    assert checked > 20
