"""Initial schema: organisation, staff, users, cases, imports and the audit trail.

Generated with ``python -m playhouse.migrations ... initial`` and frozen: the
models here are deliberately independent of ``audit_service.storage.models``.
Python-side defaults (timestamps, public ids) live in the application models.
"""
from peewee import *


def up(migrator, db):
    class Service(Model):
        name = CharField(unique=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'service'
    db.create_tables([Service])

    class Team(Model):
        name = CharField(unique=True)
        service = ForeignKeyField(Service, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'team'
    db.create_tables([Team])

    class Staff(Model):
        name = CharField()
        name_key = CharField(unique=True)
        staff_role = CharField(default='social_worker')
        team = ForeignKeyField(Team, null=True, on_delete='SET NULL')
        line_manager = ForeignKeyField('self', null=True, on_delete='SET NULL')
        employment_type = CharField(default='permanent')
        started_on = DateField(null=True)
        left_on = DateField(null=True)
        email = CharField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'staff'
    db.create_tables([Staff])

    class User(Model):
        username = CharField(unique=True)
        display_name = CharField()
        email = CharField(null=True)
        password_hash = CharField(null=True)
        role = CharField(index=True)
        staff = ForeignKeyField(Staff, unique=True, null=True, on_delete='SET NULL')
        is_active = BooleanField(default=True)
        created_at = DateTimeField()
        last_login_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class ApiToken(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        name = CharField()
        token_hash = CharField(unique=True)
        prefix = CharField()
        created_at = DateTimeField()
        last_used_at = DateTimeField(null=True)
        revoked_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'api_token'
    db.create_tables([ApiToken])

    class ImportBatch(Model):
        public_id = CharField(unique=True)
        source_name = CharField()
        importer = CharField()
        sha256 = CharField(index=True)
        full_import = BooleanField(default=True)
        status = CharField(default='running')
        started_at = DateTimeField()
        finished_at = DateTimeField(null=True)
        uploaded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        rows_read = IntegerField(default=0)
        created_count = IntegerField(default=0)
        updated_count = IntegerField(default=0)
        unchanged_count = IntegerField(default=0)
        closed_count = IntegerField(default=0)
        rejected_count = IntegerField(default=0)
        error = TextField(null=True)
        class Meta:
            database = db
            table_name = 'import_batch'
    db.create_tables([ImportBatch])

    class Case(Model):
        public_id = CharField(unique=True)
        child_id = CharField(unique=True)
        case_type = CharField()
        status = CharField(default='open')
        team = ForeignKeyField(Team, null=True, on_delete='SET NULL')
        worker = ForeignKeyField(Staff, null=True, on_delete='SET NULL')
        opened_on = DateField(null=True)
        closed_on = DateField(null=True)
        closure_reason = CharField(null=True)
        age_band = CharField(null=True)
        last_seen_on = DateField(null=True)
        seen_alone = BooleanField(null=True)
        referrals_12m = IntegerField(null=True)
        previous_cp_plans = IntegerField(null=True)
        placements_12m = IntegerField(null=True)
        facts_hash = CharField()
        last_batch = ForeignKeyField(ImportBatch, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'case'
            indexes = ((('status', 'case_type'), False), (('team', 'status'), False))
    db.create_tables([Case])

    class Event(Model):
        occurred_at = DateTimeField(index=True)
        actor = ForeignKeyField(User, null=True)
        actor_label = CharField()
        action = CharField(index=True)
        object_type = CharField(null=True)
        object_id = CharField(null=True)
        before = TextField(null=True)
        after = TextField(null=True)
        remote_addr = CharField(null=True)
        class Meta:
            database = db
            table_name = 'event'
            indexes = ((('object_type', 'object_id'), False),)
    db.create_tables([Event])

    class RejectedRow(Model):
        batch = ForeignKeyField(ImportBatch, on_delete='CASCADE')
        sheet = CharField()
        row = IntegerField()
        column = CharField()
        value = TextField()
        reason = TextField()
        class Meta:
            database = db
            table_name = 'rejected_row'
    db.create_tables([RejectedRow])

    if isinstance(db, PostgresqlDatabase):
        # The audit trail is append-only: refuse UPDATE and DELETE at the database.
        db.execute_sql(APPEND_ONLY_FUNCTION)
        db.execute_sql(APPEND_ONLY_TRIGGER)


APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail (table event) is append-only: %% refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""

APPEND_ONLY_TRIGGER = """
CREATE TRIGGER event_append_only
BEFORE UPDATE OR DELETE ON event
FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()
"""


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS event_append_only ON event")
        db.execute_sql("DROP FUNCTION IF EXISTS audit_event_append_only()")
    migrator.migrate(migrator.drop_table('rejected_row'))
    migrator.migrate(migrator.drop_table('event'))
    migrator.migrate(migrator.drop_table('case'))
    migrator.migrate(migrator.drop_table('import_batch'))
    migrator.migrate(migrator.drop_table('api_token'))
    migrator.migrate(migrator.drop_table('user'))
    migrator.migrate(migrator.drop_table('staff'))
    migrator.migrate(migrator.drop_table('team'))
    migrator.migrate(migrator.drop_table('service'))
