"""The peewee models: the schema every other layer reads and writes.

Migrations in ``migrations/`` must produce exactly this schema; a test checks
that with ``playhouse.schema_diff`` on SQLite and PostgreSQL. Change a model
only together with a new numbered migration.
"""

from __future__ import annotations

import datetime as dt
import uuid

from peewee import (
    BlobField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    DeferredForeignKey,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from audit_service.domain.vocabulary import (
    AuditKind,
    AuditStatus,
    CaseStatus,
    EmploymentType,
    ImportStatus,
    Pool,
    RoundStatus,
    StaffRole,
    ThematicStatus,
)
from audit_service.storage.database import database
from audit_service.storage.fields import JSONTextField


def utcnow() -> dt.datetime:
    """Naive UTC: both databases store it the same way, and display converts it."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_public_id() -> str:
    """Opaque identifiers for URLs, so no sequential id or case reference is exposed."""
    return uuid.uuid4().hex


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Service(BaseModel):
    name = CharField(unique=True)
    created_at = DateTimeField(default=utcnow)


class Team(BaseModel):
    name = CharField(unique=True)
    service = ForeignKeyField(Service, backref="teams", null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)


class Staff(BaseModel):
    """A member of staff, whether or not they have a login."""

    name = CharField()
    # Casefolded name with whitespace (including NBSP) collapsed: how imports match
    # free-text ``Allocated Worker`` values to people.
    name_key = CharField(unique=True)
    staff_role = CharField(default=StaffRole.SOCIAL_WORKER.value)
    team = ForeignKeyField(Team, backref="staff", null=True, on_delete="SET NULL")
    line_manager = ForeignKeyField("self", backref="reports", null=True, on_delete="SET NULL")
    employment_type = CharField(default=EmploymentType.PERMANENT.value)
    started_on = DateField(null=True)
    left_on = DateField(null=True)
    email = CharField(null=True)
    #: Social Work England registration number (``domain.social_work_england``).
    swe_number = CharField(null=True, unique=True)
    created_at = DateTimeField(default=utcnow)


class User(BaseModel):
    username = CharField(unique=True)
    display_name = CharField()
    email = CharField(null=True)
    password_hash = CharField(null=True)
    role = CharField(index=True)
    staff = ForeignKeyField(Staff, backref="users", null=True, unique=True, on_delete="SET NULL")
    is_active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    last_login_at = DateTimeField(null=True)
    #: ``<issuer> <sub>`` for someone who signs in through the council's OpenID provider.
    oidc_subject = CharField(null=True, unique=True)
    #: Set by an administrator's reset: the next sign-in must choose a new password.
    must_change_password = BooleanField(default=False)
    #: The authenticator app's shared secret (base32) once the person has proved their app.
    totp_secret = CharField(null=True)
    #: The 30-second step of the last code accepted: no code is accepted twice.
    totp_last_step = IntegerField(null=True)
    #: Reads audits and case lists though the role does not (administrators and senior
    #: leaders only: ``domain.accounts.case_reading``).
    case_reader = BooleanField(default=False)


class ApiToken(BaseModel):
    """A bearer token for API clients. Only a SHA-256 of the secret is stored."""

    user = ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    name = CharField()
    token_hash = CharField(unique=True)
    prefix = CharField()
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)
    expires_at = DateTimeField(null=True)
    #: A read-only token may only read (GET and HEAD).
    read_only = BooleanField(default=False)


class RecoveryCode(BaseModel):
    """A single-use code for signing in without the authenticator app; only its hash."""

    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE", index=True)
    code_hash = CharField(unique=True)
    created_at = DateTimeField(default=utcnow)
    used_at = DateTimeField(null=True)


class ImportBatch(BaseModel):
    public_id = CharField(unique=True, default=new_public_id)
    source_name = CharField()
    importer = CharField()
    sha256 = CharField(index=True)
    full_import = BooleanField(default=True)
    status = CharField(default=ImportStatus.RUNNING)
    started_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)
    uploaded_by = ForeignKeyField(User, backref="imports", null=True, on_delete="SET NULL")
    rows_read = IntegerField(default=0)
    created_count = IntegerField(default=0)
    updated_count = IntegerField(default=0)
    unchanged_count = IntegerField(default=0)
    closed_count = IntegerField(default=0)
    rejected_count = IntegerField(default=0)
    #: Rows not imported (rows_read = rows imported + rows_refused).
    rows_refused = IntegerField(default=0)
    #: Values dropped from rows imported without them.
    warning_count = IntegerField(default=0)
    error = TextField(null=True)
    #: The lists read in full, as [{"sheet": ..., "case_type": ...}]; None when the
    #: importer does not say (a full file then speaks for every case type).
    lists_read = JSONTextField(null=True)
    #: The uploaded file while it waits for a person to confirm its closures; cleared once
    #: it is imported or cancelled.
    pending_file = BlobField(null=True)
    #: What the import would do, shown on the confirmation page.
    preview = JSONTextField(null=True)
    # A queued (background) import: rows read so far, about how many the file holds, and when
    # a runner claimed it (migration 0023).
    progress_rows = IntegerField(default=0)
    progress_total = IntegerField(null=True)
    claimed_at = DateTimeField(null=True)


class RejectedRow(BaseModel):
    batch = ForeignKeyField(ImportBatch, backref="rejected_rows", on_delete="CASCADE")
    sheet = CharField()
    row = IntegerField()
    column = CharField()
    value = TextField()
    reason = TextField()


class Case(BaseModel):
    """A child's case file as known from the case system. No names, no dates of birth."""

    public_id = CharField(unique=True, default=new_public_id)
    child_id = CharField(unique=True)
    case_type = CharField()
    status = CharField(default=CaseStatus.OPEN.value)
    team = ForeignKeyField(Team, backref="cases", null=True, on_delete="SET NULL")
    worker = ForeignKeyField(Staff, backref="cases", null=True, on_delete="SET NULL")
    opened_on = DateField(null=True)
    closed_on = DateField(null=True)
    closure_reason = CharField(null=True)
    age_band = CharField(null=True)
    last_seen_on = DateField(null=True)
    seen_alone = BooleanField(null=True)
    referrals_12m = IntegerField(null=True)
    previous_cp_plans = IntegerField(null=True)
    placements_12m = IntegerField(null=True)
    # Facts the statutory returns add (CIN census, SSDA903): never set by the caseload import,
    # so each source keeps its own; the names are ``ENRICHED_FACTS`` in domain/imports.
    referral_on = DateField(null=True)
    assessment_started_on = DateField(null=True)
    assessment_authorised_on = DateField(null=True)
    assessment_factors = CharField(null=True)
    s47_started_on = DateField(null=True)
    cp_plan_started_on = DateField(null=True)
    cp_category = CharField(null=True)
    cin_previous_cp_plans = IntegerField(null=True)
    lac_placements_12m = IntegerField(null=True)
    legal_status = CharField(null=True)
    last_review_on = DateField(null=True)
    missing_12m = IntegerField(null=True)
    sw_changes_12m = IntegerField(null=True)
    # Hash of the imported facts: a re-import of identical facts touches nothing.
    facts_hash = CharField()
    last_batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("status", "case_type"), False),
            (("team", "status"), False),
            (("worker", "status"), False),  # caseload bands (migration 0010)
        )


class Event(BaseModel):
    """The append-only audit trail. Nothing updates or deletes a row here.

    On PostgreSQL a trigger (migration 0001) refuses UPDATE and DELETE.
    """

    occurred_at = DateTimeField(default=utcnow, index=True)
    actor = ForeignKeyField(User, null=True)
    actor_label = CharField()
    action = CharField(index=True)
    object_type = CharField(null=True)
    object_id = CharField(null=True)
    before = JSONTextField(null=True)
    after = JSONTextField(null=True)
    remote_addr = CharField(null=True)

    class Meta:
        indexes = ((("object_type", "object_id"), False),)


class UserSession(BaseModel):
    """One browser sign-in. The cookie carries a random id; only its SHA-256 is stored here.

    A row ends (``ended_at``) at sign-out, on a timeout, or when its user is
    disabled; an ended row never signs anyone in again, so a copied cookie is worthless.
    """

    session_hash = CharField(unique=True)
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)
    ended_at = DateTimeField(null=True)
    ended_reason = CharField(null=True)
    remote_addr = CharField(null=True)
    user_agent = CharField(null=True)

    class Meta:
        indexes = ((("user", "ended_at"), False),)


class RubricDefinition(BaseModel):
    """A rubric's identity across versions; retiring it keeps every version readable."""

    rubric_id = CharField(unique=True)
    title = CharField()
    domain = CharField()
    created_at = DateTimeField(default=utcnow)
    retired_at = DateTimeField(null=True)


class RubricVersion(BaseModel):
    """One published, immutable version of a rubric. Audits pin the version they used.

    Nothing updates a row here: a change is a new version. On PostgreSQL a trigger
    (migration 0002) refuses UPDATE and DELETE.
    """

    rubric = ForeignKeyField(RubricDefinition, backref="versions")
    number = IntegerField()
    content_hash = CharField(index=True)
    document = JSONTextField()
    title = CharField()
    version_notes = TextField(default="")
    source = CharField()
    created_at = DateTimeField(default=utcnow)
    created_by = CharField()

    class Meta:
        indexes = ((("rubric", "number"), True),)


# --- Sampling and scheduling (issue 4) ---------------------------------------------------


class SamplingPolicy(BaseModel):
    """One version of the sampling policy for a scope: the council, a service or a team.

    ``scope`` is "council", "service:<id>" or "team:<id>" (NULL-free, so the unique
    index on (scope, version) holds on both databases). The newest version of the most
    specific scope applies: team over service over council.
    """

    scope = CharField()
    service = ForeignKeyField(Service, null=True, on_delete="CASCADE")
    team = ForeignKeyField(Team, null=True, on_delete="CASCADE")
    version = IntegerField()
    cases_per_supervisor = IntegerField(default=2)
    case_types = JSONTextField()
    strategy = CharField(default="simple_random")
    strategy_options = JSONTextField(null=True)
    exclusion_months = IntegerField(default=12)
    independence = CharField(default="own_team")
    # Which effective grades bring a case back, and after how long (migration 0013).
    reaudit_grades = JSONTextField(default=lambda: ["requires_improvement", "inadequate"])
    reaudit_after_months = IntegerField(default=3)
    draw_mode = CharField(default="automatic")
    due_working_days = IntegerField(default=15)
    # Dip samples beyond the open caseload (migration 0013): cases closed last month, per
    # team manager, and unallocated cases, per service manager.
    closed_cases = IntegerField(default=0)
    unallocated_cases = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)
    created_by = CharField()

    class Meta:
        indexes = ((("scope", "version"), True),)


class SamplingRound(BaseModel):
    """A supervisor's sample for one month. Exactly one per (supervisor, period)."""

    public_id = CharField(unique=True, default=new_public_id)
    supervisor = ForeignKeyField(Staff, backref="rounds")
    team = ForeignKeyField(Team, null=True, on_delete="SET NULL")
    period = CharField()
    policy = ForeignKeyField(SamplingPolicy)
    seed = CharField()
    eligible_count = IntegerField(default=0)
    status = CharField(default=RoundStatus.OPEN)
    opened_at = DateTimeField(default=utcnow)
    drawn_at = DateTimeField(null=True)
    due_on = DateField()
    reminded_at = DateTimeField(null=True)
    escalated_at = DateTimeField(null=True)
    completed_at = DateTimeField(null=True)

    class Meta:
        indexes = (
            (("supervisor", "period"), True),
            (("period", "status"), False),
        )


class RoundCase(BaseModel):
    """A case drawn into a round, with the reason it was drawn and the pool it came from.

    ``pool`` is "open" (the open caseload), "reaudit" (a case whose last audit's grade
    brings it back; ``reaudit_of`` is that audit), "closed" (closed last month) or
    "unallocated" (open with no allocated worker).
    """

    round = ForeignKeyField(SamplingRound, backref="cases", on_delete="CASCADE")
    case = ForeignKeyField(Case)
    position = IntegerField()
    reason = TextField()
    pool = CharField(default=Pool.OPEN)
    # Audit is declared below; peewee binds the deferred key when it is.
    reaudit_of = DeferredForeignKey("Audit", null=True, on_delete="SET NULL", backref="+")
    replaced_at = DateTimeField(null=True)
    replacement_reason = TextField(null=True)
    replaced_by = ForeignKeyField("self", null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("round", "case"), True),)


class JobRun(BaseModel):
    """A scheduled job claimed for a period: the unique index makes each run happen once."""

    job = CharField()
    period = CharField()
    claimed_at = DateTimeField(default=utcnow)
    claimed_by = CharField()
    finished_at = DateTimeField(null=True)
    outcome = TextField(null=True)

    class Meta:
        indexes = ((("job", "period"), True),)


class OutboxMessage(BaseModel):
    """A notification waiting to be sent; ``key`` makes each one unique, retries back off."""

    key = CharField(unique=True)
    notifier = CharField()
    recipient = ForeignKeyField(User, backref="outbox", on_delete="CASCADE")
    subject = CharField()
    body_text = TextField()
    body_html = TextField(null=True)
    link = CharField(null=True)
    created_at = DateTimeField(default=utcnow)
    attempts = IntegerField(default=0)
    next_attempt_at = DateTimeField(default=utcnow)
    sent_at = DateTimeField(null=True)
    last_error = TextField(null=True)

    class Meta:
        indexes = ((("sent_at", "next_attempt_at"), False),)


class InboxItem(BaseModel):
    """An in-app notification shown on the user's inbox page."""

    user = ForeignKeyField(User, backref="inbox", on_delete="CASCADE")
    key = CharField(unique=True)
    title = CharField()
    body = TextField()
    link = CharField(null=True)
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("user", "read_at"), False),)


# --- Rubric editor and thematic audits (issue 6) -------------------------------------------


class RubricDraft(BaseModel):
    """A rubric being edited: editable (unlike a published version) under an optimistic lock.

    ``document`` holds what the editor typed, valid or not, so nothing is lost;
    publishing validates it and creates the next immutable ``RubricVersion``.
    """

    public_id = CharField(unique=True, default=new_public_id)
    rubric_id = CharField(index=True)
    document = JSONTextField()
    base_version = ForeignKeyField(RubricVersion, null=True, on_delete="SET NULL")
    author = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    version = IntegerField(default=1)


class RubricAssignment(BaseModel):
    """Which case types (in which service, or all when NULL) a rubric is used for."""

    rubric = ForeignKeyField(RubricDefinition, backref="assignments", on_delete="CASCADE")
    service = ForeignKeyField(Service, null=True, on_delete="CASCADE")
    case_types = JSONTextField()
    created_at = DateTimeField(default=utcnow)
    created_by = CharField()


class ThematicAudit(BaseModel):
    """A quality lead's audit of a cohort: filters, a seeded sample and pinned rubrics."""

    public_id = CharField(unique=True, default=new_public_id)
    title = CharField()
    filters = JSONTextField()
    status = CharField(default=ThematicStatus.DEFINED)
    sample_size = IntegerField(null=True)
    strategy = CharField(null=True)
    seed = CharField(null=True)
    cohort_size = IntegerField(null=True)
    rubric_versions = JSONTextField(null=True)
    created_by = ForeignKeyField(User)
    created_at = DateTimeField(default=utcnow)
    drawn_at = DateTimeField(null=True)


class ThematicCase(BaseModel):
    """A case drawn into a thematic audit, why it was drawn, and who audits it."""

    thematic = ForeignKeyField(ThematicAudit, backref="cases", on_delete="CASCADE")
    case = ForeignKeyField(Case)
    position = IntegerField()
    reason = TextField()
    auditor = ForeignKeyField(User, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("thematic", "case"), True),)


# --- Audits (issue 5) ---------------------------------------------------------------------


def practice_audit(audit_model: type[Model] | None = None):
    """The condition for a submitted audit of practice (not a moderation): what summaries,
    coverage and sampling history count."""
    model = audit_model or Audit
    return (model.status == "submitted") & (model.kind != AuditKind.MODERATION.value)


class Audit(BaseModel):
    """One audit of one case by one auditor, scored against pinned rubric versions.

    ``version`` is the optimistic lock: every save is ``UPDATE ... WHERE version = ?``.
    A submitted audit is read-only.
    """

    public_id = CharField(unique=True, default=new_public_id)
    case = ForeignKeyField(Case, backref="audits")
    # Unique (migration 0006): a drawn case has one audit, however often it is opened.
    round_case = ForeignKeyField(
        RoundCase, null=True, unique=True, backref="audits", on_delete="SET NULL"
    )
    # A thematic audit's case (migration 0011); one audit per thematic case.
    thematic_case = ForeignKeyField(
        ThematicCase, null=True, unique=True, backref="audits", on_delete="SET NULL"
    )
    kind = CharField(default="monthly")
    # A moderation audit (kind "moderation", migration 0012) re-audits this audit blind.
    moderates = ForeignKeyField("self", null=True, backref="moderations", on_delete="SET NULL")
    # A re-audit (kind "reaudit", migration 0013) follows up this earlier audit of the case.
    reaudit_of = ForeignKeyField("self", null=True, backref="reaudits", on_delete="SET NULL")
    # The case's type when the audit was started: which case-type rules were in force.
    case_type = CharField(null=True)
    auditor = ForeignKeyField(User, backref="audits")
    practitioner = ForeignKeyField(Staff, null=True, on_delete="SET NULL")
    team = ForeignKeyField(Team, null=True, on_delete="SET NULL")
    status = CharField(default=AuditStatus.DRAFT)
    version = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    submitted_at = DateTimeField(null=True)
    # The auditor's grade and score (kept for audit-the-auditor figures), and the grade the
    # rules gave before any judgement of the auditor's own (migration 0013).
    overall_grade = CharField(null=True)
    overall_score = DecimalField(max_digits=5, decimal_places=2, null=True)
    calculated_grade = CharField(null=True)
    # The auditor's own overall judgement, drafted and submitted with its reason.
    judgement_grade = CharField(null=True)
    judgement_reason = TextField(null=True)
    # What summaries, escalation, re-audit, exports and the API read: the auditor's grade
    # until a moderation is adjudicated, then the agreed grade.
    effective_grade = CharField(null=True)
    effective_score = DecimalField(max_digits=5, decimal_places=2, null=True)
    result = JSONTextField(null=True)
    response = TextField(null=True)
    responded_at = DateTimeField(null=True)
    acknowledged_at = DateTimeField(null=True)

    class Meta:
        indexes = (
            (("case", "status"), False),
            (("auditor", "status"), False),
            (("team", "submitted_at"), False),
            # Summaries (migration 0010): submitted audits by date, by practitioner.
            (("status", "submitted_at"), False),
            (("practitioner", "submitted_at"), False),
        )


class AuditRubric(BaseModel):
    """A rubric version an audit is scored with, and that domain's result once submitted."""

    audit = ForeignKeyField(Audit, backref="rubrics", on_delete="CASCADE")
    rubric_version = ForeignKeyField(RubricVersion)
    position = IntegerField(default=0)
    score = DecimalField(max_digits=5, decimal_places=2, null=True)
    grade = CharField(null=True)
    explanation = JSONTextField(null=True)
    # The domain's grade after moderation (the agreed domain grade, else the auditor's).
    effective_grade = CharField(null=True)
    effective_score = DecimalField(max_digits=5, decimal_places=2, null=True)

    class Meta:
        indexes = ((("audit", "rubric_version"), True),)


class AuditRating(BaseModel):
    """One criterion's rating (or N/A with a reason) and evidence, within one audit."""

    audit = ForeignKeyField(Audit, backref="ratings", on_delete="CASCADE")
    rubric_version = ForeignKeyField(RubricVersion)
    criterion_id = CharField()
    rating = CharField(null=True)
    na_reason = TextField(null=True)
    evidence = TextField(default="")

    class Meta:
        indexes = ((("audit", "rubric_version", "criterion_id"), True),)


class AuditAction(BaseModel):
    """An action agreed after an audit, tracked by its owner to done."""

    public_id = CharField(unique=True, default=new_public_id)
    audit = ForeignKeyField(Audit, backref="actions", on_delete="CASCADE")
    description = TextField()
    owner = ForeignKeyField(User, backref="actions")
    due_on = DateField()
    status = CharField(default=RoundStatus.OPEN)
    version = IntegerField(default=1)
    created_by = ForeignKeyField(User)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)
    completed_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("owner", "status"), False),)


# --- Moderation and learning (issue 6, migration 0012) ------------------------------------


class ModerationSetting(BaseModel):
    """One version of the share of each month's audits drawn at random for moderation.

    The newest row applies; older rows stay so every past draw can be explained.
    """

    share_percent = IntegerField()
    seed = CharField()
    created_at = DateTimeField(default=utcnow)
    created_by = CharField()


class Moderation(BaseModel):
    """A submitted audit picked for moderation, its blind second audit and the agreed grade."""

    public_id = CharField(unique=True, default=new_public_id)
    audit = ForeignKeyField(Audit, unique=True, backref="moderation", on_delete="CASCADE")
    period = CharField(index=True)
    source = CharField()
    reason = TextField()
    picked_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    picked_at = DateTimeField(default=utcnow)
    moderator = ForeignKeyField(User, null=True, on_delete="SET NULL")
    moderation_audit = ForeignKeyField(Audit, null=True, unique=True, on_delete="SET NULL")
    assigned_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    assigned_at = DateTimeField(null=True)
    agreed_grade = CharField(null=True)
    agreed_domains = JSONTextField(null=True)
    note = TextField(null=True)
    adjudicated_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    adjudicated_at = DateTimeField(null=True)


class PracticeTheme(BaseModel):
    """A practice theme audits are tagged with; ``controlled`` ones are the quality lead's list."""

    name = CharField()
    name_key = CharField(unique=True)
    description = TextField(default="")
    controlled = BooleanField(default=True)
    retired_at = DateTimeField(null=True)
    created_by = CharField()
    created_at = DateTimeField(default=utcnow)


class AuditTheme(BaseModel):
    audit = ForeignKeyField(Audit, backref="themes", on_delete="CASCADE")
    theme = ForeignKeyField(PracticeTheme, backref="audits", on_delete="CASCADE")
    tagged_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    tagged_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("audit", "theme"), True),)


class Exemplar(BaseModel):
    """An excerpt of exemplary practice, checked free of child identifiers, shared to learn from."""

    public_id = CharField(unique=True, default=new_public_id)
    audit = ForeignKeyField(Audit, backref="exemplars", on_delete="CASCADE")
    title = CharField()
    criterion = CharField(default="")
    excerpt = TextField()
    shared_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    shared_at = DateTimeField(default=utcnow, index=True)
    withdrawn_at = DateTimeField(null=True)


ALL_MODELS: tuple[type[BaseModel], ...] = (
    Service,
    Team,
    Staff,
    User,
    ApiToken,
    RecoveryCode,
    ImportBatch,
    RejectedRow,
    Case,
    Event,
    UserSession,
    RubricDefinition,
    RubricVersion,
    RubricDraft,
    RubricAssignment,
    ThematicAudit,
    ThematicCase,
    SamplingPolicy,
    SamplingRound,
    RoundCase,
    JobRun,
    OutboxMessage,
    InboxItem,
    Audit,
    AuditRubric,
    AuditRating,
    AuditAction,
    ModerationSetting,
    Moderation,
    PracticeTheme,
    AuditTheme,
    Exemplar,
)
