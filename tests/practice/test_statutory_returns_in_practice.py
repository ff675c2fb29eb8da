"""Vignettes: what the statutory returns tell a team manager and sampling about a child.

A child in care on her fourth social worker of the year who has been missing twice, and a
child whose assessment has been open for twelve weeks: neither shows in the Annex A caseload
alone. Imported from the council's own 903 and CIN census, they are drawn for audit with that
said, and the audit form puts each fact beside the criterion it bears on.
"""

from __future__ import annotations

import datetime as dt
import io

from audit_service.domain.audits.evidence import prompts_for
from audit_service.domain.sampling import DrawContext, case_flags
from audit_service.domain.vocabulary import CaseType
from audit_service.services.cases.facts import case_facts
from audit_service.services.imports.case_import import import_file
from audit_service.services.sampling.population import load_population
from audit_service.storage.models import Case, new_public_id
from tests.support.installed import installed

TODAY = dt.date(2025, 3, 31)


def _case(child_id: str, case_type: CaseType) -> Case:
    return Case.create(child_id=child_id, public_id=new_public_id(), case_type=case_type.value,
                       facts_hash="x", last_seen_on=TODAY - dt.timedelta(days=3),
                       seen_alone=True)


def _import(content: str, name: str) -> None:
    batch = import_file(io.BytesIO(content.encode()), name, importers=installed().importers,
                        as_of=TODAY, closure_limit=0.1)
    assert batch.status == "completed", batch.error


def test_a_child_in_care_on_her_fourth_social_worker_is_drawn_and_prompted_for_it(db):
    maya = _case("903-MAYA", CaseType.LOOKED_AFTER)
    settled = _case("903-SETTLED", CaseType.LOOKED_AFTER)
    _import("CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n"
            "903-MAYA,01/01/2012,SW1,01/02/2023,01/05/2024,MANAGE\n"
            "903-MAYA,01/01/2012,SW2,01/05/2024,01/09/2024,FITADJ\n"
            "903-MAYA,01/01/2012,SW3,01/09/2024,01/01/2025,OTHERS\n"
            "903-MAYA,01/01/2012,SW4,01/01/2025,,\n"
            "903-SETTLED,01/01/2012,SW5,01/02/2023,,\n", "sw_episodes.csv")
    _import("CHILD,DOB,MISSING,MIS_START,MIS_END\n"
            "903-MAYA,01/01/2012,M,10/11/2024,11/11/2024\n"
            "903-MAYA,01/01/2012,A,02/02/2025,02/02/2025\n", "missing.csv")

    population = {p.key: p for p in load_population()}
    flags = {key: [f.id for f in case_flags(p.facts, TODAY)] for key, p in population.items()}
    assert flags[str(maya.id)] == ["social_worker_changes"]
    assert flags[str(settled.id)] == []

    registries = installed()
    drawn = registries.sampling_strategies["risk_weighted"].draw(
        list(population.values()), 2, "seed", DrawContext(today=TODAY))
    reasons = {d.case_key: d.reason for d in drawn}
    assert reasons[str(maya.id)] == ("risk-weighted: 3 changes of social worker in 12 "
                                     "months")

    prompts = prompts_for(registries.evidence_providers.values(),
                          case_facts(Case.get_by_id(maya.id)), TODAY)
    assert [(p.text, p.tone) for p in prompts["allocation_clear"]] == [
        ("SSDA903: 3 changes of social worker in the last 12 months", "warning")]
    assert [(p.text, p.tone) for p in prompts["missing_and_exploitation"]] == [
        ("SSDA903: missing or away from placement 2 times in the last 12 months", "warning")]


def test_an_assessment_open_twelve_weeks_is_flagged_and_one_done_in_time_is_not(db):
    late = _case("CIN-LATE", CaseType.OPEN_ASSESSMENT)
    timely = _case("CIN-TIMELY", CaseType.CHILD_IN_NEED)

    def child(child_id: str, assessment: str) -> str:
        return (f"<Child><ChildIdentifiers><LAchildID>{child_id}</LAchildID>"
                "<PersonBirthDate>2016-05-01</PersonBirthDate></ChildIdentifiers>"
                f"<CINdetails><CINreferralDate>2024-12-20</CINreferralDate><Assessments>"
                f"{assessment}<FactorsIdentifiedAtAssessment><AssessmentFactors>3B"
                "</AssessmentFactors></FactorsIdentifiedAtAssessment></Assessments>"
                "</CINdetails></Child>")

    started = "<AssessmentActualStartDate>2025-01-02</AssessmentActualStartDate>"
    _import("<Message><Children>"
            + child("CIN-LATE", started)
            + child("CIN-TIMELY", started + "<AssessmentAuthorisationDate>2025-02-20"
                                            "</AssessmentAuthorisationDate>")
            + "</Children></Message>", "cin_census.xml")

    late_facts = case_facts(Case.get_by_id(late.id))
    assert [f.text for f in case_flags(late_facts, TODAY)] == [
        "assessment open 62 working days (timescale 45)"]
    assert case_flags(case_facts(Case.get_by_id(timely.id)), TODAY) == []
    prompts = prompts_for(installed().evidence_providers.values(), late_facts, TODAY)
    assert prompts["assessment_timely"][0].tone == "warning"
    assert "domestic abuse (a parent or carer)" in prompts["assessment_analysis"][0].text
    # No date of birth was kept from the census.
    assert "2016-05-01" not in str(Case.get_by_id(late.id).__data__)
