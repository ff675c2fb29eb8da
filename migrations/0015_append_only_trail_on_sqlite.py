"""The audit trail is append-only on SQLite too (issue 16).

PostgreSQL has refused UPDATE and DELETE on ``event`` since 0001; SQLite, the embedded
default, did not. A migration that rebuilds ``event`` on SQLite must create these
triggers again (``tests/test_migrations.py`` checks the migrated database has them).
"""

from peewee import SqliteDatabase

TRIGGERS = {
    operation: f"""
CREATE TRIGGER IF NOT EXISTS event_append_only_{operation.lower()}
BEFORE {operation} ON event
BEGIN
    SELECT RAISE(ABORT, 'the audit trail (table event) is append-only: {operation} refused');
END
"""
    for operation in ("UPDATE", "DELETE")
}


def up(migrator, db):
    if isinstance(db, SqliteDatabase):
        for sql in TRIGGERS.values():
            db.execute_sql(sql)


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for operation in TRIGGERS:
            db.execute_sql(f"DROP TRIGGER IF EXISTS event_append_only_{operation.lower()}")
