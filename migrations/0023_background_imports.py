"""Imports can run in the background: a queued batch records how far its runner has read
(issue 15). Existing batches finished long ago: no progress, never claimed."""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("import_batch", "progress_rows", IntegerField(default=0)),
        migrator.add_column("import_batch", "progress_total", IntegerField(null=True)),
        migrator.add_column("import_batch", "claimed_at", DateTimeField(null=True)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("import_batch", "claimed_at"),
        migrator.drop_column("import_batch", "progress_total"),
        migrator.drop_column("import_batch", "progress_rows"),
    )
