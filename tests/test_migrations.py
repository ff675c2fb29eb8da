"""The numbered migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import pytest

from audit_service.storage.database import bind
from audit_service.storage.migrations import migrate, migrations_dir, pending, schema_drift
from audit_service.storage.models import Event
from tests.conftest import _admin_sql


def test_migrated_database_matches_models(db):
    assert pending(db) == []
    assert schema_drift(db) is None


def test_migrate_is_idempotent(db):
    assert migrate(db) == []
    assert migrate(db) == []
    assert schema_drift(db) is None


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """A database with no tables at all, on each backend."""
    if request.param == "sqlite":
        yield bind(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
        return
    template = request.getfixturevalue("postgres_template")
    name = template.rpartition("/")[2] + "_empty"
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_sql(f'CREATE DATABASE "{name}"')
    db = bind(f"{template.rpartition('/')[0]}/{name}")
    yield db
    db.close()
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_empty_database_migrates_from_scratch(empty_database):
    """A brand-new database migrates through every script and then matches the models."""
    every_script = [m.stem for m in sorted(migrations_dir().glob("[0-9]*.py"))]
    assert migrate(empty_database) == every_script
    assert schema_drift(empty_database) is None
    assert migrate(empty_database) == []


def test_model_change_without_migration_is_detected(db):
    """The drift check can fail: a column the migrations never created is reported."""
    from peewee import CharField

    field = CharField(null=True)
    Event._meta.add_field("unmigrated_column", field)
    try:
        drift = schema_drift(db)
    finally:
        Event._meta.remove_field("unmigrated_column")
    assert drift is not None
    assert "unmigrated_column" in str(drift)


def test_audit_trail_refuses_update_and_delete_on_both_databases(db):
    Event.create(actor_label="system", action="test.event")
    with pytest.raises(Exception, match="append-only"), db.atomic():
        Event.update(action="changed").execute()
    with pytest.raises(Exception, match="append-only"), db.atomic():
        Event.delete().execute()
    assert Event.select().count() == 1


def test_migrate_command(runner):
    result = runner.invoke(args=["migrate"])
    assert result.exit_code == 0, result.output
    assert "database is up to date" in result.output
