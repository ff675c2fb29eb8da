"""Pure domain logic: no Flask, no database. Everything here is testable with plain values."""
