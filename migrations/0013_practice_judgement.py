"""Audits that judge practice as the serious case reviews demand (issue 13).

- ``audit``: the case type in force, the calculated grade, the auditor's own overall
  judgement, the effective grade and score (the agreed grade once a moderation is
  adjudicated) and the audit a re-audit follows up.
- ``audit_rubric``: each domain's effective grade and score.
- ``round_case``: the pool a case was drawn from, and the audit a re-audit follows up.
- ``sampling_policy``: which grades bring a case back and after how long (replacing the
  yes/no "re-audit Inadequate"), and dip samples of closed and unallocated cases.

Existing rows keep their meaning: a policy that re-audited Inadequate re-audits
Inadequate; the built-in default takes the new default (Requires improvement and
Inadequate, after three months); effective grades start as the agreed grade where a
moderation was adjudicated, else the auditor's.
"""
import json

from peewee import *


def up(migrator, db):
    class Audit(Model):
        class Meta:
            database = db
            table_name = 'audit'

    migrator.migrate(
        migrator.add_column('audit', 'case_type', CharField(null=True)),
        migrator.add_column('audit', 'calculated_grade', CharField(null=True)),
        migrator.add_column('audit', 'judgement_grade', CharField(null=True)),
        migrator.add_column('audit', 'judgement_reason', TextField(null=True)),
        migrator.add_column('audit', 'effective_grade', CharField(null=True)),
        migrator.add_column('audit', 'effective_score', DecimalField(
            max_digits=5, decimal_places=2, null=True)),
        migrator.add_column('audit', 'reaudit_of_id', ForeignKeyField(
            Audit, null=True, field=Audit.id, on_delete='SET NULL')),
        migrator.add_column('audit_rubric', 'effective_grade', CharField(null=True)),
        migrator.add_column('audit_rubric', 'effective_score', DecimalField(
            max_digits=5, decimal_places=2, null=True)),
        migrator.add_column('round_case', 'pool', CharField(default='open')),
        migrator.add_column('round_case', 'reaudit_of_id', ForeignKeyField(
            Audit, null=True, field=Audit.id, on_delete='SET NULL')),
        migrator.add_column('sampling_policy', 'reaudit_grades', TextField(
            default='["requires_improvement", "inadequate"]')),
        migrator.add_column('sampling_policy', 'reaudit_after_months', IntegerField(default=3)),
        migrator.add_column('sampling_policy', 'closed_cases', IntegerField(default=0)),
        migrator.add_column('sampling_policy', 'unallocated_cases', IntegerField(default=0)),
    )

    db.execute_sql(
        "UPDATE audit SET case_type = (SELECT c.case_type FROM \"case\" c "
        "WHERE c.id = audit.case_id)")
    db.execute_sql(
        "UPDATE audit SET calculated_grade = overall_grade, effective_grade = overall_grade, "
        "effective_score = overall_score WHERE status = 'submitted'")
    db.execute_sql(
        "UPDATE audit_rubric SET effective_grade = grade, effective_score = score")
    # An adjudicated moderation decides: its agreed grade, and a score only where the
    # auditor's score still reads as that grade (half-way takes the lower grade).
    bands = {'outstanding': ('3.51', '4.00'), 'good': ('2.51', '3.50'),
             'requires_improvement': ('1.51', '2.50'), 'inadequate': ('1.00', '1.50')}
    rows = db.execute_sql(
        "SELECT m.audit_id, m.agreed_grade, m.agreed_domains, a.overall_score "
        "FROM moderation m JOIN audit a ON a.id = m.audit_id "
        "WHERE m.adjudicated_at IS NOT NULL AND m.agreed_grade IS NOT NULL").fetchall()
    for audit_id, agreed, domains, score in rows:
        low, high = bands.get(agreed, ('0', '0'))
        keep = score is not None and float(low) <= float(score) <= float(high)
        db.execute_sql(
            "UPDATE audit SET effective_grade = %s, effective_score = %s WHERE id = %s"
            .replace('%s', db.param), (agreed, score if keep else None, audit_id))
        for rubric_id, grade in (json.loads(domains) if domains else {}).items():
            db.execute_sql(
                ("UPDATE audit_rubric SET effective_grade = %s, effective_score = CASE "
                 "WHEN effective_grade = %s THEN effective_score ELSE NULL END "
                 "WHERE audit_id = %s AND rubric_version_id IN (SELECT v.id FROM "
                 "rubric_version v JOIN rubric_definition d ON d.id = v.rubric_id "
                 "WHERE d.rubric_id = %s)").replace('%s', db.param),
                (grade, grade, audit_id, rubric_id))
    db.execute_sql(  # no LIKE: psycopg2 would read its percent sign as a parameter
        "UPDATE round_case SET pool = 'reaudit' WHERE substr(reason, 1, 8) = 're-audit'")

    policies = db.execute_sql(
        "SELECT id, scope, reaudit_inadequate FROM sampling_policy").fetchall()
    for policy_id, scope, reaudit in policies:
        if scope == 'default':
            grades = ['requires_improvement', 'inadequate']
        else:
            grades = ['inadequate'] if reaudit else []
        db.execute_sql(
            "UPDATE sampling_policy SET reaudit_grades = %s WHERE id = %s"
            .replace('%s', db.param), (json.dumps(grades), policy_id))
    migrator.migrate(migrator.drop_column('sampling_policy', 'reaudit_inadequate'))

    # "Not seen for 42 days" became "not seen within the visiting timescale for the case
    # type": stored must-include rules, risk weights and thematic filters follow the rename.
    for table, column in (('sampling_policy', 'strategy_options'), ('thematic_audit', 'filters')):
        for row_id, text in db.execute_sql(
                f'SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL'  # noqa: S608 - fixed names  # nosec B608
        ).fetchall():
            if '"not_seen_42_days"' in text:
                db.execute_sql(
                    f'UPDATE {table} SET {column} = %s WHERE id = %s'  # noqa: S608 - fixed names  # nosec B608
                    .replace('%s', db.param),
                    (text.replace('"not_seen_42_days"', '"visit_overdue"'), row_id))


def down(migrator, db):
    migrator.migrate(
        migrator.add_column('sampling_policy', 'reaudit_inadequate', BooleanField(default=True)),
    )
    for policy_id, grades in db.execute_sql(
            "SELECT id, reaudit_grades FROM sampling_policy").fetchall():
        db.execute_sql(
            "UPDATE sampling_policy SET reaudit_inadequate = %s WHERE id = %s"
            .replace('%s', db.param), ('inadequate' in json.loads(grades or '[]'), policy_id))
    migrator.migrate(
        migrator.drop_column('sampling_policy', 'unallocated_cases'),
        migrator.drop_column('sampling_policy', 'closed_cases'),
        migrator.drop_column('sampling_policy', 'reaudit_after_months'),
        migrator.drop_column('sampling_policy', 'reaudit_grades'),
        migrator.drop_column('round_case', 'reaudit_of_id'),
        migrator.drop_column('round_case', 'pool'),
        migrator.drop_column('audit_rubric', 'effective_score'),
        migrator.drop_column('audit_rubric', 'effective_grade'),
        migrator.drop_column('audit', 'reaudit_of_id'),
        migrator.drop_column('audit', 'effective_score'),
        migrator.drop_column('audit', 'effective_grade'),
        migrator.drop_column('audit', 'judgement_reason'),
        migrator.drop_column('audit', 'judgement_grade'),
        migrator.drop_column('audit', 'calculated_grade'),
        migrator.drop_column('audit', 'case_type'),
    )
