"""Rubrics in the database: published versions, drafts being edited, and which rubrics apply to
which cases.
"""
