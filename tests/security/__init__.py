"""Security properties of the whole service: crash safety, access, transport."""
