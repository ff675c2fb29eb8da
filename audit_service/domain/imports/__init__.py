"""A caseload as the case system describes it: one record per child, merged from its lists."""
