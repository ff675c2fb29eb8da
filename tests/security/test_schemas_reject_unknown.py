"""Every marshmallow schema in the project refuses unknown fields, nested ones included.

A field the server silently drops is a typo the client never hears about
(``"evidance": ...`` saved as no evidence) and room for smuggling attributes
past validation. marshmallow's default is RAISE, but a ``Meta.unknown``, a
``Schema(unknown=...)``, a ``Nested(..., unknown=...)``, a ``load(...,
unknown=...)`` or a webargs parser default can each turn it off; this module
checks all of them, then proves the rule by loading payloads with an extra
field, at the top level and inside every nested schema.
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import importlib.util
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import marshmallow as ma
import pytest
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.core import _UNKNOWN_DEFAULT_PARAM

import audit_service
from audit_service.api.blueprint import Blueprint as StrictBlueprint

EXTRA = "unexpected_field"

# Deliberate exceptions, each with the reason and the test that proves the
# unknown field is still refused further on.
ALLOWED_NOT_RAISE = {
    # The request body IS a rubric document; it is handed whole to the rubric
    # validators, whose RubricSchema refuses unknown fields (proved below).
    "audit_service.api.rubrics.RubricUploadSchema",
}


# Process entry points, not imported: they run the CLI or build the production app
# against the configured database at import. Checked below to define no schema.
ENTRY_POINTS = {"__main__", "wsgi", "gunicorn_conf"}
SKIPPED: list[str] = []


def _walk(package: ModuleType) -> Iterator[ModuleType]:
    yield package
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
        if ".tests" in info.name:
            continue
        if info.name.rsplit(".", 1)[-1] in ENTRY_POINTS:
            SKIPPED.append(info.name)
            continue
        yield importlib.import_module(info.name)


def _project_modules() -> list[ModuleType]:
    """``audit_service`` and its default plugins (a package of their own), each imported."""
    return [*_walk(audit_service), *_walk(importlib.import_module("audit_service.default_plugins"))]


MODULES = _project_modules()
MODULE_NAMES = {module.__name__ for module in MODULES}


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


PROJECT_SCHEMAS = sorted(
    {cls for cls in _subclasses(ma.Schema) if cls.__module__ in MODULE_NAMES},
    key=_qualname,
)


def _nested_fields(field: ma.fields.Field, path: str) -> Iterator[tuple[str, ma.fields.Nested]]:
    """Nested fields reachable from ``field``, through lists, tuples and dict values."""
    if isinstance(field, ma.fields.Nested):
        yield path, field
    elif isinstance(field, ma.fields.List):
        yield from _nested_fields(field.inner, f"{path}[]")
    elif isinstance(field, ma.fields.Tuple):
        for index, inner in enumerate(field.tuple_fields):
            yield from _nested_fields(inner, f"{path}[{index}]")
    elif isinstance(field, ma.fields.Dict) and field.value_field is not None:
        yield from _nested_fields(field.value_field, f"{path}{{}}")


def _instance(cls: type[ma.Schema]) -> ma.Schema | None:
    try:
        return cls()
    except TypeError:  # needs constructor arguments: checked by its options only
        return None


def test_the_walk_finds_the_api_schemas_and_the_rubric_schema() -> None:
    """Guards the collection itself: an empty or partial walk would pass everything."""
    names = {_qualname(cls) for cls in PROJECT_SCHEMAS}
    assert "audit_service.domain.rubrics.schema.RubricSchema" in names
    api_modules = {m.__name__ for m in MODULES if m.__name__.startswith("audit_service.api.")}
    with_schemas = {cls.__module__ for cls in PROJECT_SCHEMAS}
    assert {"audit_service.api.schemas", "audit_service.api.audit_schemas"} <= with_schemas
    assert with_schemas & api_modules
    assert len(PROJECT_SCHEMAS) >= len(with_schemas)


@pytest.mark.parametrize("schema_cls", PROJECT_SCHEMAS, ids=_qualname)
def test_schema_options_raise_on_unknown_fields(schema_cls: type[ma.Schema]) -> None:
    if _qualname(schema_cls) in ALLOWED_NOT_RAISE:
        pytest.skip("deliberate exception, proved by the rubric validator test")
    assert schema_cls.opts.unknown == ma.RAISE
    instance = _instance(schema_cls)
    if instance is not None:
        assert instance.unknown == ma.RAISE
    for name, field in schema_cls._declared_fields.items():
        for path, nested in _nested_fields(field, name):
            assert nested.unknown in (None, ma.RAISE), f"{path} overrides unknown"
            assert nested.schema.unknown == ma.RAISE, f"{path} nests a schema that allows it"


# -- proof by loading ---------------------------------------------------------------------

SAMPLES: list[tuple[type[ma.fields.Field], Any]] = [
    (ma.fields.Boolean, True),
    (ma.fields.Integer, 1),
    (ma.fields.Number, 1),
    (ma.fields.DateTime, dt.datetime(2025, 1, 2, 3, 4, 5).isoformat()),
    (ma.fields.Date, "2025-01-02"),
    (ma.fields.Email, "someone@example.org"),
    (ma.fields.Url, "https://example.org/"),
    (ma.fields.UUID, "12345678-1234-5678-1234-567812345678"),
    (ma.fields.Dict, {}),
    (ma.fields.String, "a"),
]


def _sample(field: ma.fields.Field, depth: int = 0) -> Any:
    """A plausible value for ``field``; being exactly valid is not needed."""
    if isinstance(field, ma.fields.Nested):
        payload = _payload(field.schema, depth + 1)
        return [payload] if field.many else payload
    if isinstance(field, ma.fields.List):
        return [_sample(field.inner, depth)]
    if isinstance(field, ma.fields.Enum):
        return next(iter(field.enum)).value
    validators = getattr(field, "validators", [])
    for validator in validators:
        if isinstance(validator, ma.validate.OneOf):
            return next(iter(validator.choices))
    for kind, value in SAMPLES:
        if isinstance(field, kind):
            return value
    return "a"


def _payload(schema: ma.Schema, depth: int = 0) -> dict[str, Any]:
    if depth > 4:
        return {}
    return {
        field.data_key or name: _sample(field, depth)
        for name, field in schema.fields.items()
        if not field.dump_only
    }


def _errors(schema: ma.Schema, payload: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ma.ValidationError) as caught:
        schema.load(payload)
    messages = caught.value.messages
    assert isinstance(messages, dict), messages
    return messages


LOADABLE = [
    cls for cls in PROJECT_SCHEMAS
    if _qualname(cls) not in ALLOWED_NOT_RAISE and _instance(cls) is not None
]


@pytest.mark.parametrize("schema_cls", LOADABLE, ids=_qualname)
def test_an_extra_field_is_refused_by_name(schema_cls: type[ma.Schema]) -> None:
    schema = schema_cls()
    payload = _payload(schema)
    errors = _errors(schema, {**payload, EXTRA: "x"})
    assert EXTRA in errors, errors
    assert errors[EXTRA] == [schema.error_messages["unknown"]]


NESTED = [
    (cls, name, path)
    for cls in LOADABLE
    for name, field in cls._declared_fields.items()
    for path, _ in _nested_fields(field, name)
]


@pytest.mark.parametrize(("schema_cls", "name", "path"), NESTED,
                         ids=[f"{_qualname(c)}.{p}" for c, _, p in NESTED])
def test_an_extra_field_inside_a_nested_schema_is_refused(schema_cls, name, path) -> None:
    schema = schema_cls()
    field = schema.fields[name]
    key = field.data_key or name
    payload = _payload(schema)
    value = payload[key]
    inner = value[0] if isinstance(value, list) else value
    inner[EXTRA] = "x"
    errors = _errors(schema, payload)
    nested_errors = errors.get(key)
    if isinstance(value, list):  # errors of list items are keyed by index
        nested_errors = (nested_errors or {}).get(0)
    assert isinstance(nested_errors, dict) and EXTRA in nested_errors, errors


def test_the_rubric_upload_body_still_refuses_unknown_fields() -> None:
    """The one INCLUDE schema passes the body on; the rubric validators name the field."""
    from audit_service.api.rubrics import RubricUploadSchema
    from audit_service.domain.rubrics import check_document

    document = {"id": "r", "title": "T", "domain": "d", "case_types": ["x"],
                "criteria": [{"id": "c", "prompt": "p", EXTRA: 1}], EXTRA: 2}
    assert RubricUploadSchema().load(document) == document
    _, errors = check_document(document, "<upload>")
    paths = {e.path for e in errors if EXTRA in e.path}
    assert paths == {EXTRA, f"criteria[0].{EXTRA}"}, [(e.path, e.message) for e in errors]


# -- what decides ``unknown`` besides the schema ------------------------------------------

def _unknown_keywords(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg == "unknown":
                    yield node.lineno, ast.unparse(keyword.value)
        if isinstance(node, ast.ClassDef) and node.name == "Meta":
            for statement in node.body:
                if isinstance(statement, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "unknown" for t in statement.targets
                ):
                    yield statement.lineno, ast.unparse(statement.value)


def test_the_skipped_entry_points_define_no_schema() -> None:
    for name in SKIPPED:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        assert not [n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)], name
        assert not list(_unknown_keywords(tree)), name


def test_no_code_loads_with_another_unknown_policy() -> None:
    """``Schema(unknown=...)``, ``load(..., unknown=...)``, ``bp.arguments(..., unknown=...)``."""
    allowed_files = {
        Path(inspect.getfile(importlib.import_module(name.rsplit(".", 1)[0])))
        for name in ALLOWED_NOT_RAISE
    }
    found = []
    for module in MODULES:
        path = Path(inspect.getfile(module))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, value in _unknown_keywords(tree):
            if value.rsplit(".", 1)[-1] != "RAISE":
                found.append((path, line, value))
    assert {path for path, _, _ in found} <= allowed_files, found
    assert len(found) == len(ALLOWED_NOT_RAISE), found


def test_every_api_blueprint_parses_with_the_strict_parser() -> None:
    """webargs would drop unknown query, header and file fields unless told not to."""
    from audit_service.api import _blueprints

    blueprints = _blueprints()
    assert blueprints
    for blueprint in blueprints:
        assert isinstance(blueprint, SmorestBlueprint)
        assert isinstance(blueprint, StrictBlueprint), blueprint.name
        parser = blueprint.ARGUMENTS_PARSER
        assert set(parser.DEFAULT_UNKNOWN_BY_LOCATION.values()) == {None}, blueprint.name
        assert parser.unknown in (None, ma.RAISE, _UNKNOWN_DEFAULT_PARAM), blueprint.name


def test_every_schema_an_api_view_uses_raises(tmp_path: Path) -> None:
    """The schemas the views were decorated with, as webargs and flask-smorest see them.

    Needs the registered views only, not a database, so it runs once, not per backend.
    """
    from audit_service.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/unused.sqlite3",
                      "SECRET_KEY": "test-secret-key"})
    used = []
    for endpoint, view in app.view_functions.items():
        doc = getattr(view, "_apidoc", {})
        for parameter in doc.get("arguments", {}).get("parameters", []):
            used.append((endpoint, parameter["in"], parameter["schema"]))
    assert used
    for endpoint, location, schema in used:
        schema_cls = schema if isinstance(schema, type) else type(schema)
        if _qualname(schema_cls) in ALLOWED_NOT_RAISE:
            continue
        assert schema_cls in PROJECT_SCHEMAS, (endpoint, schema)
        instance = schema() if isinstance(schema, type) else schema
        assert instance.unknown == ma.RAISE, (endpoint, location, schema)
