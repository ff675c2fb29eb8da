"""The guarantees through the pages a team manager uses: the audit form posted as the browser
posts it, and the result page explaining the grade with every rule that fired."""

from __future__ import annotations

import pytest

from audit_service.domain.rubrics import DEFAULT_SCALE
from audit_service.extension import registries
from audit_service.services.audits import lifecycle as audit_service
from audit_service.storage.models import Audit
from tests.practice.vignettes import BY_ID
from tests.support.auth import sign_in
from tests.support.pages import PageClient

GUARANTEES = ("not_seen_alone", "child_on_a_plan_not_seen", "child_not_safe", "keanu_pattern",
              "unmanaged_case", "half_good_oversight", "sound_child_in_need")


def _form_fields(vignette, state, types) -> dict[str, str]:
    fields = {}
    for rubric in state.rubrics.values():
        for criterion in rubric.criteria:
            stem = f"{rubric.id}-{criterion.id}"
            fields[f"rating-{stem}"] = vignette.rating(rubric.id, criterion.id,
                                                       types[criterion.type].scored)
            fields[f"evidence-{stem}"] = f"Read on the file for {criterion.id}"
    return fields


@pytest.mark.parametrize("vignette_id", GUARANTEES)
def test_the_result_page_explains_each_guarantee(council, vignette_id: str) -> None:
    vignette = BY_ID[vignette_id]
    client = council.app.test_client()
    assert sign_in(client, council.team_manager.username).status_code == 302
    pages = PageClient(client)
    home = pages.get("/my-audits")
    case = council.cases[vignette.case_type]
    started = client.post("/audits/start", data={"round": council.round_.public_id,
                                                 "case": case.public_id,
                                                 "csrf_token": home.csrf_token()})
    assert started.status_code == 302
    audit = Audit.get(Audit.case == case.id)
    form = pages.get(f"/audits/{audit.public_id}")
    with council.app.app_context():
        types = registries().criterion_types
        state = audit_service.load_state(audit, types)
    submitted = client.post(f"/audits/{audit.public_id}", data={
        "csrf_token": form.csrf_token(), "intent": "submit", "version": str(audit.version),
        "overall-judgement": "calculated", **_form_fields(vignette, state, types)})
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[:600]

    result = pages.get(f"/audits/{audit.public_id}")
    grade = " ".join("".join(result.select("dd", id="overall-grade")[0].itertext()).split())
    assert grade.startswith(DEFAULT_SCALE.level(vignette.grade).label)
    findings = " ".join("".join(result.select("ul", id="scoring-explanation")[0].itertext())
                        .split())
    with council.app.app_context():
        rules = {rule.id: rule.explanation for r in state.rubrics.values()
                 for rule in r.limiting_rules}
    for rule_id in vignette.rules:
        assert " ".join(rules[rule_id].split()) in findings, rule_id
    if not vignette.rules and vignette.grade == "good":
        assert findings == "No limiting rule fired: each grade follows from its score."
