"""What plugins contribute to auditing: criterion types, rubric files and evidence prompts.

Built once per process at start-up. A broken rubric file or a bad registration
stops start-up with an error naming the plugin, rather than failing in a
supervisor's audit form later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pluggy

from audit_service.domain.evidence import EvidencePromptProvider
from audit_service.domain.rubrics import CriterionType, Rubric, RubricError
from audit_service.domain.rubrics.loading import check_file, rubric_files
from audit_service.plugins.manager import PluginError, plugin_name
from audit_service.plugins.registries import collect


@dataclass(frozen=True)
class RubricSource:
    """A rubric loaded from a plugin's file, and where it came from."""

    rubric: Rubric
    path: Path
    plugin: str


class Catalogue:
    """Criterion types, rubrics and evidence prompt providers from every plugin."""

    def __init__(
        self,
        criterion_types: Mapping[str, CriterionType],
        rubrics: Mapping[str, RubricSource],
        evidence_providers: tuple[EvidencePromptProvider, ...],
    ):
        self.criterion_types = dict(criterion_types)
        self.rubrics = dict(rubrics)
        self.evidence_providers = evidence_providers

    @classmethod
    def from_plugins(cls, pm: pluggy.PluginManager) -> Catalogue:
        types = {
            type_id: reg.item
            for type_id, reg in collect(
                pm, "register_criterion_types", kind="criterion type",
                base=CriterionType, as_class=False,
            ).items()
        }
        providers = tuple(
            reg.item
            for reg in collect(
                pm, "register_evidence_prompts", kind="evidence prompt provider",
                base=EvidencePromptProvider, as_class=False,
            ).values()
        )
        return cls(types, _collect_rubrics(pm, types), providers)


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
