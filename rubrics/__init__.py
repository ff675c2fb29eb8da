"""The shipped rubrics, as ``audit_service.default_rubrics``: one YAML file per rubric."""
