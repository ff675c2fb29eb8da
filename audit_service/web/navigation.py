"""The service navigation, by role.

Each journey adds its own ``NavItem`` here; a user sees the items for their
role whose endpoint exists in this app. The home page lists the same items.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for

from audit_service.domain.vocabulary import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: frozenset[Role]
    description: str


#: Label, endpoint, the roles that see it, and what it is for (the home page says so).
NAV_ITEMS: list[NavItem] = [NavItem(label, endpoint, frozenset(roles), description) for (
    label, endpoint, roles, description) in (
    ("Imports", "admin_imports.index", (Role.ADMIN,),
     "Upload the Annex A caseload and read the report of each import."),
    ("Users", "admin_users.index", (Role.ADMIN,),
     "See who can sign in and what role each person has."),
    ("Staff records", "admin_staff.index", (Role.ADMIN,),
     "Find staff records and give social workers their Social Work England number."),
    ("Audit trail", "admin_audit_trail.index", (Role.ADMIN,),
     "Search and export the record of sign-ins, refusals, changes and views."),
    ("My audits", "supervisor.home", (Role.SUPERVISOR,),
     "This month's sample, your audits, overdue items and your team's open actions."),
    ("Sampling rounds", "rounds.index", (Role.QUALITY_LEAD, Role.ADMIN, Role.SENIOR_LEADER),
     "This month's sampling rounds for every team manager, their cases and progress."),
    ("Rubrics", "rubric_editor.index", (Role.QUALITY_LEAD, Role.ADMIN),
     "Edit, preview and publish rubrics, compare versions and assign them to case types."),
    ("Sampling policies", "policies.index", (Role.QUALITY_LEAD, Role.ADMIN),
     "How many cases each team manager audits a month, and how they are drawn."),
    ("Thematic audits", "thematic.index", (Role.QUALITY_LEAD,),
     "Audit a cohort of cases that worries you: filter, draw a sample, assign auditors."),
    ("Audits of my cases", "practitioner.home", (Role.PRACTITIONER,),
     "Read the audits of your cases, respond, acknowledge them and update your actions."),
    ("Inbox", "inbox.index", tuple(Role),
     "Notifications: new samples, reminders, audits to read and escalations."),
    ("Summaries", "summaries.index", (Role.HR, Role.SENIOR_LEADER, Role.QUALITY_LEAD, Role.ADMIN),
     "Practice quality by service, team and practitioner, with trends and downloads."),
    ("Trends", "summaries.trends_page", (Role.HR, Role.SENIOR_LEADER, Role.QUALITY_LEAD),
     "Statistical process control charts that tell real change from noise."),
    ("Coverage", "summaries.coverage", (Role.HR, Role.SENIOR_LEADER, Role.QUALITY_LEAD),
     "How much of the open caseload was audited, and high-risk cases never audited."),
    ("Team summary", "summaries.index", (Role.SUPERVISOR,),
     "Your team's audit results, grades and actions over a month, quarter or year."),
    ("Moderation", "moderation.index", (Role.QUALITY_LEAD,),
     "Pick audits to moderate, assign moderators, agree grades and see agreement statistics."),
    ("Re-audits", "oversight.reaudit_list", (Role.QUALITY_LEAD,),
     "Cases waiting for a re-audit to check practice changed, and those that closed first."),
    ("Judgements", "oversight.judgement_list", (Role.QUALITY_LEAD,),
     "Every overall grade an auditor judged differently from the calculated one, and why."),
    ("Learning", "learning.index", set(Role) - {Role.HR, Role.ADMIN},
     "Practice themes over time and shared excerpts of good practice."),
)]


def items_for(role: Role | None) -> list[NavItem]:
    if role is None:
        return []
    return [
        item
        for item in NAV_ITEMS
        if role in item.roles and item.endpoint in current_app.view_functions
    ]


def service_navigation(role: Role | None) -> list[dict[str, object]]:
    """Items for govukServiceNavigation, marking the journey the user is in."""
    current_bp = request.blueprint
    nav = []
    for item in items_for(role):
        nav.append(
            {
                "href": url_for(item.endpoint),
                "text": item.label,
                "active": current_bp == item.endpoint.partition(".")[0],
                "current": request.endpoint == item.endpoint,
            }
        )
    return nav
