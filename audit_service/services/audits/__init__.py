"""Audits: access rules, the audit's lifecycle (start, drafts, submission, response), actions,
alerts, re-audits and judgements, and the read model pages and API show.
"""
