"""Case imports: reading a caseload file and reconciling it with the cases held."""
