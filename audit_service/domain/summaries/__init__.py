"""Pure helpers for the HR and leadership summaries: periods, bands, suppression, SPC.

No Flask and no peewee here: the SQL lives in ``audit_service.services.summaries.figures``.
"""
