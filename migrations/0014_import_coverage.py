"""Imports close only what they read, and a large closure waits for a person (issue 15).

- ``import_batch.lists_read``: the lists a file was read from, so the report says which
  case types a full import could close and which it left as they were. Earlier batches
  keep None: they did not record it.
- ``import_batch.pending_file`` and ``preview``: a full import that would close more
  than the council's share of open cases keeps its file and what it would do until a
  person confirms or cancels it.
"""

from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('import_batch', 'lists_read', TextField(null=True)),
        migrator.add_column('import_batch', 'pending_file', BlobField(null=True)),
        migrator.add_column('import_batch', 'preview', TextField(null=True)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('import_batch', 'preview'),
        migrator.drop_column('import_batch', 'pending_file'),
        migrator.drop_column('import_batch', 'lists_read'),
    )
