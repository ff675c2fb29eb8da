"""The demo council: generated (pure, seeded) and loaded through the services."""
