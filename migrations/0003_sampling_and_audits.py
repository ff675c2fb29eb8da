"""Sampling policies, rounds, job claims, the notification outbox and inbox, and audits.

Generated from the schema diff and frozen; Python-side defaults live in the models.
"""
from peewee import *


def up(migrator, db):
    class Case(Model):
        class Meta:
            database = db
            table_name = 'case'

    class RubricVersion(Model):
        class Meta:
            database = db
            table_name = 'rubric_version'

    class Service(Model):
        class Meta:
            database = db
            table_name = 'service'

    class Staff(Model):
        class Meta:
            database = db
            table_name = 'staff'

    class Team(Model):
        class Meta:
            database = db
            table_name = 'team'

    class User(Model):
        class Meta:
            database = db
            table_name = 'user'

    class SamplingPolicy(Model):
        scope = CharField()
        service = ForeignKeyField(Service, null=True, on_delete='CASCADE')
        team = ForeignKeyField(Team, null=True, on_delete='CASCADE')
        version = IntegerField()
        cases_per_supervisor = IntegerField(default=2)
        case_types = TextField()
        strategy = CharField(default='simple_random')
        strategy_options = TextField(null=True)
        exclusion_months = IntegerField(default=12)
        independence = CharField(default='own_team')
        reaudit_inadequate = BooleanField(default=True)
        draw_mode = CharField(default='automatic')
        due_working_days = IntegerField(default=15)
        created_at = DateTimeField()
        created_by = CharField()
        class Meta:
            database = db
            table_name = 'sampling_policy'
            indexes = ((('scope', 'version'), True),)
    db.create_tables([SamplingPolicy])

    class SamplingRound(Model):
        public_id = CharField(unique=True)
        supervisor = ForeignKeyField(Staff)
        team = ForeignKeyField(Team, null=True, on_delete='SET NULL')
        period = CharField()
        policy = ForeignKeyField(SamplingPolicy)
        seed = CharField()
        eligible_count = IntegerField(default=0)
        status = CharField(default='open')
        opened_at = DateTimeField()
        drawn_at = DateTimeField(null=True)
        due_on = DateField()
        reminded_at = DateTimeField(null=True)
        escalated_at = DateTimeField(null=True)
        completed_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'sampling_round'
            indexes = ((('supervisor', 'period'), True), (('period', 'status'), False))
    db.create_tables([SamplingRound])

    class RoundCase(Model):
        round = ForeignKeyField(SamplingRound, on_delete='CASCADE')
        case = ForeignKeyField(Case)
        position = IntegerField()
        reason = TextField()
        replaced_at = DateTimeField(null=True)
        replacement_reason = TextField(null=True)
        replaced_by = ForeignKeyField('self', null=True, on_delete='SET NULL')
        class Meta:
            database = db
            table_name = 'round_case'
            indexes = ((('round', 'case'), True),)
    db.create_tables([RoundCase])

    class Audit(Model):
        public_id = CharField(unique=True)
        case = ForeignKeyField(Case)
        round_case = ForeignKeyField(RoundCase, null=True, on_delete='SET NULL')
        kind = CharField(default='monthly')
        auditor = ForeignKeyField(User)
        practitioner = ForeignKeyField(Staff, null=True, on_delete='SET NULL')
        team = ForeignKeyField(Team, null=True, on_delete='SET NULL')
        status = CharField(default='draft')
        version = IntegerField(default=1)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        submitted_at = DateTimeField(null=True)
        overall_grade = CharField(null=True)
        overall_score = DecimalField(null=True, max_digits=5, decimal_places=2)
        result = TextField(null=True)
        response = TextField(null=True)
        responded_at = DateTimeField(null=True)
        acknowledged_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'audit'
            indexes = ((('case', 'status'), False), (('auditor', 'status'), False), (('team', 'submitted_at'), False))
    db.create_tables([Audit])

    class AuditAction(Model):
        public_id = CharField(unique=True)
        audit = ForeignKeyField(Audit, on_delete='CASCADE')
        description = TextField()
        owner = ForeignKeyField(User)
        due_on = DateField()
        status = CharField(default='open')
        version = IntegerField(default=1)
        created_by = ForeignKeyField(User)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        completed_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'audit_action'
            indexes = ((('owner', 'status'), False),)
    db.create_tables([AuditAction])

    class AuditRating(Model):
        audit = ForeignKeyField(Audit, on_delete='CASCADE')
        rubric_version = ForeignKeyField(RubricVersion)
        criterion_id = CharField()
        rating = CharField(null=True)
        na_reason = TextField(null=True)
        evidence = TextField(default='')
        class Meta:
            database = db
            table_name = 'audit_rating'
            indexes = ((('audit', 'rubric_version', 'criterion_id'), True),)
    db.create_tables([AuditRating])

    class AuditRubric(Model):
        audit = ForeignKeyField(Audit, on_delete='CASCADE')
        rubric_version = ForeignKeyField(RubricVersion)
        position = IntegerField(default=0)
        score = DecimalField(null=True, max_digits=5, decimal_places=2)
        grade = CharField(null=True)
        explanation = TextField(null=True)
        class Meta:
            database = db
            table_name = 'audit_rubric'
            indexes = ((('audit', 'rubric_version'), True),)
    db.create_tables([AuditRubric])

    class InboxItem(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        key = CharField(unique=True)
        title = CharField()
        body = TextField()
        link = CharField(null=True)
        created_at = DateTimeField()
        read_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'inbox_item'
            indexes = ((('user', 'read_at'), False),)
    db.create_tables([InboxItem])

    class JobRun(Model):
        job = CharField()
        period = CharField()
        claimed_at = DateTimeField()
        claimed_by = CharField()
        finished_at = DateTimeField(null=True)
        outcome = TextField(null=True)
        class Meta:
            database = db
            table_name = 'job_run'
            indexes = ((('job', 'period'), True),)
    db.create_tables([JobRun])

    class OutboxMessage(Model):
        key = CharField(unique=True)
        notifier = CharField()
        recipient = ForeignKeyField(User, on_delete='CASCADE')
        subject = CharField()
        body_text = TextField()
        body_html = TextField(null=True)
        link = CharField(null=True)
        created_at = DateTimeField()
        attempts = IntegerField(default=0)
        next_attempt_at = DateTimeField()
        sent_at = DateTimeField(null=True)
        last_error = TextField(null=True)
        class Meta:
            database = db
            table_name = 'outbox_message'
            indexes = ((('sent_at', 'next_attempt_at'), False),)
    db.create_tables([OutboxMessage])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('outbox_message'))
    migrator.migrate(migrator.drop_table('job_run'))
    migrator.migrate(migrator.drop_table('inbox_item'))
    migrator.migrate(migrator.drop_table('audit_rubric'))
    migrator.migrate(migrator.drop_table('audit_rating'))
    migrator.migrate(migrator.drop_table('audit_action'))
    migrator.migrate(migrator.drop_table('audit'))
    migrator.migrate(migrator.drop_table('round_case'))
    migrator.migrate(migrator.drop_table('sampling_round'))
    migrator.migrate(migrator.drop_table('sampling_policy'))
