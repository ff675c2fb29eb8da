"""The rubric services as pages and the API call them: views out, refusals from the one
error family, and nothing that hands a database row to either layer."""

from __future__ import annotations

import pytest
import yaml

from audit_service.domain.rubrics import parse_rubric_document
from audit_service.domain.vocabulary import Role
from audit_service.extension import registries
from audit_service.services.errors import Conflict, Invalid, NotFound
from audit_service.services.rubrics import assignments as rubric_assignments
from audit_service.services.rubrics import drafts as rubric_drafts
from audit_service.services.rubrics import history as rubric_history
from audit_service.services.rubrics import uploads as rubric_uploads
from audit_service.services.rubrics import versions as rubric_versions
from audit_service.services.rubrics.views import (
    AssignmentView,
    DraftView,
    Published,
    RubricSummary,
    VersionView,
)
from audit_service.storage.models import Event, Service
from tests.audits.world import publish_rubrics

VOICE = "voice_of_the_child"


@pytest.fixture
def lead(app, make_user):
    publish_rubrics(app)
    return make_user(Role.QUALITY_LEAD, "quinn")


def _types():
    return registries().criterion_types


def test_a_draft_is_a_view_from_start_to_publish(app, lead):
    with app.app_context():
        draft = rubric_drafts.draft_from_version(VOICE, 1, author=lead)
        assert isinstance(draft, DraftView)
        assert (draft.rubric_id, draft.version, draft.base_version) == (VOICE, 1, 1)
        assert draft.document["version_notes"] == ""
        assert rubric_drafts.list_drafts(VOICE) == [rubric_drafts.get_draft(draft.public_id)]

        document = {**draft.document, "version_notes": "Weights reviewed"}
        saved = rubric_drafts.save(draft.public_id, document, draft.version, actor=lead)
        assert (saved.version, saved.document["version_notes"]) == (2, "Weights reviewed")

        published = rubric_drafts.publish(draft.public_id, 2, actor=lead,
                                          criterion_types=_types())
        assert published == Published(rubric_id=VOICE, version=2, title="Voice of the child",
                                      content_hash=published.content_hash, created=True)
        with pytest.raises(rubric_drafts.DraftNotFound):
            rubric_drafts.get_draft(draft.public_id)


def test_a_stale_save_or_publish_is_a_conflict_with_both_versions(app, lead):
    with app.app_context():
        draft = rubric_drafts.draft_from_version(VOICE, 1, author=lead)
        rubric_drafts.save(draft.public_id, draft.document, 1, actor=lead)
        for attempt in (
            lambda: rubric_drafts.save(draft.public_id, draft.document, 1, actor=lead),
            lambda: rubric_drafts.publish(draft.public_id, 1, actor=lead,
                                          criterion_types=_types()),
        ):
            with pytest.raises(rubric_drafts.DraftConflict) as refused:
                attempt()
            assert isinstance(refused.value, Conflict) and refused.value.status == 409
            assert refused.value.current.version == 2
            assert refused.value.details() == {"your_version": 1, "current_version": 2}
            assert refused.value.message == "Someone else saved this draft after you opened it."


def test_a_draft_that_does_not_validate_is_refused_with_its_problems_on_the_document(app, lead):
    with app.app_context():
        draft = rubric_drafts.draft_from_version(VOICE, 1, author=lead)
        document = dict(draft.document)
        document["criteria"] = [{**document["criteria"][0], "weight": "heavy"},
                                *document["criteria"][1:]]
        saved = rubric_drafts.save(draft.public_id, document, 1, actor=lead)
        check = rubric_drafts.validate(draft.public_id, _types())
        assert not check.valid and check.rubric_id is None
        assert [e.path for e in check.errors] == ["criteria[0].weight"]
        with pytest.raises(rubric_drafts.InvalidDraft) as refused:
            rubric_drafts.publish(draft.public_id, saved.version, actor=lead,
                                  criterion_types=_types())
        assert refused.value.status == 422
        assert refused.value.by_field() == {"document": [
            f"draft {VOICE}: criteria[0].weight: must be a number (got 'heavy')"]}


def test_addresses_that_lead_nowhere_are_not_found(app, lead):
    with app.app_context():
        draft = rubric_drafts.draft_from_version(VOICE, 1, author=lead)
        refusals = [
            lambda: rubric_drafts.get_draft("nope"),
            lambda: rubric_drafts.save("nope", {}, 1, actor=lead),
            lambda: rubric_drafts.delete("nope", actor=lead),
            lambda: rubric_drafts.item(draft, "criteria", len(draft.items("criteria"))),
            lambda: rubric_drafts.draft_from_version(VOICE, 9, author=lead),
            lambda: rubric_versions.read_version(VOICE, 9),
            lambda: rubric_history.history("nope"),
            lambda: rubric_history.compare(VOICE, 1, 9),
            lambda: rubric_versions.retire("nope", actor=lead),
        ]
        for refusal in refusals:
            with pytest.raises(NotFound):
                refusal()
        assert rubric_drafts.item(draft, "criteria", 0) == draft.document["criteria"][0]


def test_a_version_named_in_a_request_body_is_invalid_input_not_a_missing_page(app, lead):
    with app.app_context():
        with pytest.raises(rubric_drafts.DraftError) as refused:
            rubric_drafts.start_draft(author=lead, from_rubric=VOICE, from_version=9)
        assert refused.value.by_field() == {"from_version": [f"rubric '{VOICE}' has no version 9"]}
        started = rubric_drafts.start_draft(author=lead, rubric_id="record_keeping",
                                            title="Record keeping", domain="Records")
        assert (started.rubric_id, started.base_version) == ("record_keeping", None)
        copied = rubric_drafts.start_draft(author=lead, document={"id": VOICE})
        assert copied.base_version == 1


def test_a_version_reads_and_exports_as_the_file_it_came_from(app, lead):
    with app.app_context():
        version = rubric_versions.read_version(VOICE, 1)
        assert isinstance(version, VersionView)
        assert version.filename == f"{VOICE}-v1.yaml"
        assert version.yaml.startswith(f"# {VOICE} version 1, exported from audit-service.")
        loaded = parse_rubric_document(yaml.safe_load(version.yaml))
        assert loaded.content_hash() == version.content_hash


def test_history_lists_versions_newest_first_and_compare_defaults_to_the_latest_two(app, lead):
    with app.app_context():
        draft = rubric_drafts.draft_from_version(VOICE, 1, author=lead)
        rubric_drafts.publish(draft.public_id, 1, actor=lead, criterion_types=_types())
        rubric_drafts.draft_from_version(VOICE, 2, author=lead)
        history = rubric_history.history(VOICE)
        assert history.rubric == RubricSummary(VOICE, "Voice of the child",
                                               "Voice of the child", 2)
        assert [v.number for v in history.versions] == [2, 1]
        assert [d.base_version for d in history.drafts] == [2]
        compared = rubric_history.compare(VOICE)
        assert (compared.old, compared.new) == (1, 2)
        assert [c.field for c in compared.changes] == ["version_notes"]
        assert compared.headline
        assert rubric_history.compare(VOICE, 2, 2).changes == ()


def test_retiring_says_which_rubric_and_records_it_once(app, lead):
    with app.app_context():
        retired = rubric_versions.retire(VOICE, actor=lead)
        again = rubric_versions.retire(VOICE, actor=lead)
        assert retired.retired and retired.title == "Voice of the child"
        assert again == retired
        assert Event.select().where(Event.action == "rubric.retired").count() == 1
        assert VOICE not in [r.rubric_id for r in rubric_assignments.choices().rubrics]


def test_assignments_name_their_service_by_id_from_a_page_or_by_name_from_the_api(app, lead):
    with app.app_context():
        council = Service.create(name="Early help")
        by_id = rubric_assignments.assign(VOICE, ["child_in_need"], actor=lead,
                                          service_id=council.id)
        assert by_id == AssignmentView(by_id.id, VOICE, "Voice of the child", "Early help",
                                       ("child_in_need",))
        by_name = rubric_assignments.assign(VOICE, ["looked_after"], actor=lead,
                                            service_name="Early help")
        assert rubric_assignments.list_assignments() == [by_name]  # it replaced the first
        assert rubric_assignments.choices().services == ((council.id, "Early help"),)

        with pytest.raises(Invalid) as unknown_id:
            rubric_assignments.assign(VOICE, ["looked_after"], actor=lead, service_id=-1)
        assert unknown_id.value.error_for == {"service": "Choose a service from the list"}
        with pytest.raises(Invalid) as unknown_name:
            rubric_assignments.assign(VOICE, [], actor=lead, service_name="Nope")
        assert (unknown_name.value.message, unknown_name.value.by_field()) == (
            "there is no service with that name", {"service": ["no such service"]})


def test_an_upload_that_is_no_file_or_no_rubric_is_refused_on_the_file_field(app, lead):
    with app.app_context():
        for content, message in (
            (None, "Choose a rubric file (.yaml) to import"),
            (b"\xff\xfe", "The file must be UTF-8 text (a .yaml rubric file)"),
            (b"- a list", "The file must hold one rubric (a set of named fields)"),
        ):
            with pytest.raises(rubric_drafts.DraftError) as refused:
                rubric_uploads.draft_from_yaml(content, "x.yaml", author=lead)
            assert refused.value.error_for == {"file": message}
