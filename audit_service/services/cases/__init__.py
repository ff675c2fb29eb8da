"""The caseload as the other capabilities read it."""
