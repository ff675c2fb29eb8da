"""Hostile form posts: the parsers never raise, the pages never crash or echo markup.

Two layers. The pure parsers (the audit form's ``answers_from_form`` and its
checks, the GOV.UK date input, the rubric editor's form readers) get arbitrary
``MultiDict`` posts: unicode, NUL, texts either side of the length limit,
repeated and unknown keys. They may only return values and ``FieldError``
lists, never raise. Then signed-in users post the same kind of data, with a
valid CSRF token, to the audit form's endpoints on both databases: each
answer is a documented status, every page rendered is healthy HTML with the
posted markup escaped, and the stored draft is always one the form could have
produced (so it is a valid start for a submission).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import Form

from audit_service.domain.audits import CriterionKey, field_id
from audit_service.domain.audits.answers import MAX_TEXT, PARTS, answers_from_form
from audit_service.domain.audits.validation import draft_problems, submit_problems
from audit_service.domain.rubrics import BUILTIN_CRITERION_TYPES, check_document
from audit_service.domain.rubrics import editing as ed
from audit_service.domain.rubrics.loading import load_rubrics
from audit_service.domain.vocabulary import AuditStatus, Role
from audit_service.extension import registries
from audit_service.resources import rubrics_dir
from audit_service.services.audits import lifecycle as audit_service
from audit_service.storage.models import Audit
from audit_service.web.forms import DateInputField
from tests.audits.world import complete_form, world_fixture  # noqa: F401
from tests.support.pages import check_page_health

RUBRICS = {r.id: r for r in load_rubrics([rubrics_dir()])}
KEYS = [CriterionKey(r.id, c.id) for r in RUBRICS.values() for c in r.criteria]
CONTROLS = [field_id(part, key) for key in KEYS for part in PARTS]
SCRIPT = "<script>alert('x')</script>"

# Text that has broken parsers elsewhere: markup, NUL, formulas, other digits, huge numbers.
NASTY = st.sampled_from([
    "", " ", "\x00", "a\x00b", SCRIPT, "\r\n", "=cmd|' /C calc'!A0", "\uff11\uff12", "\u0663",
    "-1", "0", "9" * 12, "9" * 5000, "1e9999", "NaN", "inf", "{{7*7}}", "%s%n", "good", "yes",
    "on", "\u202e\u0000", "null", "[]",
])
# Around MAX_TEXT, so both sides of the limit are posted.
LONG = st.builds(lambda ch, n: ch * n, st.sampled_from(["a", "é", "\x00", "<"]),
                 st.integers(MAX_TEXT - 2, MAX_TEXT + 2))
TEXT = st.one_of(NASTY, st.text(st.characters(exclude_categories=("Cs",)), max_size=40), LONG)
FORM_SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(HealthCheck))


def posts(names: list[str], max_size: int = 12) -> st.SearchStrategy[MultiDict]:
    """A form post: real control names and unknown ones, each possibly repeated."""
    key = st.one_of(st.sampled_from(names), st.text(max_size=20))
    return st.lists(st.tuples(key, TEXT), max_size=max_size).map(MultiDict)


# --- the audit form's parser and checks ------------------------------------------------------


@FORM_SETTINGS
@given(form=posts(CONTROLS))
def test_any_audit_post_parses_into_answers_and_field_errors(form: MultiDict) -> None:
    answers = answers_from_form(form, KEYS)
    assert list(answers) == KEYS
    for answer in answers.values():
        assert answer.rating is None or (answer.rating and answer.rating == answer.rating.strip())
        assert isinstance(answer.not_applicable, bool)
        for text in (answer.na_reason, answer.evidence, answer.rating or ""):
            assert isinstance(text, str) and text == text.strip()
            assert "\r" not in text and "\x00" not in text  # PostgreSQL cannot store NUL
    for check in (draft_problems, submit_problems):
        errors = check(RUBRICS, answers, BUILTIN_CRITERION_TYPES)
        assert all(e.field in CONTROLS and e.message for e in errors), errors


@FORM_SETTINGS
@given(form=posts(CONTROLS))
def test_the_first_of_repeated_fields_is_the_one_read(form: MultiDict) -> None:
    """A browser never repeats these names; a forged post cannot smuggle a second value."""
    answers = answers_from_form(form, KEYS)
    for key, answer in answers.items():
        posted = form.getlist(field_id("evidence", key))
        first = posted[0] if posted else ""
        expected = first.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
        assert answer.evidence == expected


# --- the GOV.UK date input ----------------------------------------------------------------------


class _DueForm(Form):
    due = DateInputField("Due date")


DATE_MESSAGES = {"Due date must be a real date"} | {
    f"Due date must include a {' and a '.join(missing)}"
    for missing in (["day"], ["month"], ["year"], ["day", "month"], ["day", "year"],
                    ["month", "year"])
}


@FORM_SETTINGS
@given(form=posts(["due-day", "due-month", "due-year"], max_size=6))
def test_any_date_input_is_a_date_none_or_a_documented_error(form: MultiDict) -> None:
    field = _DueForm(form).due
    assert field.data is None or isinstance(field.data, dt.date)
    assert set(field.process_errors) <= DATE_MESSAGES
    assert not (field.data and field.process_errors)


def test_a_huge_year_is_a_documented_error() -> None:
    field = _DueForm(MultiDict({"due-day": "1", "due-month": "1", "due-year": "9" * 12})).due
    assert field.process_errors == ["Due date must be a real date"]


# --- the rubric editor's form readers ------------------------------------------------------------


def _editor_names() -> list[str]:
    rows = [f"{prefix}-{i}-{name}" for i in (0, 1, 7, 12)
            for prefix, names in (("level", ("id", "label", "score", "descriptor")),
                                  ("band", ("min", "max", "grade")))
            for name in names]
    single = ["id", "title", "domain", "version_notes", "prompt", "guidance", "weight",
              "evidence_required", "na_allowed", "type", "criterion", "cap", "applies_to",
              "explanation", "descriptor-good", "descriptor-inadequate"]
    return rows + single


EDITOR_NAMES = _editor_names()
# Indexes of up to six digits are rows; a longer one is ignored (test_a_huge_row_index...).
EDITOR_KEYS = st.one_of(
    st.sampled_from(EDITOR_NAMES),
    st.builds("{}-{}-{}".format, st.sampled_from(["level", "band"]),
              st.text("0123456789", min_size=1, max_size=6), st.sampled_from(["id", "min", "x"])),
    st.text(max_size=20),
)


@FORM_SETTINGS
@given(form=st.lists(st.tuples(EDITOR_KEYS, TEXT), max_size=14).map(MultiDict),
       when=st.lists(TEXT, max_size=3))
def test_any_editor_post_becomes_a_document_the_validator_describes(form, when) -> None:
    document = ed.blank_document("fuzzed", "Fuzzed", "Fuzzing")
    document |= ed.details_from_form(form, form.getlist("case_types"), id_editable=True,
                                     current_id="fuzzed")
    document["scale"] = ed.scale_from_form(form)
    document["grade_bands"] = ed.bands_from_form(form)
    document["criteria"] = [ed.criterion_from_form(form, ["good", "inadequate"])]
    document["limiting_rules"] = [ed.rule_from_form(form, when)]
    rubric, errors = check_document(document, "<draft>")
    assert (rubric is None) == bool(errors)
    for error in errors:
        assert error.message and isinstance(error.path, str)
        location = ed.locate(error.path)
        assert location.field_id and location.section


def test_a_huge_row_index_is_not_a_crash() -> None:
    assert ed.scale_from_form(MultiDict({f"level-{'1' * 5000}-id": "x"})) == []


# --- signed-in posts to the audit form, on both databases ------------------------------------

# Pages are slow to shrink through; a failure reports the example as generated.
PAGE_SETTINGS = settings(deadline=None, derandomize=True, database=None,
                         phases=(Phase.explicit, Phase.generate),
                         suppress_health_check=list(HealthCheck))


def _stored_draft_is_valid(app, audit: Audit) -> None:
    fresh = Audit.get_by_id(audit.id)
    if fresh.status != AuditStatus.DRAFT:
        return
    with app.app_context():
        types = registries().criterion_types
        state = audit_service.load_state(fresh, types)
        assert draft_problems(state.rubrics, state.answers, types) == []
    for answer in state.answers.values():
        assert "\x00" not in answer.evidence + answer.na_reason + (answer.rating or "")


def _check_page(response) -> None:
    html = response.get_data(as_text=True)
    assert SCRIPT not in html, "posted markup was echoed unescaped"
    if response.mimetype == "text/html" and response.status_code in (200, 400, 409):
        check_page_health(html)


def test_signed_in_posts_to_the_audit_form_never_crash(world) -> None:
    with world.app.app_context():
        types = registries().criterion_types
        draft, _ = audit_service.start_audit(world.supervisor, world.round_a.public_id,
                                             world.cases_a[0].public_id, types)
        state = audit_service.load_state(draft, types)
    sup = world.client(world.supervisor)
    token = sup.get(f"/audits/{draft.public_id}").csrf_token()
    controls = [field_id(part, key) for key in state.keys for part in PARTS]
    extra = ["version", "intent", "keep", "description", "owner", "status", "due-day",
             "due-month", "due-year", *(f"choice-{c}" for c in controls[:6])]
    version = st.one_of(st.just("current"), NASTY)
    intent = st.sampled_from(["save", "submit", "", "delete", SCRIPT])
    # (path, statuses): the auditor's own draft is never 403 or 404.
    endpoints = [("", {200, 302, 400, 409, 422}), ("/autosave", {200, 400, 409, 422}),
                 ("/resolve", {200, 302, 400, 409, 422}), ("/actions", {302, 400, 403, 409})]
    seen: set[int] = set()

    nul_evidence = MultiDict({controls[3]: "seen\x00 alone", controls[7]: "\x00"})

    @settings(PAGE_SETTINGS, max_examples=30)
    @given(endpoint=st.sampled_from(endpoints), form=posts(controls + extra, max_size=10),
           version=version, intent=intent)
    @example(endpoints[0], nul_evidence, "current", "save")
    @example(endpoints[1], nul_evidence, "current", "")
    def post(endpoint, form, version, intent) -> None:
        path, allowed = endpoint
        current = str(Audit.get_by_id(draft.id).version)
        form.setlist("version", [current if version == "current" else version])
        form.setlist("intent", [intent])
        form.setlist("csrf_token", [token])
        response = sup.client.post(f"/audits/{draft.public_id}{path}", data=form)
        seen.add(response.status_code)
        assert response.status_code in allowed, (path, form, response.status_code)
        _check_page(response)
        _stored_draft_is_valid(world.app, draft)

    post()
    assert seen & {200, 302} and seen & {400, 409, 422}, seen


def _submitted(world) -> Audit:
    with world.app.app_context():
        types = registries().criterion_types
        audit, _ = audit_service.start_audit(world.supervisor, world.round_a.public_id,
                                             world.cases_a[1].public_id, types)
        state = audit_service.load_state(audit, types)
        answers = answers_from_form(MultiDict(complete_form(state)), state.keys)
        audit_service.submit(world.supervisor, audit, answers, audit.version, types)
    return Audit.get_by_id(audit.id)


def test_signed_in_posts_after_submission_never_crash(world) -> None:
    audit = _submitted(world)
    pat = world.client(world.practitioner)
    token = pat.get(f"/audits/{audit.public_id}").csrf_token()

    @settings(PAGE_SETTINGS, max_examples=20)
    @given(path=st.sampled_from(["/response", "/acknowledge"]),
           form=posts(["response", "version"], max_size=4),
           version=st.one_of(st.just("current"), NASTY))
    def post(path, form, version) -> None:
        current = str(Audit.get_by_id(audit.id).version)
        form.setlist("version", [current if version == "current" else version])
        form.setlist("csrf_token", [token])
        response = pat.client.post(f"/audits/{audit.public_id}{path}", data=form)
        assert response.status_code in {302, 400, 409, 422}, (path, form, response.status_code)
        _check_page(response)

    post()


def test_nul_in_a_response_or_action_is_not_a_crash(world) -> None:
    """A NUL in any browser form is refused once, before the view (``web.security``)."""
    audit = _submitted(world)
    sup = world.client(world.supervisor)
    token = sup.get(f"/audits/{audit.public_id}").csrf_token()
    action = sup.client.post(f"/audits/{audit.public_id}/actions", data={
        "description": "Visit\x00 alone", "owner": str(world.practitioner.id), "due-day": "1",
        "due-month": "1", "due-year": str(dt.date.today().year + 1), "status": "open",
        "csrf_token": token})
    pat = world.client(world.practitioner)
    token = pat.get(f"/audits/{audit.public_id}").csrf_token()
    response = pat.client.post(f"/audits/{audit.public_id}/response", data={
        "response": "Agreed\x00", "version": str(audit.version), "csrf_token": token})
    assert (action.status_code, response.status_code) in {(302, 302), (400, 400)}


def test_a_nul_or_a_huge_id_in_a_browser_url_is_a_clear_4xx(login_as) -> None:
    lead = login_as(Role.QUALITY_LEAD)
    assert lead.client.get("/audits/a%00b").status_code == 400
    assert lead.client.get("/learning?from=2026-01%00").status_code == 400
    huge = "9" * 20
    assert lead.client.get(f"/rubrics/voice_of_the_child/versions/{huge}/export"
                           ).status_code == 404
