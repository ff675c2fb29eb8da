"""Exact figures from a hand-built council, on SQLite and PostgreSQL (the ``db`` fixture)."""

from __future__ import annotations

import datetime as dt

import pytest

from audit_service.domain.summaries.periods import parse_period, trailing_months
from audit_service.domain.summaries.suppression import SUPPRESSED
from audit_service.services.summaries import coverage
from audit_service.services.summaries.figures import (
    Level,
    Scope,
    monthly_series,
    summarise,
)
from audit_service.services.summaries.tables import group_table, summary_tables
from audit_service.services.summaries.trends import trends
from tests.summaries.builders import Council

TODAY = dt.date(2026, 5, 20)


def at(day: int, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, 10, 0)


@pytest.fixture
def council(db) -> Council:
    c = Council()
    march = c.round("2026-03", dt.date(2026, 3, 20))
    # North: Pat (permanent, 6 years) 2 audits, Alex (agency, new) 2 audits; South: Sam 1.
    a1 = c.audit(c.perm, at(10), "good", "3.00", domain_score="3.00",
                 ratings={"allocation_clear": "good", "supervision_reflective": "outstanding"},
                 round_=march)
    c.audit(c.perm, at(25), "outstanding", "3.60", domain_score="3.50",
            ratings={"allocation_clear": "outstanding", "supervision_reflective": None},
            round_=march)                                         # late: due 20 March
    a3 = c.audit(c.agency, at(12), "requires_improvement", "2.00", domain_score="2.00",
                 ratings={"allocation_clear": "requires_improvement"})
    c.audit(c.agency, at(5, 2), "inadequate", "1.20", domain_score="1.00",
            ratings={"allocation_clear": "inadequate"})           # February
    c.audit(c.south_worker, at(15), "good", "2.80", domain_score="2.50",
            ratings={"allocation_clear": "good"})
    c.audit(c.perm, None, None, None, round_=march)               # drawn, still a draft
    c.action(a1, dt.date(2026, 4, 10), dt.datetime(2026, 4, 1, 9))   # done on time
    c.action(a3, dt.date(2026, 4, 10), dt.datetime(2026, 4, 20, 9))  # done late
    c.action(a3, dt.date(2026, 5, 1))                                # open and overdue
    return c


def test_team_level_figures(council):
    summary = summarise(Level.TEAM, parse_period("2026-Q1"), today=TODAY)
    north, south = summary.groups
    assert (north.name, north.audits, north.grades) == ("North", 4, {
        "outstanding": 1, "good": 1, "requires_improvement": 1, "inadequate": 1})
    assert north.mean_score == pytest.approx((3.0 + 3.6 + 2.0 + 1.2) / 4)
    assert (north.sampled, north.completed, north.on_time) == (3, 2, 1)
    assert (north.actions, north.actions_done, north.actions_done_on_time,
            north.actions_overdue) == (3, 2, 1, 1)
    assert (south.audits, south.good_or_better, south.sampled) == (1, 1, 0)
    assert summary.total.audits == 5 and summary.total.good_or_better == 3


def test_month_service_and_practitioner_levels(council):
    march = parse_period("2026-03")
    (service,) = summarise(Level.SERVICE, march, today=TODAY).groups
    assert (service.name, service.audits) == ("Safeguarding", 4)
    people = {g.name: g.audits for g in summarise(Level.PRACTITIONER, march, today=TODAY).groups}
    assert people == {"Alex Agency": 1, "Pat Perm": 2, "Sam South": 1}
    only_south = summarise(Level.TEAM, march, Scope(team_id=council.south.id), today=TODAY)
    assert [g.name for g in only_south.groups] == ["South"] and only_south.total.audits == 1


def test_domain_and_criterion_means(council):
    summary = summarise(Level.TEAM, parse_period("2026-Q1"), today=TODAY)
    (total,) = summary.domain_totals
    assert (total.audits, total.mean_score) == (5, pytest.approx(2.4))
    criteria = {c.criterion_id: (c.ratings, c.mean_score) for c in summary.criteria}
    # allocation_clear: good 3, outstanding 4, RI 2, inadequate 1, good 3; N/A drops out.
    assert criteria["allocation_clear"] == (5, pytest.approx(13 / 5))
    assert criteria["supervision_reflective"] == (1, pytest.approx(4))
    assert summary.criteria[0].criterion_id == "allocation_clear"  # weakest first


def test_breakdowns(council):
    summary = summarise(Level.TEAM, parse_period("2026-Q1"), today=TODAY)
    found = {(b.dimension, b.band_id): (b.audits, b.good_or_better) for b in summary.breakdowns}
    assert found[("employment_type", "agency")] == (2, 0)
    assert found[("employment_type", "permanent")] == (3, 3)
    assert found[("caseload_band", "21+")] == (2, 0)
    assert found[("caseload_band", "11-15")] == (2, 2)
    assert found[("caseload_band", "0-10")] == (1, 1)
    assert found[("length_of_service", "<1y")] == (2, 0)
    assert found[("length_of_service", "5y+")] == (2, 2)
    assert found[("length_of_service", "unknown")] == (1, 1)
    # No SSDA903 imported: every audited child's changes of social worker are not known.
    assert found[("worker_changes", "unknown")] == (5, 3)


def test_breakdown_by_the_childs_changes_of_social_worker(council):
    from audit_service.storage.models import Audit, Case

    audited = [audit.case_id for audit in Audit.select().where(Audit.submitted_at.is_null(False))
               .order_by(Audit.submitted_at)]
    # The two audits of February and 10 March are of children with 3 and 4 changes; one more
    # had a single change; the rest are unknown.
    for case_id, changes in zip(audited, (3, 4, 1), strict=False):
        Case.update(sw_changes_12m=changes).where(Case.id == case_id).execute()
    summary = summarise(Level.TEAM, parse_period("2026-Q1"), today=TODAY)
    found = {b.band_id: (b.audits, b.good_or_better) for b in summary.breakdowns
             if b.dimension == "worker_changes"}
    assert found == {"3+": (2, 1), "0-1": (1, 0), "unknown": (2, 2)}


def test_hr_tables_hide_small_numbers_and_the_next_smallest(council):
    summary = summarise(Level.TEAM, parse_period("2026-Q1"), today=TODAY)
    rows = {r["group"]: r for r in group_table(summary, 5).as_dicts()}
    assert rows["North"]["audits_submitted"] == SUPPRESSED   # 4 audits
    assert rows["South"]["audits_submitted"] == SUPPRESSED   # 1 audit
    assert rows["All"]["audits_submitted"] == 5
    assert rows["North"]["mean_score"] == SUPPRESSED
    exact = {r["group"]: r for r in group_table(summary, None).as_dicts()}
    assert exact["North"]["audits_submitted"] == 4
    assert exact["North"]["good_or_better_pct"] == 50.0
    assert exact["North"]["completed_on_time_pct"] == pytest.approx(33.3)
    assert exact["North"]["actions_done_pct"] == pytest.approx(66.7)
    tables = summary_tables(summary, 1)
    assert {r["group"]: r["audits_submitted"] for r in tables["summary"].as_dicts()} == {
        "North": 4, "South": 1, "All": 5}


def test_monthly_series_and_trends(council):
    months = trailing_months(dt.date(2026, 3, 1), 3)
    series = monthly_series(months, Scope(), Level.TEAM)
    assert series[council.north.id] == {"2026-02": (1, 0, pytest.approx(1.2)),
                                        "2026-03": (3, 2, pytest.approx(2.8667, abs=1e-3))}
    (council_series,) = trends(None, last_month=dt.date(2026, 3, 1), months=2)
    assert council_series.counts == [1, 4]
    assert council_series.values == [0.0, 75.0]
    hidden = trends(None, last_month=dt.date(2026, 3, 1), months=2, threshold=5)[0]
    assert hidden.hidden == [True, True] and hidden.chart is None


def test_coverage(council):
    rows = coverage.coverage(TODAY)
    north = next(r for r in rows if r.team == "North")
    # 34 cases made at the start + 4 for North's audits; 5 submitted North audits in 12 months
    # (February's included), 1 draft.
    assert north.open_cases == 34 + 5
    assert north.audited_12m == 4
    cases, total = coverage.never_audited_high_risk(TODAY)
    assert total == 0 and cases == []
    council.case(council.perm, referrals_12m=3)
    cases, total = coverage.never_audited_high_risk(TODAY)
    assert total == 1 and cases[0].reasons == ("3 referrals in 12 months",)


def test_moderation_audits_are_not_counted_as_practice(council):
    """A moderation is a check on an audit: the same case file must not count twice."""
    from audit_service.storage.models import Audit

    original = Audit.select().where(Audit.overall_grade == "outstanding").get()
    moderation = council.audit(council.perm, at(28), "good", "3.00", domain_score="3.00",
                               case=original.case)
    Audit.update(kind="moderation", moderates=original.id).where(
        Audit.id == moderation.id).execute()
    summary = summarise(Level.TEAM, parse_period("2026-Q1"), today=TODAY)
    north = summary.groups[0]
    assert (north.audits, north.grades["good"]) == (4, 1)


def test_a_council_with_no_rubric_published_yet_has_empty_summaries(db):
    """Before the first rubric is published there is nothing to score: empty, not a crash
    (PostgreSQL once refused the untyped ``AVG(NULL)``)."""
    summary = summarise(Level.TEAM, parse_period("2026-03"), Scope(), today=TODAY)
    assert summary.groups == []
    assert summary.criteria == []


def test_the_workforce_census_feeds_hr_breakdowns(council):
    """Pat is agency staff, started this year, by the council's census: HR's breakdowns say so
    at once, from the same audits."""
    import io

    from audit_service.services.imports.workforce_import import import_workforce
    from audit_service.storage.models import Staff

    Staff.update(swe_number="SW700007").where(Staff.id == council.perm.id).execute()
    census = (b"<Message><CSWWWorker><AgencyWorker>1</AgencyWorker><SWENo>SW700007</SWENo>"
              b"<PersonBirthDate>1980-02-02</PersonBirthDate><RoleStartDate>2026-01-05"
              b"</RoleStartDate></CSWWWorker></Message>")
    report = import_workforce(io.BytesIO(census), "csww.xml", actor_label="test")
    assert (report.matched, report.updated) == (1, 1)
    summary = summarise(Level.TEAM, parse_period("2026-Q1"), today=TODAY)
    found = {(b.dimension, b.band_id): (b.audits, b.good_or_better) for b in summary.breakdowns}
    assert found[("employment_type", "agency")] == (4, 2)
    assert found[("employment_type", "permanent")] == (1, 1)
    assert found[("length_of_service", "<1y")] == (4, 2)
    assert ("length_of_service", "5y+") not in found or found[("length_of_service", "5y+")][0] == 0
