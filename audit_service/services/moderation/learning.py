"""Learning from audits: practice themes over time, and shared excerpts of good practice.

Quality leads keep a controlled list of themes ("neglect", "drift"...) and may
add free themes while tagging. Exemplars are excerpts of evidence, checked free
of child identifiers before anyone else can read them; they are shown without
any link to the case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from peewee import fn

from audit_service.domain.audits import CriterionKey, FieldError
from audit_service.domain.moderation.exemplars import candidate_tokens, identifier_problems
from audit_service.domain.months import Month, months_between
from audit_service.domain.names import clean_text, name_key
from audit_service.domain.rubrics import CriterionType
from audit_service.domain.vocabulary import AuditStatus
from audit_service.services.audits.access import BLIND_MESSAGE, MODERATION, blinded_ids
from audit_service.services.audits.lifecycle import load_state
from audit_service.services.errors import Blinded, NotFound
from audit_service.services.moderation.periods import span_bounds
from audit_service.services.moderation.rules import InvalidModeration, manages
from audit_service.services.moderation.views import (
    AuditToTag,
    ExemplarView,
    LearningPage,
    TaggingPage,
    ThemeCount,
    ThemeCounts,
    ThemeView,
)
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
MAX_DESCRIPTION = 500


def _theme(theme: PracticeTheme) -> ThemeView:
    return ThemeView(theme.id, theme.name, theme.description, theme.controlled,
                     theme.retired_at is not None)


def themes(include_retired: bool = False) -> list[ThemeView]:
    """The theme list, the quality lead's own themes before the free ones."""
    query = PracticeTheme.select().order_by(PracticeTheme.controlled.desc(), PracticeTheme.name)
    if not include_retired:
        query = query.where(PracticeTheme.retired_at.is_null())
    return [_theme(theme) for theme in query]


def _theme_name(raw: str | None, field: str) -> str:
    name = clean_text(raw or "")
    if not name:
        raise InvalidModeration([FieldError(field, "Enter the theme's name")])
    if len(name) > MAX_THEME:
        raise InvalidModeration([FieldError(
            field, f"The theme's name must be {MAX_THEME} characters or fewer")])
    return name


def add_theme(user: User, raw_name: str | None, description: str | None = "",
              *, controlled: bool = True, remote_addr: str | None = None) -> ThemeView:
    """Add a theme to the list (or bring a retired one back); names are unique ignoring case."""
    name = _theme_name(raw_name, "name")
    if len((description or "").strip()) > MAX_DESCRIPTION:
        raise InvalidModeration([FieldError(
            "description", f"The description must be {MAX_DESCRIPTION} characters or fewer")])
    key = name_key(name)
    existing = PracticeTheme.get_or_none(PracticeTheme.name_key == key)
    if existing is not None:
        if existing.retired_at is None and (existing.controlled or not controlled):
            raise InvalidModeration([FieldError("name", f"There is already a theme “{name}”")])
        PracticeTheme.update(retired_at=None, controlled=existing.controlled or controlled) \
            .where(PracticeTheme.id == existing.id).execute()
        return _theme(PracticeTheme.get_by_id(existing.id))
    theme = PracticeTheme.create(name=name, name_key=key, description=(description or "").strip(),
                                 controlled=controlled, created_by=user.username)
    audit_trail.record("theme.added", actor=user, object_type="practice_theme",
                       object_id=theme.id, after={"name": name, "controlled": controlled},
                       remote_addr=remote_addr)
    return _theme(theme)


def retire_theme(user: User, theme_id: int, *, remote_addr: str | None = None) -> ThemeView:
    """Take a theme off the list; audits already tagged keep it, so history stays."""
    theme = PracticeTheme.get_or_none(PracticeTheme.id == theme_id)
    if theme is None:
        raise NotFound("There is no theme with that id.")
    PracticeTheme.update(retired_at=utcnow()).where(PracticeTheme.id == theme.id).execute()
    audit_trail.record("theme.retired", actor=user, object_type="practice_theme",
                       object_id=theme.id, after={"name": theme.name}, remote_addr=remote_addr)
    return _theme(PracticeTheme.get_by_id(theme.id))


def taggable_audit(user: User, public_id: str) -> Audit:
    """A submitted first audit ``user`` may tag and quote: not one they are moderating blind
    (the tagging page shows its evidence)."""
    audit = (Audit.select(Audit, Audit.id.in_(blinded_ids(user)).alias("blinded"))
             .where(Audit.public_id == public_id).first())  # one query, blind or not
    if audit is None or audit.status != AuditStatus.SUBMITTED or audit.kind == MODERATION:
        raise NotFound("There is no submitted audit at this address.")
    if audit.blinded:
        raise Blinded(BLIND_MESSAGE)
    return audit


def themes_of(audit: Audit) -> list[ThemeView]:
    return [_theme(theme) for theme in PracticeTheme.select().join(AuditTheme)
            .where(AuditTheme.audit == audit.id).order_by(PracticeTheme.name)]


def set_themes(user: User, audit: Audit, theme_ids: list[int], free_themes: list[str],
               *, remote_addr: str | None = None) -> list[ThemeView]:
    """Make the audit's themes exactly these (list themes by id, plus free themes by name).

    For a caller that already holds an audit it may tag; a reader goes through
    ``tag_audit``, which checks that first."""
    known = {t.id: t for t in PracticeTheme.select().where(PracticeTheme.id.in_(theme_ids))} \
        if theme_ids else {}
    unknown = [i for i in theme_ids if i not in known]
    if unknown:
        raise InvalidModeration([FieldError("themes", "Select themes from the list")])
    chosen = {theme_id: theme.name for theme_id, theme in known.items()}
    with database.atomic():
        for raw in free_themes:
            if not clean_text(raw or ""):
                continue
            name = _theme_name(raw, "free_theme")
            theme = PracticeTheme.get_or_none(PracticeTheme.name_key == name_key(name))
            if theme is None:
                theme = add_theme(user, name, controlled=False, remote_addr=remote_addr)
            chosen[theme.id] = theme.name
        before = sorted(t.name for t in themes_of(audit))
        AuditTheme.delete().where(AuditTheme.audit == audit.id).execute()
        if chosen:
            AuditTheme.insert_many([{"audit": audit.id, "theme": t, "tagged_by": user.id,
                                     "tagged_at": utcnow()} for t in chosen]).execute()
        after = sorted(chosen.values())
        if before != after:
            audit_trail.record("audit.themes_set", actor=user, object_type="audit",
                               object_id=audit.public_id, before={"themes": before},
                               after={"themes": after}, remote_addr=remote_addr)
    return themes_of(audit)


def tag_audit(user: User, public_id: str, theme_ids: list[int], free_themes: list[str],
              *, remote_addr: str | None = None) -> list[ThemeView]:
    """Make a submitted audit's themes exactly these, unless ``user`` may not tag it."""
    return set_themes(user, taggable_audit(user, public_id), theme_ids, free_themes,
                      remote_addr=remote_addr)


def tagging_page(user: User, public_id: str,
                 types: Mapping[str, CriterionType]) -> TaggingPage:
    """A submitted audit to tag and quote from, with the evidence it records."""
    audit = taggable_audit(user, public_id)
    state = load_state(audit, types)
    evidence = []
    for pinned in state.pinned:
        for number, criterion in enumerate(pinned.rubric.criteria, start=1):
            answer = state.answers.get(CriterionKey(pinned.rubric.id, criterion.id))
            if answer and answer.evidence:
                evidence.append((f"{pinned.rubric.title} {number}: {criterion.prompt}",
                                 answer.evidence))
    case = Case.get_by_id(audit.case_id)
    return TaggingPage(audit.public_id, case.case_type, audit.submitted_at, themes(),
                       themes_of(audit), evidence)


def theme_counts(period_from: str, period_to: str) -> ThemeCounts:
    """Tagged audits per theme per month of submission (one query)."""
    start, end = span_bounds(period_from, period_to)
    months = [str(m) for m in months_between(Month.parse(period_from), Month.parse(period_to))]
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    query = (AuditTheme.select(PracticeTheme.name, Audit.submitted_at)
             .join(PracticeTheme).switch(AuditTheme).join(Audit)
             .where((Audit.submitted_at >= start) & (Audit.submitted_at < end)))
    for row in query.tuples():
        name, submitted_at = row
        month = str(Month.of(submitted_at))
        counts[name][month] = counts[name].get(month, 0) + 1
    rows = [ThemeCount(name, {m: per_month.get(m, 0) for m in months}, sum(per_month.values()))
            for name, per_month in counts.items()]
    rows.sort(key=lambda r: (-r.total, r.theme))
    return ThemeCounts(months, rows)


# --- exemplars -------------------------------------------------------------------------


def excerpt_problems(audit: Audit, excerpt: str) -> list[str]:
    """Plain-words reasons the excerpt may not be shared (empty when it is safe)."""
    case = Case.get_by_id(audit.case_id)
    tokens = candidate_tokens(excerpt)
    known = [row.child_id for row in Case.select(Case.child_id).where(
        fn.UPPER(Case.child_id).in_([t.upper() for t in tokens]))] if tokens else []
    return [p.message for p in identifier_problems(excerpt, case.child_id, known)]


def _exemplar(exemplar: Exemplar) -> ExemplarView:
    return ExemplarView(exemplar.public_id, exemplar.title, exemplar.criterion,
                        exemplar.excerpt, exemplar.shared_at)


def share_exemplar(user: User, audit: Audit, title: str | None, criterion: str | None,
                   excerpt: str | None, *, remote_addr: str | None = None) -> Exemplar:
    """Share an excerpt of good practice after checking it carries no child identifiers.

    For a caller that already holds an audit it may quote; a reader goes through
    ``share_excerpt``, which checks that first."""
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
        raise InvalidModeration(errors, "the exemplar cannot be shared")
    exemplar = Exemplar.create(audit=audit, title=clean_title,
                               criterion=clean_text(criterion or "")[:200], excerpt=text,
                               shared_by=user)
    audit_trail.record("exemplar.shared", actor=user, object_type="exemplar",
                       object_id=exemplar.public_id,
                       after={"audit": audit.public_id, "title": clean_title},
                       remote_addr=remote_addr)
    return exemplar


def share_excerpt(user: User, public_id: str, title: str | None, criterion: str | None,
                  excerpt: str | None, *, remote_addr: str | None = None) -> ExemplarView:
    """Share an excerpt of a submitted audit, unless ``user`` may not quote it."""
    return _exemplar(share_exemplar(user, taggable_audit(user, public_id), title, criterion,
                                    excerpt, remote_addr=remote_addr))


def withdraw_exemplar(user: User, public_id: str, *, remote_addr: str | None = None) -> None:
    exemplar = Exemplar.get_or_none(Exemplar.public_id == public_id)
    if exemplar is None:
        raise NotFound("There is no exemplar with that id.")
    Exemplar.update(withdrawn_at=utcnow()).where(Exemplar.id == exemplar.id).execute()
    audit_trail.record("exemplar.withdrawn", actor=user, object_type="exemplar",
                       object_id=exemplar.public_id, remote_addr=remote_addr)


def exemplars_for(user: User, limit: int = 100) -> list[ExemplarView]:
    """Shared exemplars, newest first; none from an audit the reader is moderating blind."""
    return [_exemplar(exemplar) for exemplar in Exemplar.select()
            .where(Exemplar.withdrawn_at.is_null() & ~Exemplar.audit.in_(blinded_ids(user)))
            .order_by(Exemplar.shared_at.desc(), Exemplar.id.desc())
            .limit(limit)]


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


def learning_page(user: User) -> LearningPage:
    """The exemplars ``user`` may read; for a manager, the theme list and the newest
    submitted audits to tag, with how many themes each has."""
    exemplars = exemplars_for(user)
    if not manages(user):
        return LearningPage(False, exemplars, [], [])
    recent = recent_submitted()
    tagged = tag_counts([audit.id for audit in recent])
    return LearningPage(True, exemplars, themes(), [
        AuditToTag(audit.public_id, audit.case.child_id, audit.case.case_type,
                   audit.submitted_at, tagged.get(audit.id, 0)) for audit in recent])
