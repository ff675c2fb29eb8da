"""The numbered migrations, as ``audit_service.migration_scripts`` (``NNNN_name.py``)."""
