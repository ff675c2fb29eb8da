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


NAV_ITEMS: list[NavItem] = [
    NavItem(
        "Imports",
        "admin_imports.index",
        frozenset({Role.ADMIN}),
        "Upload the Annex A caseload and read the report of each import.",
    ),
    NavItem(
        "Users",
        "admin_users.index",
        frozenset({Role.ADMIN}),
        "See who can sign in and what role each person has.",
    ),
]


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
