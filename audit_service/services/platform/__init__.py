"""What every capability relies on: the audit trail, the outbox and inbox, and retention."""
