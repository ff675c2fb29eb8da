"""Learning from audits: practice themes over time, and shared excerpts of good practice.

Quality leads keep a controlled list of themes ("neglect", "drift"...) and may
add free themes while tagging. Exemplars are excerpts of evidence, checked free
of child identifiers before anyone else can read them; they are shown without
any link to the case.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from peewee import fn

from audit_service.domain.audits import FieldError
from audit_service.domain.exemplars import candidate_tokens, identifier_problems
from audit_service.domain.months import Month, months_between
from audit_service.domain.names import clean_text, name_key
from audit_service.domain.vocabulary import AuditStatus
from audit_service.services.audits.access import BLIND_MESSAGE, MODERATION, blinded_ids
from audit_service.services.errors import NotAllowed, NotFound
from audit_service.services.moderation.workflow import InvalidModeration, period_bounds
from audit_service.services.platform import audit_trail
from audit_service.storage.database import database
from audit_service.storage.models import (
    Audit,
    AuditTheme,
    Case,
    Exemplar,
    PracticeTheme,
    User,
    utcnow,
)

MAX_THEME = 80
MAX_TITLE = 150


def themes(include_retired: bool = False) -> list[PracticeTheme]:
    query = PracticeTheme.select().order_by(PracticeTheme.controlled.desc(), PracticeTheme.name)
    if not include_retired:
        query = query.where(PracticeTheme.retired_at.is_null())
    return list(query)


def _theme_name(raw: str | None, field: str) -> str:
    name = clean_text(raw or "")
    if not name:
        raise InvalidModeration([FieldError(field, "Enter the theme's name")])
    if len(name) > MAX_THEME:
        raise InvalidModeration([FieldError(
            field, f"The theme's name must be {MAX_THEME} characters or fewer")])
    return name


def add_theme(user: User, raw_name: str | None, description: str | None = "",
              *, controlled: bool = True, remote_addr: str | None = None) -> PracticeTheme:
    """Add a theme to the list (or bring a retired one back); names are unique ignoring case."""
    name = _theme_name(raw_name, "name")
    key = name_key(name)
    existing = PracticeTheme.get_or_none(PracticeTheme.name_key == key)
    if existing is not None:
        if existing.retired_at is None and (existing.controlled or not controlled):
            raise InvalidModeration([FieldError("name", f"There is already a theme “{name}”")])
        PracticeTheme.update(retired_at=None, controlled=existing.controlled or controlled) \
            .where(PracticeTheme.id == existing.id).execute()
        return PracticeTheme.get_by_id(existing.id)
    theme = PracticeTheme.create(name=name, name_key=key, description=(description or "").strip(),
                                 controlled=controlled, created_by=user.username)
    audit_trail.record("theme.added", actor=user, object_type="practice_theme",
                       object_id=theme.id, after={"name": name, "controlled": controlled},
                       remote_addr=remote_addr)
    return theme


def retire_theme(user: User, theme_id: int, *, remote_addr: str | None = None) -> None:
    """Take a theme off the list; audits already tagged keep it, so history stays."""
    theme = PracticeTheme.get_or_none(PracticeTheme.id == theme_id)
    if theme is None:
        raise NotFound("There is no theme with that id.")
    PracticeTheme.update(retired_at=utcnow()).where(PracticeTheme.id == theme.id).execute()
    audit_trail.record("theme.retired", actor=user, object_type="practice_theme",
                       object_id=theme.id, after={"name": theme.name}, remote_addr=remote_addr)


def taggable_audit(user: User, public_id: str) -> Audit:
    """A submitted first audit ``user`` may tag and quote: not one they are moderating blind
    (the tagging page shows its evidence)."""
    audit = (Audit.select(Audit, Audit.id.in_(blinded_ids(user)).alias("blinded"))
             .where(Audit.public_id == public_id).first())  # one query, blind or not
    if audit is None or audit.status != AuditStatus.SUBMITTED or audit.kind == MODERATION:
        raise NotFound("There is no submitted audit at this address.")
    if audit.blinded:
        raise NotAllowed(BLIND_MESSAGE)
    return audit


def themes_of(audit: Audit) -> list[PracticeTheme]:
    return list(PracticeTheme.select().join(AuditTheme)
                .where(AuditTheme.audit == audit.id).order_by(PracticeTheme.name))


def set_themes(user: User, audit: Audit, theme_ids: list[int], free_themes: list[str],
               *, remote_addr: str | None = None) -> list[PracticeTheme]:
    """Make the audit's themes exactly these (list themes by id, plus free themes by name)."""
    known = {t.id: t for t in PracticeTheme.select().where(PracticeTheme.id.in_(theme_ids))} \
        if theme_ids else {}
    unknown = [i for i in theme_ids if i not in known]
    if unknown:
        raise InvalidModeration([FieldError("themes", "Select themes from the list")])
    chosen = dict(known)
    with database.atomic():
        for raw in free_themes:
            if not clean_text(raw or ""):
                continue
            name = _theme_name(raw, "free_theme")
            theme = PracticeTheme.get_or_none(PracticeTheme.name_key == name_key(name))
            if theme is None:
                theme = add_theme(user, name, controlled=False, remote_addr=remote_addr)
            chosen[theme.id] = theme
        before = sorted(t.name for t in themes_of(audit))
        AuditTheme.delete().where(AuditTheme.audit == audit.id).execute()
        if chosen:
            AuditTheme.insert_many([{"audit": audit.id, "theme": t, "tagged_by": user.id,
                                     "tagged_at": utcnow()} for t in chosen]).execute()
        after = sorted(t.name for t in chosen.values())
        if before != after:
            audit_trail.record("audit.themes_set", actor=user, object_type="audit",
                               object_id=audit.public_id, before={"themes": before},
                               after={"themes": after}, remote_addr=remote_addr)
    return themes_of(audit)


@dataclass(frozen=True)
class ThemeCounts:
    months: list[str]
    rows: list[tuple[str, list[int], int]]  # theme, count per month, total


def theme_counts(period_from: str, period_to: str) -> ThemeCounts:
    """Tagged audits per theme per month of submission (one query)."""
    start, _ = period_bounds(period_from)
    _, end = period_bounds(period_to)
    if start >= end:
        raise InvalidModeration([FieldError(
            "period_from", "The first month must be the same as or before the last month")])
    months = [str(m) for m in months_between(Month.of(start), Month.of(end).previous())]
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    query = (AuditTheme.select(PracticeTheme.name, Audit.submitted_at)
             .join(PracticeTheme).switch(AuditTheme).join(Audit)
             .where((Audit.submitted_at >= start) & (Audit.submitted_at < end)))
    for row in query.tuples():
        name, submitted_at = row
        month = str(Month.of(submitted_at))
        counts[name][month] = counts[name].get(month, 0) + 1
    rows = [(name, [per_month.get(m, 0) for m in months], sum(per_month.values()))
            for name, per_month in counts.items()]
    rows.sort(key=lambda r: (-r[2], r[0]))
    return ThemeCounts(months, rows)


# --- exemplars -------------------------------------------------------------------------


def excerpt_problems(audit: Audit, excerpt: str) -> list[str]:
    """Plain-words reasons the excerpt may not be shared (empty when it is safe)."""
    case = Case.get_by_id(audit.case_id)
    tokens = candidate_tokens(excerpt)
    known = [row.child_id for row in Case.select(Case.child_id).where(
        fn.UPPER(Case.child_id).in_([t.upper() for t in tokens]))] if tokens else []
    return [p.message for p in identifier_problems(excerpt, case.child_id, known)]


def share_exemplar(user: User, audit: Audit, title: str | None, criterion: str | None,
                   excerpt: str | None, *, remote_addr: str | None = None) -> Exemplar:
    """Share an excerpt of good practice after checking it carries no child identifiers."""
    errors = []
    clean_title = clean_text(title or "")
    if not clean_title:
        errors.append(FieldError("title", "Enter a short title for the exemplar"))
    elif len(clean_title) > MAX_TITLE:
        errors.append(FieldError("title", f"The title must be {MAX_TITLE} characters or fewer"))
    text = (excerpt or "").replace("\r\n", "\n").strip()
    errors += [FieldError("excerpt", message) for message in excerpt_problems(audit, text)]
    errors += [FieldError("title", message) for message in excerpt_problems(audit, clean_title)
               if clean_title and "Enter" not in message]
    if errors:
        raise InvalidModeration(errors)
    exemplar = Exemplar.create(audit=audit, title=clean_title,
                               criterion=clean_text(criterion or "")[:200], excerpt=text,
                               shared_by=user)
    audit_trail.record("exemplar.shared", actor=user, object_type="exemplar",
                       object_id=exemplar.public_id,
                       after={"audit": audit.public_id, "title": clean_title},
                       remote_addr=remote_addr)
    return exemplar


def withdraw_exemplar(user: User, public_id: str, *, remote_addr: str | None = None) -> None:
    exemplar = Exemplar.get_or_none(Exemplar.public_id == public_id)
    if exemplar is None:
        raise NotFound("There is no exemplar with that id.")
    Exemplar.update(withdrawn_at=utcnow()).where(Exemplar.id == exemplar.id).execute()
    audit_trail.record("exemplar.withdrawn", actor=user, object_type="exemplar",
                       object_id=exemplar.public_id, remote_addr=remote_addr)


def exemplars_for(user: User, limit: int = 100) -> list[Exemplar]:
    """Shared exemplars, newest first; none from an audit the reader is moderating blind."""
    return list(Exemplar.select()
                .where(Exemplar.withdrawn_at.is_null()
                       & ~Exemplar.audit.in_(blinded_ids(user)))
                .order_by(Exemplar.shared_at.desc(), Exemplar.id.desc())
                .limit(limit))


def recent_submitted(limit: int = 25) -> list[Audit]:
    return list(Audit.select(Audit, Case).join(Case)
                .where((Audit.status == AuditStatus.SUBMITTED) & (Audit.kind != MODERATION))
                .order_by(Audit.submitted_at.desc()).limit(limit))


def tag_counts(audit_ids: list[int]) -> dict[int, int]:
    if not audit_ids:
        return {}
    rows = (AuditTheme.select(AuditTheme.audit, fn.COUNT(AuditTheme.id).alias("n"))
            .where(AuditTheme.audit.in_(audit_ids)).group_by(AuditTheme.audit))
    return {r.audit_id: r.n for r in rows}

