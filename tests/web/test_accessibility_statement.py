"""``/accessibility``: a public statement in the GOV.UK model format, linked from every page."""

from __future__ import annotations

from audit_service.domain.vocabulary import Role


def test_statement_is_public_and_follows_the_model(page) -> None:
    statement = page.get("/accessibility")
    assert statement.h1() == "Accessibility statement for Case audit"
    headings = [h.text.strip() for h in statement.select("h2")]
    for heading in (
        "How accessible this service is",
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Technical information about this service's accessibility",
        "Preparation of this accessibility statement",
    ):
        assert heading in headings, heading
    text = statement.text()
    assert "partially compliant with the Web Content Accessibility Guidelines version 2.2" in text
    assert "Equality and Human Rights Commission (EHRC)" in text
    assert "axe-core" in text and "keyboard" in text
    assert "This statement was prepared on 2 March 2026" in text
    assert "2.2.1 (Timing Adjustable)" in text


def test_contact_email_comes_from_settings(app, page) -> None:
    assert "IT service desk" in page.get("/accessibility").text()
    app.config["ACCESSIBILITY_CONTACT_EMAIL"] = "case-audit@example.gov.uk"
    statement = page.get("/accessibility")
    assert statement.select("a", href="mailto:case-audit@example.gov.uk")


def test_every_page_links_to_it_from_the_footer(page, login_as) -> None:
    for rendered in (page.get("/login"), login_as(Role.HR).get("/")):
        footer = rendered.select("footer")[0]
        links = [a for a in footer.iter()
                 if a.tag.endswith("}a") and a.get("href") == "/accessibility"]
        assert links and "Accessibility statement" in "".join(links[0].itertext())
