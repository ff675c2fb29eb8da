"""Apply the numbered scripts in ``migrations/`` and check them against the models.

peewee's own ``playhouse.migrations`` runs the scripts and records them in
``schema_migration``; ``playhouse.schema_diff`` compares the result with the
models, so a model change without its migration is caught by a test.
"""

from __future__ import annotations

from peewee import Database
from playhouse.migrations import Runner
from playhouse.schema_diff import SchemaDiff, diff_models

from audit_service.resources import migrations_dir
from audit_service.storage.models import ALL_MODELS


def runner(db: Database) -> Runner:
    return Runner(db, str(migrations_dir()))


def migrate(db: Database) -> list[str]:
    """Apply pending migrations in order; return the names applied (empty when current).

    The runner's own history table makes this idempotent. Each script runs in a
    transaction, so a failure leaves the previous schema in place.
    """
    with db.connection_context():
        return runner(db).up()


def pending(db: Database) -> list[str]:
    with db.connection_context():
        return [m.name for m in runner(db).status() if m.path and not m.applied]


def schema_drift(db: Database) -> SchemaDiff | None:
    """What the models expect that the database lacks (None when they agree)."""
    with db.connection_context():
        diff = diff_models(db, list(ALL_MODELS))
    return diff or None
