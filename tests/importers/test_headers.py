"""Finding columns by heading despite case, spacing, NBSP, punctuation and known variants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit_service.domain.imports.annex_a.headers import column_letter, header_key, match_headers
from audit_service.domain.imports.annex_a.lists import LIST_7, LIST_8, list_number


def test_messy_headings_match():
    header = [
        "  CHILD unique id ", "date\xa0of\xa0birth", "CP Plan Start Date",
        "Date of Last Statutory Visit", "was the child seen alone", "Allocated  Team",
        "Allocated Social Worker", "Number of Previous CP Plans", "Child Protection Plan End Date",
    ]
    match = match_headers(header, LIST_7.fields)
    assert {k: c.index for k, c in match.columns.items()} == {
        "child_id": 0, "date_of_birth": 1, "opened_on": 2, "last_seen_on": 3, "seen_alone": 4,
        "team_name": 5, "worker_name": 6, "previous_cp_plans": 7, "closed_on": 8,
    }
    assert match.missing == ()
    assert match.columns["team_name"].heading == "Allocated Team"


def test_missing_and_repeated_headings_are_reported():
    match = match_headers(["Child Unique ID", "Allocated Team", "allocated team"], LIST_8.fields)
    assert [f.heading for f in match.missing] == [
        "Date of Birth", "Allocated Worker", "Date Started to be Looked After",
        "Date of Last Social Work Visit", "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After", "Reason Ceased to be Looked After",
    ]
    assert [(f.key, heading, a, b) for f, heading, a, b in match.repeated] == [
        ("team_name", "allocated team", 1, 2)
    ]


@given(st.sampled_from([f for f in LIST_8.fields]), st.data())
def test_any_casing_and_spacing_of_a_heading_matches(field, data):
    words = field.heading.split()
    gaps = data.draw(st.lists(st.sampled_from([" ", "  ", "\xa0", " \xa0"]),
                              min_size=len(words) - 1, max_size=len(words) - 1))
    cased = [data.draw(st.sampled_from([w.upper(), w.lower(), w.title()])) for w in words]
    text = cased[0] + "".join(g + w for g, w in zip(gaps, cased[1:], strict=True))
    assert header_key(text) in field.keys


def test_curly_quotes_and_apostrophes():
    assert header_key("Child\u2019s Legal Status") == header_key("Child's legal status")


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A", "Z", "AA", "AB", "ZZ", "AAA"
    ]


def test_list_numbers_from_sheet_and_file_names():
    assert list_number("List 6") == 6
    assert list_number(" list6 ") == 6
    assert list_number("List\xa07 - Child protection") == 7
    assert list_number("annex_a_list_8") == 8
    assert list_number("9") == 9
    assert list_number("Checklist 6") is None
    assert list_number("Summary") is None


@pytest.mark.parametrize(("heading", "key"), [
    ("Child Identifier", "child_id"),
    ("ID of child", "child_id"),
    ("Child's Date of Birth", "date_of_birth"),
    ("Sum of Number of Previous Child Protection Plans", "previous_cp_plans"),
])
def test_the_looser_spellings_councils_send_are_matched(heading, key):
    """Header variants a regional pipeline accepts from real councils (../shared/data/reference)."""
    from audit_service.domain.imports.annex_a.lists import LIST_7

    match = match_headers(["Allocated Team", heading], LIST_7.fields)
    assert match.columns[key].index == 1
    assert match.columns[key].heading == heading


def test_an_exact_heading_wins_over_a_looser_one():
    from audit_service.domain.imports.annex_a.lists import LIST_6

    match = match_headers(["Child Identifier (old)", "Child Unique ID"], LIST_6.fields)
    assert match.columns["child_id"].index == 1
