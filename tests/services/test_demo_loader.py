"""Loading the small demo council into each database."""

from __future__ import annotations

import datetime as dt

import pytest

from audit_service.domain.vocabulary import CaseStatus, Role, StaffRole
from audit_service.services.accounts.users import authenticate
from audit_service.services.demo.council import generate_council
from audit_service.services.demo.loader import DemoLoadError, facts_hash, load_demo
from audit_service.storage.models import Case, Event, Service, Staff, Team, User

PASSWORD = "a-demo-password"
TODAY = dt.date(2025, 1, 15)


@pytest.fixture(scope="module")
def council():
    return generate_council("small", 11, TODAY)


def test_small_demo_loads_everything(db, council) -> None:
    summary = load_demo(council, PASSWORD)

    assert Service.select().count() == summary.services == 3
    assert Team.select().count() == summary.teams == 4
    assert Staff.select().count() == summary.staff == len(council.staff)
    assert Case.select().where(Case.status == CaseStatus.OPEN.value).count() == 600
    assert Case.select().where(Case.status == CaseStatus.CLOSED.value).count() == 30
    assert summary.open_cases == 600 and summary.closed_cases == 30

    stored = {c.child_id: c for c in Case.select()}
    for demo_case in council.cases:
        record, case = demo_case.record, stored[demo_case.record.child_id]
        assert case.case_type == record.case_type.value
        assert case.opened_on == record.opened_on and case.closed_on == record.closed_on
        assert case.last_seen_on == record.last_seen_on
        assert case.seen_alone == record.seen_alone
        assert case.placements_12m == record.placements_12m
        assert case.age_band == record.age_band.value
        assert case.facts_hash == facts_hash(record)
        assert case.team.name == record.team_name
        if record.worker_name:
            assert case.worker.name == record.worker_name
            assert case.worker.team_id == case.team_id
        else:
            assert case.worker is None

    for person in Staff.select():
        if person.staff_role in (StaffRole.SOCIAL_WORKER, StaffRole.SENIOR_PRACTITIONER,
                                 StaffRole.PERSONAL_ADVISER):
            assert person.line_manager.staff_role == StaffRole.TEAM_MANAGER
            assert person.line_manager.team_id == person.team_id
        elif person.staff_role == StaffRole.TEAM_MANAGER:
            assert person.line_manager.staff_role == StaffRole.SERVICE_MANAGER

    event = Event.get(Event.action == "demo.loaded")
    assert event.actor_label == "cli:demo"
    assert event.after["open_cases"] == 600 and event.after["seed"] == 11


def test_the_six_demo_logins_work_and_point_at_the_right_people(db, council) -> None:
    load_demo(council, PASSWORD)

    roles = {}
    for username in ("demo-admin", "demo-supervisor", "demo-practitioner", "demo-quality",
                     "demo-hr", "demo-leader"):
        user = authenticate(username, PASSWORD)
        assert user is not None, username
        roles[Role(user.role)] = user
        assert authenticate(username, "not-the-password") is None
    assert set(roles) == set(Role)

    supervisor = roles[Role.SUPERVISOR].staff
    practitioner = roles[Role.PRACTITIONER].staff
    assert supervisor.staff_role == StaffRole.TEAM_MANAGER
    assert Case.select().where(Case.team == supervisor.team,
                               Case.status == CaseStatus.OPEN.value).count() > 0
    assert practitioner.team_id == supervisor.team_id
    assert practitioner.line_manager_id == supervisor.id
    assert Case.select().where(Case.worker == practitioner,
                               Case.status == CaseStatus.OPEN.value).count() > 0
    assert roles[Role.ADMIN].staff is None
    assert Event.select().where(Event.action == "user.created").count() == 6


def test_loading_twice_is_refused_and_changes_nothing(db, council) -> None:
    load_demo(council, PASSWORD)
    counts = (Staff.select().count(), Case.select().count(), User.select().count())

    with pytest.raises(DemoLoadError, match=(
        rf"the database already holds {len(council.staff)} staff and 630 cases; "
        "load the demo only into an empty database"
    )):
        load_demo(generate_council("small", 12, TODAY), PASSWORD)

    assert (Staff.select().count(), Case.select().count(), User.select().count()) == counts


def test_a_short_password_is_refused_before_anything_is_written(db, council) -> None:
    with pytest.raises(DemoLoadError, match="at least 12 characters"):
        load_demo(council, "short")
    assert Staff.select().count() == 0 and Case.select().count() == 0


def test_a_clash_with_an_existing_login_rolls_back_the_whole_load(db, council) -> None:
    from audit_service.services.accounts.users import AccountError, create_user

    create_user("demo-hr", role=Role.HR, password=PASSWORD)
    with pytest.raises(AccountError, match="a user named 'demo-hr' already exists"):
        load_demo(council, PASSWORD)
    assert Staff.select().count() == 0 and Case.select().count() == 0
    assert User.select().count() == 1
