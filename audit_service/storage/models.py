"""The peewee models: the schema every other layer reads and writes.

Migrations in ``migrations/`` must produce exactly this schema; a test checks
that with ``playhouse.schema_diff`` on SQLite and PostgreSQL. Change a model
only together with a new numbered migration.
"""

from __future__ import annotations

import datetime as dt
import uuid

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from audit_service.domain.vocabulary import CaseStatus, EmploymentType, StaffRole
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


class ApiToken(BaseModel):
    """A bearer token for API clients. Only a SHA-256 of the secret is stored."""

    user = ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    name = CharField()
    token_hash = CharField(unique=True)
    prefix = CharField()
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)
    revoked_at = DateTimeField(null=True)


class ImportBatch(BaseModel):
    public_id = CharField(unique=True, default=new_public_id)
    source_name = CharField()
    importer = CharField()
    sha256 = CharField(index=True)
    full_import = BooleanField(default=True)
    status = CharField(default="running")
    started_at = DateTimeField(default=utcnow)
    finished_at = DateTimeField(null=True)
    uploaded_by = ForeignKeyField(User, backref="imports", null=True, on_delete="SET NULL")
    rows_read = IntegerField(default=0)
    created_count = IntegerField(default=0)
    updated_count = IntegerField(default=0)
    unchanged_count = IntegerField(default=0)
    closed_count = IntegerField(default=0)
    rejected_count = IntegerField(default=0)
    error = TextField(null=True)


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
    # Hash of the imported facts: a re-import of identical facts touches nothing.
    facts_hash = CharField()
    last_batch = ForeignKeyField(ImportBatch, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("status", "case_type"), False),
            (("team", "status"), False),
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


ALL_MODELS: tuple[type[BaseModel], ...] = (
    Service,
    Team,
    Staff,
    User,
    ApiToken,
    ImportBatch,
    RejectedRow,
    Case,
    Event,
    RubricDefinition,
    RubricVersion,
)
