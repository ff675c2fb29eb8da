"""Imports close only what they read, and a large closure waits for a person (issue 15).

- ``import_batch.lists_read``: the lists a file was read from, so the report says which
  case types a full import could close and which it left as they were. Earlier batches
  keep None: they did not record it.
- ``import_batch.pending_file`` and ``preview``: a full import that would close more
  than the council's share of open cases keeps its file and what it would do until a
  person confirms or cancels it.
- ``import_batch.rows_refused`` and ``warning_count``: rows not imported, and values dropped
  from rows imported without them, counted apart (``rejected_count`` lists both). Earlier
  batches keep 0: they did not count them apart.
"""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('import_batch', 'lists_read', TextField(null=True)),
        migrator.add_column('import_batch', 'pending_file', BlobField(null=True)),
        migrator.add_column('import_batch', 'preview', TextField(null=True)),
        migrator.add_column('import_batch', 'rows_refused', IntegerField(default=0)),
        migrator.add_column('import_batch', 'warning_count', IntegerField(default=0)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('import_batch', 'warning_count'),
        migrator.drop_column('import_batch', 'rows_refused'),
        migrator.drop_column('import_batch', 'preview'),
        migrator.drop_column('import_batch', 'pending_file'),
        migrator.drop_column('import_batch', 'lists_read'),
    )
