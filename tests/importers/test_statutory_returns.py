"""The CIN census and SSDA903 tables add facts to cases the caseload holds: read from the
council's own files, nothing personal kept, nobody created, nothing closed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest

from audit_service.domain.imports.case_records import ENRICHED_FACTS, CaseEnrichment, RowError
from audit_service.domain.imports.cin_census import CIN_FACTS, read_cin_census
from audit_service.domain.imports.ssda903 import Ssda903FileError, read_ssda903
from audit_service.domain.imports.xml_returns import ReturnFileError
from audit_service.domain.vocabulary import CaseStatus, CaseType
from audit_service.services.imports.case_import import import_file
from audit_service.storage.models import Case, ImportBatch, RejectedRow, new_public_id
from tests.support.installed import installed
from tests.support.samples import sample

AS_OF = dt.date(2025, 3, 31)


def _split(items) -> tuple[dict[str, dict[str, object]], list[RowError]]:
    items = list(items)
    return ({i.child_id: dict(i.facts) for i in items if isinstance(i, CaseEnrichment)},
            [i for i in items if isinstance(i, RowError)])


def _census(*children: str, sex_tag: str = "Sex") -> io.BytesIO:
    body = "".join(f"<Child>{c}</Child>" for c in children)
    return io.BytesIO(f"<Message><Header/><Children>{body}</Children></Message>".encode()
                      .replace(b"SEX", sex_tag.encode()))


def _ids(child_id: str) -> str:
    return (f"<ChildIdentifiers><LAchildID>{child_id}</LAchildID><UPN>A123456789123</UPN>"
            "<PersonBirthDate>2015-03-27</PersonBirthDate><SEX>1</SEX></ChildIdentifiers>")


# --- The CIN census ------------------------------------------------------------------------


def test_a_census_child_gives_the_latest_episode_and_nothing_personal():
    facts, problems = _split(read_cin_census(_census(
        _ids("C1")
        + "<CINdetails><CINreferralDate>2021-01-05</CINreferralDate>"
          "<ChildProtectionPlans><CPPstartDate>2021-02-01</CPPstartDate>"
          "<LatestCategoryOfAbuse>PHY</LatestCategoryOfAbuse></ChildProtectionPlans>"
          "</CINdetails>"
          "<CINdetails><CINreferralDate>2024-09-02</CINreferralDate>"
          "<Assessments><AssessmentActualStartDate>2024-09-03</AssessmentActualStartDate>"
          "<AssessmentAuthorisationDate>2024-11-29</AssessmentAuthorisationDate>"
          "<FactorsIdentifiedAtAssessment><AssessmentFactors>4a</AssessmentFactors>"
          "<AssessmentFactors>2B</AssessmentFactors><AssessmentFactors>4A</AssessmentFactors>"
          "</FactorsIdentifiedAtAssessment></Assessments>"
          "<Section47><S47ActualStartDate>2024-10-01</S47ActualStartDate></Section47>"
          "<ChildProtectionPlans><CPPstartDate>2024-10-20</CPPstartDate>"
          "<InitialCategoryOfAbuse>EMO</InitialCategoryOfAbuse>"
          "<LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>"
          "<NumberOfPreviousCPP>1</NumberOfPreviousCPP></ChildProtectionPlans>"
          "</CINdetails>",
    ), as_of=AS_OF))
    assert problems == []
    assert facts == {"C1": {
        "referral_on": dt.date(2024, 9, 2), "assessment_started_on": dt.date(2024, 9, 3),
        "assessment_authorised_on": dt.date(2024, 11, 29), "assessment_factors": "2B,4A",
        "s47_started_on": dt.date(2024, 10, 1), "cp_plan_started_on": dt.date(2024, 10, 20),
        "cp_category": "NEG", "cin_previous_cp_plans": 1}}
    assert set(CIN_FACTS) <= set(ENRICHED_FACTS)
    assert {f.name for f in dataclasses.fields(CaseEnrichment)} == {
        "child_id", "source", "facts", "rows"}


@pytest.mark.parametrize("sex_tag", ["GenderCurrent", "Sex"])
def test_both_layouts_read_alike_and_each_problem_has_its_place(sex_tag):
    facts, problems = _split(read_cin_census(_census(
        "<ChildIdentifiers><UPN>A1</UPN></ChildIdentifiers>",  # no id: refused
        _ids("C2") + "<CINdetails><CINreferralDate>05/01/2025</CINreferralDate>"
        "<Assessments><AssessmentActualStartDate>2025-01-10</AssessmentActualStartDate>"
        "<AssessmentAuthorisationDate>2024-12-01</AssessmentAuthorisationDate></Assessments>"
        "<ChildProtectionPlans><CPPstartDate>2026-01-01</CPPstartDate>"
        "<LatestCategoryOfAbuse>Neglect</LatestCategoryOfAbuse>"
        "<NumberOfPreviousCPP>-1</NumberOfPreviousCPP></ChildProtectionPlans></CINdetails>",
        _ids("C2"),  # the same child again: refused
        sex_tag=sex_tag,
    ), as_of=AS_OF))
    assert facts["C2"]["referral_on"] == dt.date(2025, 1, 5)
    assert facts["C2"]["assessment_started_on"] == dt.date(2025, 1, 10)
    assert facts["C2"]["assessment_authorised_on"] is None
    assert facts["C2"]["cp_plan_started_on"] is None and facts["C2"]["cp_category"] is None
    assert [(p.row, p.column, p.imported) for p in problems] == [
        (1, "LAchildID", False),
        (2, "AssessmentAuthorisationDate", True), (2, "CPPstartDate", True),
        (2, "LatestCategoryOfAbuse", True), (2, "NumberOfPreviousCPP", True),
        (3, "LAchildID", False)]
    assert "authorised before the assessment started (10/01/2025)" in problems[1].reason
    assert "after the import date (31/03/2025)" in problems[2].reason
    assert "the same child as child 2" in problems[5].reason


@pytest.mark.parametrize(("content", "reason"), [
    (b"CHILD,DECOM\n1,01/01/2024\n", "not readable XML"),
    (b"<Message><CSWWWorker/></Message>", "holds no <Child>"),
    (b"<CINChildren/>", "starts with <CINChildren>"),
    (b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaaaaaaaa">]><Message>&a;</Message>',
     "declares entities"),
])
def test_a_file_that_is_not_a_census_is_refused_whole(content, reason):
    with pytest.raises(ReturnFileError, match=reason):
        list(read_cin_census(io.BytesIO(content), as_of=AS_OF))


@pytest.mark.parametrize(("name", "children", "warnings"), [
    ("cin_census_2021_fake.xml", 1, 0),
    ("cin_census_2022_synthetic.xml", 1, 0),
    ("cin_census_2024_fake.xml", 2, 1),
    ("cin_census_2026_fake.xml", 2, 1),
    ("cin_census_many_children_fake.xml", 332, 2),
])
def test_every_shared_census_reads(name, children, warnings):
    with sample(f"cin_census/{name}").open("rb") as stream:
        facts, problems = _split(read_cin_census(stream, as_of=dt.date(2026, 12, 1)))
    assert (len(facts), sum(p.imported for p in problems), sum(not p.imported for p in problems)
            ) == (children, warnings, 0)


# --- SSDA903 ---------------------------------------------------------------------------------


def _903(text: str) -> io.BytesIO:
    return io.BytesIO(("\ufeff" + text.replace("\n", "\r\n")).encode())


EPISODES = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE\n"


def test_placements_count_each_move_in_the_last_year_and_the_open_legal_status():
    # A: in care since 2023; a legal status change is the same placement; moved twice in the
    # last 12 months (three placements touched the year). B: left care in 2023.
    facts, problems = _split(read_ssda903(_903(
        EPISODES
        + "A,01/06/2023,S,V2,N1,U1,PR1,01/09/2023,X1,\n"
        + "A,01/09/2023,L,C2,N1,U1,PR1,01/05/2024,X1,\n"
        + "A,01/05/2024,P,C2,N1,U3,PR1,10/01/2025,X1,CARPL\n"
        + "A,10/01/2025,P,C2,N1,K2,PR2,,,\n"
        + "B,01/01/2023,S,V2,N1,U1,PR1,01/03/2023,E11,\n"
    ), as_of=AS_OF))
    assert problems == []
    assert facts == {"A": {"lac_placements_12m": 3, "legal_status": "C2"},
                     "B": {"lac_placements_12m": 0, "legal_status": None}}


def test_changes_of_social_worker_leave_out_the_first_allocation_and_the_same_worker():
    facts, _ = _split(read_ssda903(_903(
        "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n"
        "A,01/01/2010,SW1,01/01/2024,01/05/2024,MANAGE\n"
        "A,01/01/2010,SW2,01/05/2024,01/08/2024,FITADJ\n"
        "A,01/01/2010,SW2,01/08/2024,01/10/2024,OTHERS\n"
        "A,01/01/2010,SW3,01/10/2024,01/12/2024,ORGRE\n"
        "A,01/01/2010,SW4,01/12/2024,,\n"
        "B,01/01/2010,SW9,01/06/2024,,\n"
    ), as_of=AS_OF))
    assert facts == {"A": {"sw_changes_12m": 3}, "B": {"sw_changes_12m": 0}}


def test_reviews_and_missing_episodes_and_refused_rows():
    facts, problems = _split(read_ssda903(_903(
        "CHILD,DOB,REVIEW,REVIEW_CODE\nA,01/01/2010,01/02/2024,PN1\nA,01/01/2010,03/03/2025,PN1\n"
        ",01/01/2010,03/03/2025,PN1\nB,01/01/2010,31/02/2025,PN1\n"), as_of=AS_OF))
    assert facts == {"A": {"last_review_on": dt.date(2025, 3, 3)}}
    assert [(p.row, p.column, p.imported) for p in problems] == [(4, "CHILD", False),
                                                                 (5, "REVIEW", False)]
    missing, _ = _split(read_ssda903(_903(
        "CHILD,DOB,MISSING,MIS_START,MIS_END\nA,01/01/2010,M,01/01/2024,02/01/2024\n"
        "A,01/01/2010,A,01/06/2024,02/06/2024\nA,01/01/2010,M,01/03/2025,\n"), as_of=AS_OF))
    assert missing == {"A": {"missing_12m": 2}}


@pytest.mark.parametrize(("header", "reason"), [
    ("CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB", "the SSDA903 header table, which holds nothing"),
    ("CHILD,SEX,DOB,DUC", "the SSDA903 uasc table"),
    ("Child Unique ID,Gender", "not an SSDA903 table this service reads"),
    ("", "the file is empty"),
])
def test_tables_the_service_does_not_keep_are_refused_with_the_reason(header, reason):
    with pytest.raises(Ssda903FileError, match=reason):
        list(read_ssda903(_903(header + "\n" if header else ""), as_of=AS_OF))


@pytest.mark.parametrize(("name", "children", "refused", "warnings"), [
    ("ssda903_episodes_fake.csv", 2123, 0, 0),
    ("ssda903_2020_episodes_synthetic.csv", 2, 0, 0),
    ("ssda903_2025_episodes_tt1_synthetic.csv", 11, 2, 1),
    ("ssda903_reviews_fake.csv", 2675, 179, 0),
    ("ssda903_2025_reviews_tt1_synthetic.csv", 4, 1, 0),
    ("ssda903_missing_fake.csv", 39, 0, 0),
    ("ssda903_2025_missing_tt1_synthetic.csv", 19, 0, 0),
    ("ssda903_sw_episodes_fake.csv", 1, 0, 0),
])
def test_every_shared_903_table_it_keeps_reads(name, children, refused, warnings):
    path = sample(f"ssda903/{name}")
    with path.open("rb") as stream:
        items = list(read_ssda903(stream, as_of=AS_OF))
    facts, problems = _split(items)
    assert (len(facts), sum(not p.imported for p in problems), sum(p.imported for p in problems)
            ) == (children, refused, warnings)
    # Every data row is counted once: with its child's facts, or as refused.
    data_rows = sum(1 for line in path.read_text(encoding="utf-8-sig").splitlines()[1:]
                    if line.strip(", "))
    kept = sum(i.rows for i in items if isinstance(i, CaseEnrichment))
    assert kept + len({p.row for p in problems if not p.imported}) == data_rows


@pytest.mark.parametrize("name", [
    "ssda903_header_fake.csv", "ssda903_uasc_fake.csv", "ssda903_oc3_fake.csv",
    "ssda903_2025_header_tt1_synthetic.csv", "ssda903_2025_oc2_tt1_synthetic.csv",
    "ssda903_2025_ad1_tt1_synthetic.csv", "ssda903_2025_placedadoption_tt1_synthetic.csv",
    "ssda903_2025_prevperm_tt1_synthetic.csv", "ssda903_2025_uasc_tt1_synthetic.csv",
    "ssda903_2025_oc3_tt1_synthetic.csv",
])
def test_every_shared_903_table_it_does_not_keep_is_refused(name):
    with sample(f"ssda903/{name}").open("rb") as stream, \
            pytest.raises(Ssda903FileError, match="holds nothing audit-service keeps"):
        list(read_ssda903(stream, as_of=AS_OF))


# --- Importing: matched cases gain facts, nobody is created, nothing is closed --------------


def _case(child_id: str, case_type: CaseType = CaseType.CHILD_PROTECTION, **facts) -> Case:
    return Case.create(child_id=child_id, public_id=new_public_id(), case_type=case_type.value,
                       facts_hash="x", **facts)


def _import(path, name: str | None = None, **kwargs) -> ImportBatch:
    with path.open("rb") as stream:
        return import_file(stream, name or path.name, importers=installed().importers,
                           as_of=kwargs.pop("as_of", dt.date(2026, 12, 1)), closure_limit=0.1,
                           **kwargs)


def test_a_census_enriches_the_cases_it_names_reports_the_rest_and_re_imports_as_unchanged(
        db):
    path = sample("cin_census/cin_census_many_children_fake.xml")
    with path.open("rb") as stream:
        facts, _ = _split(read_cin_census(stream, as_of=dt.date(2026, 12, 1)))
    named = list(facts)[:5]
    for child_id in named:
        _case(child_id)
    _case("NOT-IN-THE-CENSUS", previous_cp_plans=2)
    closed = Case.get(Case.child_id == named[4])
    Case.update(status=CaseStatus.CLOSED.value).where(Case.id == closed.id).execute()
    cases = Case.select().count()

    batch = _import(path)
    assert batch.importer == "cin-census-xml" and not batch.full_import
    assert (batch.rows_read, batch.created_count, batch.updated_count, batch.unchanged_count,
            batch.closed_count, batch.rows_refused, batch.warning_count) == (
        332, 0, 5, 0, 0, 327, 2)
    assert Case.select().count() == cases
    assert Case.select().where(Case.status == CaseStatus.OPEN.value).count() == 5
    for child_id in named:
        case = Case.get(Case.child_id == child_id)
        assert case.referral_on == facts[child_id]["referral_on"]
        assert case.cp_category == facts[child_id]["cp_category"]
    unmatched = RejectedRow.select().where(RejectedRow.batch == batch,
                                           RejectedRow.column == "child id")
    assert unmatched.count() == 327
    assert "import the Annex A caseload first" in unmatched.first().reason

    again = _import(path)
    assert (again.updated_count, again.unchanged_count) == (0, 5)


def test_each_903_table_sets_only_its_own_facts_and_keeps_no_date_of_birth(db):
    episodes = sample("ssda903/ssda903_2025_episodes_tt1_synthetic.csv")
    reviews = sample("ssda903/ssda903_2025_reviews_tt1_synthetic.csv")
    child = _case("186835", CaseType.LOOKED_AFTER, placements_12m=2)
    for path in (episodes, reviews):
        batch = _import(path, as_of=AS_OF)
        assert batch.importer == "ssda903-csv", batch.error
        assert batch.status == "completed" and batch.updated_count == 1
    stored = Case.get_by_id(child.id)
    # The episodes' facts survive the reviews' import, and the reviews' the episodes'.
    assert (stored.lac_placements_12m, stored.legal_status, stored.last_review_on) == (
        1, "L2", dt.date(2024, 9, 28))
    assert stored.placements_12m == 2  # the caseload's own count is left as it was
    again = _import(episodes, as_of=AS_OF)
    assert (again.updated_count, again.unchanged_count) == (0, 1)
    assert Case.get_by_id(child.id).last_review_on == dt.date(2024, 9, 28)
    # The child's date of birth (30/01/2014) is in both files and nowhere here.
    dumped = " ".join(str(value) for row in Case.select().dicts() for value in row.values())
    dumped += " ".join(f"{r.value} {r.reason}" for r in RejectedRow.select())
    assert "2014-01-30" not in dumped and "30/01/2014" not in dumped


def test_a_table_with_nothing_kept_fails_and_changes_nothing(db):
    _case("566910", CaseType.LOOKED_AFTER)
    with pytest.raises(Exception, match="holds nothing audit-service keeps"):
        _import(sample("ssda903/ssda903_header_fake.csv"))
    assert ImportBatch.get().status == "failed"
    assert Case.get().legal_status is None
