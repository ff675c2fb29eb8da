"""Moderation (a blind second audit, the random-share setting, adjudication) and learning
(practice themes, tagged audits, shared exemplars) (issue 6).

A moderation audit points at the audit it moderates (``audit.moderates_id``).
"""
from peewee import *


def up(migrator, db):
    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class Audit(Model):
        class Meta:
            database = db
            table_name = 'audit'

    class ModerationSetting(Model):
        share_percent = IntegerField()
        seed = CharField()
        created_at = DateTimeField()
        created_by = CharField()

        class Meta:
            database = db
            table_name = 'moderation_setting'

    class Moderation(Model):
        public_id = CharField(unique=True)
        audit = ForeignKeyField(Audit, unique=True, on_delete='CASCADE')
        period = CharField(index=True)
        source = CharField()
        reason = TextField()
        picked_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        picked_at = DateTimeField()
        moderator = ForeignKeyField(User, null=True, on_delete='SET NULL')
        moderation_audit = ForeignKeyField(Audit, null=True, unique=True, on_delete='SET NULL')
        assigned_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        assigned_at = DateTimeField(null=True)
        agreed_grade = CharField(null=True)
        agreed_domains = TextField(null=True)
        note = TextField(null=True)
        adjudicated_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        adjudicated_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'moderation'

    class PracticeTheme(Model):
        name = CharField()
        name_key = CharField(unique=True)
        description = TextField(default='')
        controlled = BooleanField(default=True)
        retired_at = DateTimeField(null=True)
        created_by = CharField()
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'practice_theme'

    class AuditTheme(Model):
        audit = ForeignKeyField(Audit, on_delete='CASCADE')
        theme = ForeignKeyField(PracticeTheme, on_delete='CASCADE')
        tagged_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        tagged_at = DateTimeField()

        class Meta:
            database = db
            table_name = 'audit_theme'
            indexes = ((('audit', 'theme'), True),)

    class Exemplar(Model):
        public_id = CharField(unique=True)
        audit = ForeignKeyField(Audit, on_delete='CASCADE')
        title = CharField()
        criterion = CharField(default='')
        excerpt = TextField()
        shared_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        shared_at = DateTimeField(index=True)
        withdrawn_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = 'exemplar'

    db.create_tables([ModerationSetting, Moderation, PracticeTheme, AuditTheme, Exemplar])
    migrator.migrate(
        migrator.add_column('audit', 'moderates_id', ForeignKeyField(
            Audit, null=True, field=Audit.id, on_delete='SET NULL')),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('audit', 'moderates_id'),
        migrator.drop_table('exemplar'),
        migrator.drop_table('audit_theme'),
        migrator.drop_table('practice_theme'),
        migrator.drop_table('moderation'),
        migrator.drop_table('moderation_setting'),
    )
