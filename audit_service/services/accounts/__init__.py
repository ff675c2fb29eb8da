"""Accounts: users and API tokens, and browser sessions."""
