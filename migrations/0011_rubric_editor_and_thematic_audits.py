"""Rubric drafts and assignments, thematic audits and their cases (issue 6).

An audit of a thematic case points at it (``audit.thematic_case_id``, unique:
one audit per drawn case, however often it is opened).
"""
from peewee import *


def up(migrator, db):
    class Service(Model):
        class Meta:
            database = db
            table_name = 'service'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Case(Model):
        class Meta:
            database = db
            table_name = 'case'

    class RubricDefinition(Model):
        class Meta:
            database = db
            table_name = 'rubric_definition'

    class RubricVersion(Model):
        class Meta:
            database = db
            table_name = 'rubric_version'

    class RubricDraft(Model):
        public_id = CharField(unique=True)
        rubric_id = CharField(index=True)
        document = TextField()
        base_version = ForeignKeyField(RubricVersion, null=True, on_delete='SET NULL')
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        version = IntegerField(default=1)

        class Meta:
            database = db
            table_name = 'rubric_draft'

    class RubricAssignment(Model):
        rubric = ForeignKeyField(RubricDefinition, on_delete='CASCADE')
        service = ForeignKeyField(Service, null=True, on_delete='CASCADE')
        case_types = TextField()
        created_at = DateTimeField()
        created_by = CharField()

        class Meta:
            database = db
            table_name = 'rubric_assignment'

    class ThematicAudit(Model):
        public_id = CharField(unique=True)
        title = CharField()
        filters = TextField()
        status = CharField(default='defined')
        sample_size = IntegerField(null=True)
        strategy = CharField(null=True)
        seed = CharField(null=True)
        cohort_size = IntegerField(null=True)
        rubric_versions = TextField(null=True)
        created_by = ForeignKeyField(User)
        created_at = DateTimeField()
        drawn_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'thematic_audit'

    class ThematicCase(Model):
        thematic = ForeignKeyField(ThematicAudit, on_delete='CASCADE')
        case = ForeignKeyField(Case)
        position = IntegerField()
        reason = TextField()
        auditor = ForeignKeyField(User, null=True, on_delete='SET NULL')

        class Meta:
            database = db
            table_name = 'thematic_case'
            indexes = ((('thematic', 'case'), True),)

    db.create_tables([RubricDraft, RubricAssignment, ThematicAudit, ThematicCase])
    migrator.migrate(
        migrator.add_column('audit', 'thematic_case_id', ForeignKeyField(
            ThematicCase, null=True, unique=True, field=ThematicCase.id, on_delete='SET NULL')),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('audit', 'thematic_case_id'),
        migrator.drop_table('thematic_case'),
        migrator.drop_table('thematic_audit'),
        migrator.drop_table('rubric_assignment'),
        migrator.drop_table('rubric_draft'),
    )
