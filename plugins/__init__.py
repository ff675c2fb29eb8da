"""The built-in plugins, in one place: ``audit_service.default_plugins``.

Each module here registers what the service ships through the same hooks a third-party
plugin uses (datasette's ``default_*`` modules are the model). They are listed once, in
``audit_service.plugins.manager.DEFAULT_PLUGINS``, load first and cannot be disabled.
"""
