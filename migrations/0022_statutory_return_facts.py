"""Cases carry the facts the CIN census and the SSDA903 return add (issue 15).

Separate columns from the caseload import's own (``previous_cp_plans``, ``placements_12m``),
so re-importing Annex A never wipes what a return gave, nor a return what Annex A gave. All
null until a return naming the child is imported.
"""

from peewee import *

COLUMNS = (
    ("referral_on", DateField), ("assessment_started_on", DateField),
    ("assessment_authorised_on", DateField), ("assessment_factors", CharField),
    ("s47_started_on", DateField), ("cp_plan_started_on", DateField),
    ("cp_category", CharField), ("cin_previous_cp_plans", IntegerField),
    ("lac_placements_12m", IntegerField), ("legal_status", CharField),
    ("last_review_on", DateField), ("missing_12m", IntegerField),
    ("sw_changes_12m", IntegerField),
)


def up(migrator, db):
    migrator.migrate(*(migrator.add_column("case", name, field(null=True))
                       for name, field in COLUMNS))


def down(migrator, db):
    migrator.migrate(*(migrator.drop_column("case", name) for name, _ in reversed(COLUMNS)))
