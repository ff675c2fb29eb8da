"""Rubric definitions and their immutable published versions."""
from peewee import *


def up(migrator, db):
    class RubricDefinition(Model):
        rubric_id = CharField(unique=True)
        title = CharField()
        domain = CharField()
        created_at = DateTimeField()
        retired_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'rubric_definition'

    class RubricVersion(Model):
        rubric = ForeignKeyField(RubricDefinition)
        number = IntegerField()
        content_hash = CharField(index=True)
        document = TextField()
        title = CharField()
        version_notes = TextField(default='')
        source = CharField()
        created_at = DateTimeField()
        created_by = CharField()

        class Meta:
            database = db
            table_name = 'rubric_version'
            indexes = ((('rubric', 'number'), True),)

    db.create_tables([RubricDefinition, RubricVersion])

    if isinstance(db, PostgresqlDatabase):
        # A published version never changes under the audits scored with it.
        db.execute_sql(IMMUTABLE_FUNCTION)
        db.execute_sql(IMMUTABLE_TRIGGER)


IMMUTABLE_FUNCTION = """
CREATE OR REPLACE FUNCTION rubric_version_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'published rubric versions are immutable: %% refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""

IMMUTABLE_TRIGGER = """
CREATE TRIGGER rubric_version_immutable
BEFORE UPDATE OR DELETE ON rubric_version
FOR EACH ROW EXECUTE FUNCTION rubric_version_immutable()
"""


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS rubric_version_immutable ON rubric_version")
        db.execute_sql("DROP FUNCTION IF EXISTS rubric_version_immutable()")
    migrator.migrate(migrator.drop_table('rubric_version'))
    migrator.migrate(migrator.drop_table('rubric_definition'))
