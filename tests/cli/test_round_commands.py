"""``audit-service open-rounds`` and ``audit-service policies``."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from audit_service.storage.models import Event, SamplingPolicy, SamplingRound
from tests.services.round_builders import build_council


def test_open_rounds_is_idempotent_and_says_what_it_did(runner) -> None:
    build_council()
    first = runner.invoke(args=["open-rounds", "--period", "2026-05"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines()[0] == (
        "Rounds for 2026-05: 2 opened, 0 already open, 0 skipped.")
    again = runner.invoke(args=["open-rounds", "--period", "2026-05"])
    assert again.output.splitlines()[0] == (
        "Rounds for 2026-05: 0 opened, 2 already open, 0 skipped.")
    assert SamplingRound.select().count() == 2
    bad = runner.invoke(args=["open-rounds", "--period", "May"])
    assert bad.exit_code == 2
    assert "period 'May' is not a month written YYYY-MM" in bad.output


def test_open_rounds_defaults_to_the_current_month(runner) -> None:
    build_council()
    result = runner.invoke(args=["open-rounds"])
    assert result.exit_code == 0, result.output
    (round_,) = {r.period for r in SamplingRound.select()}
    assert result.output.startswith(f"Rounds for {round_}: 2 opened")


def test_policies_set_and_show(runner) -> None:
    build_council()
    result = runner.invoke(args=["policies", "set", "--council", "--cases", "3",
                                 "--strategy", "risk_weighted", "--reaudit-grades", "",
                                 "--closed-cases", "1"])
    assert result.exit_code == 0, result.output
    assert "Saved version 1 of the policy for the council:" in result.output
    result = runner.invoke(args=["policies", "set", "--team", "Team 1",
                                 "--independence", "other_team", "--case-types",
                                 "child_protection,looked_after"])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(args=["policies", "show", "--team", "Team 1"])
    assert "Team Team 1 follows the policy of team Team 1 version 1:" in shown.output
    assert "cases per team manager: 3" in shown.output  # kept from the council policy
    assert "case types: child_protection, looked_after" in shown.output
    assert "re-audit: off" in shown.output
    assert "closed last month, per team manager: 1" in shown.output
    result = runner.invoke(args=["policies", "set", "--council", "--reaudit-grades",
                                 "inadequate", "--reaudit-after-months", "6"])
    assert result.exit_code == 0, result.output
    assert "re-audit: inadequate after 6 months" in result.output
    other = runner.invoke(args=["policies", "show", "--team", "Team 2"])
    assert "follows the policy of the council version 2" in other.output
    assert Event.select().where(Event.action == "sampling_policy.set").count() == 3


def test_policies_set_refuses_bad_settings_listing_every_problem(runner) -> None:
    build_council()
    result = runner.invoke(args=["policies", "set", "--cases", "0", "--case-types", "adults",
                                 "--strategy", "lottery"])
    assert result.exit_code == 1
    assert "cases per supervisor: 0 is out of range; use 1 to 50" in result.output
    assert "case types: 'adults' is not known" in result.output
    assert "strategy: 'lottery' is not an installed sampling strategy" in result.output
    assert SamplingPolicy.select().count() == 0
    missing = runner.invoke(args=["policies", "set", "--team", "Nobody", "--cases", "2"])
    assert "there is no team named 'Nobody'" in missing.output


def test_the_demo_sets_a_policy_and_opens_this_months_round_for_demo_supervisor(runner) -> None:
    from audit_service.storage.models import User

    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Set a council-wide sampling policy and opened 4 sampling rounds" in result.output
    (policy,) = SamplingPolicy.select().where(SamplingPolicy.scope == "council")
    assert (policy.scope, policy.strategy, policy.cases_per_supervisor,
            policy.exclusion_months, policy.independence) == (
        "council", "risk_weighted", 2, 12, "own_team")
    supervisor = User.get(User.username == "demo-supervisor")
    (round_,) = SamplingRound.select().where(
        SamplingRound.supervisor == supervisor.staff_id,
        SamplingRound.period == dt.datetime.now(ZoneInfo("Europe/London")).strftime("%Y-%m"))
    open_cases = [rc for rc in round_.cases if rc.pool == "open"]
    assert len(open_cases) == 2
    assert all(rc.reason.startswith("risk-weighted: ") for rc in open_cases)
    # The demo policy adds a dip sample of last month's closures, where a case closed.
    assert {rc.pool for rc in round_.cases} <= {"open", "closed"}
    assert policy.closed_cases == 1
