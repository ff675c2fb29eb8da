"""Case importers: readers that turn a council's export into ``CaseRecord`` values.

Each importer is a plugin (hook ``register_case_importers``), so a council can
add a connector for its own case system beside the built-in Annex A readers.
"""
