"""Two councils of the same shape, one several times bigger, for the query-count tests.

Both are built by the service code the product uses (the demo loader, sampling
rounds, the history loader, moderation draws and assignments, learning, rubric
publishing and drafts), so the pages read realistic rows. Only rows that no
service creates on its own (finished import batches with rejected rows, inbox
items, extra actions) are inserted directly.

``LARGE`` has three times the teams, practitioners and months of history of
``SMALL`` (so about three times the rounds, audits and actions), nine times the
cases (three times as many per team), and three times the moderations, themes,
exemplars, inbox items, imports, rejected rows, rubric drafts and enabled
supervisor accounts: every list a key page shows is longer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from peewee import fn

from audit_service.domain.sampling import SamplingPolicySettings
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.audits import lifecycle as audit_service
from audit_service.services.demo.council import CouncilSize, TeamKind, generate_council
from audit_service.services.demo.history_loader import load_history
from audit_service.services.demo.loader import load_demo
from audit_service.services.moderation import learning
from audit_service.services.moderation import workflow as moderation
from audit_service.services.rubrics import drafts as rubric_drafts
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.services.sampling.policies import set_policy
from audit_service.services.sampling.rounds import open_rounds
from audit_service.storage.database import database
from audit_service.storage.models import (
    Audit,
    AuditAction,
    ImportBatch,
    InboxItem,
    RejectedRow,
    RoundCase,
    SamplingRound,
    Staff,
    User,
)
from tests.support.auth import PASSWORD
from tests.support.installed import strategies

SEED = 11
USERNAMES = {
    Role.ADMIN: "demo-admin",
    Role.SUPERVISOR: "demo-supervisor",
    Role.PRACTITIONER: "demo-practitioner",
    Role.QUALITY_LEAD: "demo-quality",
    Role.HR: "demo-hr",
    Role.SENIOR_LEADER: "demo-leader",
}


@dataclass(frozen=True)
class Scale:
    """How much of everything: ``factor`` multiplies every list a key page shows."""

    name: str
    factor: int

    @property
    def council(self) -> CouncilSize:
        return CouncilSize(
            teams={kind: self.factor for kind in TeamKind},
            practitioners=12 * self.factor,
            # More cases per team too, so a team's population and coverage grow.
            open_cases=100 * self.factor ** 2,
            closed_cases=5 * self.factor,
            leavers=self.factor,
        )

    @property
    def months(self) -> int:
        return 2 * self.factor

    @property
    def rows(self) -> int:
        """Items per small list: inbox items, imports, themes, exemplars, actions..."""
        return 3 * self.factor


SMALL = Scale("small", 1)
LARGE = Scale("large", 3)


@dataclass(frozen=True)
class World:
    """What the pages are asked about: the same objects in either size of council."""

    round_id: str  # the demo supervisor's round this month
    draft_id: str  # their draft audit in it
    result_id: str  # a submitted audit of the demo practitioner's case, with actions
    moderation_id: str  # picked, no moderator yet
    batch_id: str  # an import with rejected rows
    rubric_id: str  # a rubric with several versions and drafts
    last_month: dt.date


def build(scale: Scale, today: dt.date) -> World:
    """Fill the (empty, migrated) database the proxy points at; the app context is open."""
    catalogue = registries()
    types = catalogue.criterion_types
    audit_service.ensure_published(catalogue.rubrics)
    load_demo(generate_council(scale.council, SEED, today), PASSWORD)
    users = {role: User.get(User.username == name) for role, name in USERNAMES.items()}
    set_policy(SamplingPolicySettings(cases_per_supervisor=2 * scale.factor),
               actor_label="test", registry=strategies())
    open_rounds(f"{today:%Y-%m}", today=today, actor_label="test", registry=strategies())
    load_history(today=today, months=scale.months, seed=SEED, criterion_types=types)
    with database.atomic():
        world = _subjects(scale, today, users, types)
        # Past team managers' accounts, enabled: more people to choose as moderators.
        User.update(is_active=True).where(User.username.startswith("tm-")).execute()
        moderation_id = _moderations(scale, users, keep_open=world.result_id)
        _learning(scale, users)
        _inbox(scale, users)
        _rubrics(scale, world.rubric_id, users)
    return dataclasses.replace(world, moderation_id=moderation_id)


def _subjects(scale: Scale, today: dt.date, users: dict[Role, User], types) -> World:
    """The draft, round, result audit, import and rubric the pages are asked about."""
    supervisor, practitioner = users[Role.SUPERVISOR], users[Role.PRACTITIONER]
    round_ = SamplingRound.get((SamplingRound.supervisor == supervisor.staff_id)
                               & (SamplingRound.period == f"{today:%Y-%m}"))
    first = (RoundCase.select().where(RoundCase.round == round_.id)
             .order_by(RoundCase.position).first())
    draft, _ = audit_service.start_audit(supervisor, round_.public_id, first.case.public_id,
                                         types)
    result = _practitioners_latest_audit(supervisor, practitioner)
    AuditAction.insert_many([{
        "audit": result.id, "description": f"Follow-up action {i}", "owner": practitioner.id,
        "due_on": today + dt.timedelta(days=i), "created_by": supervisor.id,
        "status": "done" if i % 3 == 0 else "open",
    } for i in range(scale.rows)]).execute()
    batch_id = _imports(scale, users[Role.ADMIN])
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return World(round_.public_id, draft.public_id, result.public_id, "", batch_id,
                 next(iter(registries().rubrics)), last_month)


def _practitioners_latest_audit(supervisor: User, practitioner: User) -> Audit:
    """The latest submitted audit of the demo practitioner's cases.

    Which cases the history audits depends on the date, so the demo practitioner
    may have none: then their login moves to the colleague in the same team whose
    cases were audited most, and every run has an audited practitioner to sign in as.
    """
    submitted = (Audit.status == "submitted") & (Audit.kind == "monthly")
    counts = (Audit.select(Audit.practitioner, fn.COUNT(Audit.id).alias("n"))
              .join(Staff, on=(Audit.practitioner == Staff.id))
              .where(submitted & (Staff.team == supervisor.staff.team_id)
                     & (Staff.id != supervisor.staff_id))
              .group_by(Audit.practitioner)
              .order_by(fn.COUNT(Audit.id).desc(), Audit.practitioner))
    audited = [row.practitioner_id for row in counts]
    assert audited, "the history audited nobody in the demo supervisor's team"
    if practitioner.staff_id not in audited:
        practitioner.staff = audited[0]
        practitioner.save()
    return (Audit.select().where(submitted & (Audit.practitioner == practitioner.staff_id))
            .order_by(Audit.submitted_at.desc(), Audit.id.desc()).first())


def _imports(scale: Scale, admin: User) -> str:
    batches = []
    for i in range(scale.rows):
        batch = ImportBatch.create(source_name=f"annex-a-{i}.xlsx", importer="annex-a-xlsx",
                                   sha256=f"{i:064x}", status="finished", uploaded_by=admin,
                                   rows_read=100, rejected_count=10 * scale.rows)
        batches.append(batch)
        RejectedRow.insert_many([{
            "batch": batch.id, "sheet": "List 1", "row": row + 2, "column": "Child ID",
            "value": "", "reason": "The child's id is missing",
        } for row in range(10 * scale.rows)]).execute()
    return batches[0].public_id


def _moderations(scale: Scale, users: dict[Role, User], keep_open: str) -> str:
    """A quarter of each month's audits drawn for moderation, some of them assigned to the
    demo quality lead and supervisor; returns one with no moderator yet. The audit
    ``keep_open`` is never given to a moderator, so the pages that read it are not blind."""
    quality, supervisor = users[Role.QUALITY_LEAD], users[Role.SUPERVISOR]
    moderation.set_share(quality, "25")
    periods = sorted({f"{a.submitted_at:%Y-%m}" for a in
                      Audit.select(Audit.submitted_at).where(Audit.status == "submitted")})
    picked = []
    for period in periods:
        picked += moderation.pick_moderation_sample(period, actor=quality).picked
    assigned = {quality: 0, supervisor: 0}
    for public_id in reversed(picked[1:]):  # the newest, so the queue's first page shows them
        if moderation.get(public_id).audit.public_id == keep_open:
            continue
        for moderator, count in assigned.items():
            if count < scale.factor:
                try:
                    moderation.assign(quality, public_id, moderator.username)
                except moderation.InvalidModeration:
                    continue  # their own team's audit: someone else moderates it
                assigned[moderator] += 1
                break
    return picked[0]


def _learning(scale: Scale, users: dict[Role, User]) -> None:
    quality = users[Role.QUALITY_LEAD]
    themes = [learning.add_theme(quality, f"Theme {i}") for i in range(scale.rows)]
    recent = learning.recent_submitted(limit=4 * scale.rows)
    for i, audit in enumerate(recent):
        learning.set_themes(quality, audit, [themes[i % len(themes)].id], [])
    for i, audit in enumerate(recent[: scale.rows]):
        learning.share_exemplar(quality, audit, f"Good practice {i}", "Voice of the child",
                                "The worker recorded the child's wishes in their own words.")


def _inbox(scale: Scale, users: dict[Role, User]) -> None:
    InboxItem.insert_many([{
        "user": user.id, "key": f"perf:{user.username}:{i}", "title": f"Notice {i}",
        "body": "Something happened.", "link": "/inbox",
        "read_at": None if i % 2 else dt.datetime(2026, 1, 1),
    } for user in users.values() for i in range(3 * scale.rows)]).execute()


def _rubrics(scale: Scale, rubric_id: str, users: dict[Role, User]) -> None:
    source = registries().rubrics[rubric_id]
    # Enough versions that the large council holds 1.5 times the small one's, over the seven
    # shipped rubrics' first versions.
    for i in range(4 * scale.factor):
        changed = dataclasses.replace(source.rubric, version_notes=f"Revision {i + 1}")
        rubric_versions.publish(changed, source="test", actor=users[Role.QUALITY_LEAD])
    latest = rubric_versions.latest_version(rubric_id)
    for i in range(scale.factor):
        rubric_drafts.draft_from_version(rubric_id, latest.number,
                                         author=users[Role.QUALITY_LEAD])
        rubric_drafts.new_draft(f"new_rubric_{i + 1}", "A new rubric", "Practice",
                                author=users[Role.QUALITY_LEAD])
