"""Application services: use cases that combine domain logic with storage. No Flask here."""
