"""Everything the installed plugins contribute, collected once and handed to the services.

One ``Registries`` object per app (the CLI and the scheduler build theirs the same way):
importers, criterion types, rubric files, evidence prompts, sampling strategies,
notifiers and exporters. Building it validates every registration, so a broken plugin
stops start-up with an error naming the plugin, not a user's request later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

import pluggy

from audit_service.domain.audits.evidence import EvidencePromptProvider
from audit_service.domain.rubrics import CriterionType, Rubric, RubricError
from audit_service.domain.rubrics.loading import check_file, rubric_files
from audit_service.domain.sampling import SamplingStrategy
from audit_service.exports.base import Exporter
from audit_service.importers.base import CaseImporter
from audit_service.notifications.base import Notifier, NotifierSettings
from audit_service.plugins.manager import PluginError, build_plugin_manager, plugin_name
from audit_service.plugins.registries import Registry, UnknownPlugin, collect


@dataclass(frozen=True)
class RubricSource:
    """A rubric loaded from a plugin's file, and where it came from."""

    rubric: Rubric
    path: Path
    plugin: str


@dataclass(frozen=True)
class Registries:
    plugin_manager: pluggy.PluginManager
    importers: Registry[type[CaseImporter]]
    criterion_types: Registry[CriterionType]
    rubrics: Mapping[str, RubricSource]
    evidence_providers: Registry[EvidencePromptProvider]
    sampling_strategies: Registry[SamplingStrategy]
    notifiers: Registry[Notifier]
    exporters: Registry[Exporter]


def build_registries(allow: Iterable[str] = (),
                     notifier_settings: NotifierSettings | None = None) -> Registries:
    """Load the plugins (defaults, entry points, ``allow``) and collect what they register."""
    pm = build_plugin_manager(allow)
    settings = notifier_settings or NotifierSettings.from_config({})
    types = Registry("criterion type", collect(
        pm, "register_criterion_types", kind="criterion type", base=CriterionType,
        as_class=False))
    return Registries(
        plugin_manager=pm,
        importers=Registry("case importer", collect(
            pm, "register_case_importers", kind="case importer", base=CaseImporter,
            as_class=True, required=("id", "label", "extensions"))),
        criterion_types=types,
        rubrics=_collect_rubrics(pm, types),
        evidence_providers=Registry("evidence prompt provider", collect(
            pm, "register_evidence_prompts", kind="evidence prompt provider",
            base=EvidencePromptProvider, as_class=False)),
        sampling_strategies=Registry("sampling strategy", collect(
            pm, "register_sampling_strategies", kind="sampling strategy",
            base=SamplingStrategy, as_class=True), make=lambda cls: cls()),
        notifiers=Registry("notifier", collect(
            pm, "register_notifiers", kind="notifier", base=Notifier, as_class=True),
            make=lambda cls: cls(settings)),
        exporters=Registry("export format", collect(
            pm, "register_exporters", kind="export format", base=Exporter, as_class=True,
            required=("id", "label", "media_type", "extension")), make=lambda cls: cls()),
    )


def _collect_rubrics(
    pm: pluggy.PluginManager, types: Mapping[str, CriterionType]
) -> dict[str, RubricSource]:
    found: dict[str, RubricSource] = {}
    for impl in pm.hook.register_rubrics.get_hookimpls():
        owner = plugin_name(pm, impl.plugin)
        paths = [Path(p) for p in impl.function() or []]
        rubrics, errors = _check_cached(tuple(paths), types)
        if errors:
            listing = "\n".join(f"  {error}" for error in errors)
            raise PluginError(f"plugin {owner!r} registers rubric files with errors:\n{listing}")
        for rubric, path in rubrics:
            if rubric.id in found:
                raise PluginError(
                    f"plugin {owner!r} registers rubric id {rubric.id!r} ({path}), already "
                    f"registered by plugin {found[rubric.id].plugin!r} ({found[rubric.id].path})"
                )
            found[rubric.id] = RubricSource(rubric, path, owner)
    return found


_cache: dict[tuple, tuple[list[tuple[Rubric, Path]], list[RubricError]]] = {}


def _check_cached(
    paths: tuple[Path, ...], types: Mapping[str, CriterionType]
) -> tuple[list[tuple[Rubric, Path]], list[RubricError]]:
    """Parse rubric files once per process unless they change on disk."""
    files, errors = rubric_files(paths)
    key = (
        tuple(str(f) for f in files),
        tuple((f.stat().st_mtime_ns, f.stat().st_size) for f in files),
        tuple(sorted((type_id, type(t).__qualname__) for type_id, t in types.items())),
    )
    if errors:
        return [], errors
    if key not in _cache:
        loaded: list[tuple[Rubric, Path]] = []
        for path in files:
            rubric, file_errors = check_file(path, types)
            errors.extend(file_errors)
            if rubric is not None:
                loaded.append((rubric, path))
        _cache[key] = (loaded, errors)
    return _cache[key]


def importer_for(importers: Mapping[str, type[CaseImporter]], filename: str,
                 importer_id: str | None = None, head: bytes = b"") -> type[CaseImporter]:
    """The importer named ``importer_id``, else the one whose extensions fit ``filename``
    (when several do, the first that recognises ``head``, the file's first bytes);
    ``UnknownPlugin`` says which ids or extensions would do."""
    if importer_id:
        if importer_id in importers:
            return importers[importer_id]
        raise UnknownPlugin(f"no importer {importer_id!r}; known: {', '.join(importers)}")
    suffix = PurePath(filename).suffix.lower()
    fitting = [importer for importer in importers.values() if suffix in importer.extensions]
    if fitting:
        return next((importer for importer in fitting if importer.recognises(head)), fitting[0])
    known = sorted({ext for importer in importers.values() for ext in importer.extensions})
    raise UnknownPlugin(
        f"cannot tell how to read {PurePath(filename).name!r}: "
        f"expected one of {', '.join(known)} (or name a --format)"
    )
