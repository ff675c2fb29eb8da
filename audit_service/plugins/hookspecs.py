"""Every hook a plugin can implement. Each is documented in ``docs/plugins.md``.

A plugin is a module (or package) with functions named after these specs and
decorated with ``audit_service.plugins.hookimpl``. Built-in rubrics, criterion
types and importers register through these same hooks. All ``register_*``
hooks collect every plugin's results (none stops at the first result); the
registries built from them refuse duplicate ids at start-up and name the plugin.
"""

from __future__ import annotations

from audit_service.plugins.markers import hookspec

# --- Rubrics and how they are rated -------------------------------------------------


@hookspec
def register_rubrics():
    """Return rubric files this plugin provides, to be loaded as rubric versions.

    Parameters: none.
    Returns: a list of ``pathlib.Path`` objects, each a rubric YAML file or a folder of them
    (validated with the same two layers as ``audit-service rubrics validate``).
    All results are collected; two plugins providing the same rubric id are refused at start-up.
    """


@hookspec
def register_criterion_types():
    """Return criterion types: how a criterion is rated, validated and rendered.

    Parameters: none.
    Returns: a list of instances of subclasses of
    ``audit_service.domain.rubrics.CriterionType``, each with a unique ``id`` and a ``label``;
    ``options(scale)`` lists the answers best first (which the audit form renders as radios),
    ``validate(rating, scale)`` explains an invalid answer and ``score(rating, scale)`` places it
    on the rubric's scale. All results are collected; duplicate ids are refused at start-up.
    """


@hookspec
def register_evidence_prompts():
    """Return evidence prompt providers: hints computed from a case's facts.

    Parameters: none.
    Returns: a list of instances of subclasses of
    ``audit_service.domain.audits.evidence.EvidencePromptProvider``; each has a unique ``id`` and
    ``prompts(facts, today)`` returning ``EvidencePrompt`` values ("last statutory visit 34 days
    ago") tagged with the criterion ids they sit beside. All results are collected.
    """


# --- Sampling -----------------------------------------------------------------------


@hookspec
def register_sampling_strategies():
    """Return sampling strategies that draw a supervisor's monthly sample.

    Parameters: none.
    Returns: a list of sampling strategy classes, each with a unique ``id``, a ``label`` and a
    pure, seeded ``draw`` that returns the cases drawn with a reason for each.
    All results are collected; duplicate ids are refused at start-up.
    """


# --- Case data ----------------------------------------------------------------------


@hookspec
def register_case_importers():
    """Return case importers that read a council's case data.

    Parameters: none.
    Returns: a list of classes derived from ``audit_service.importers.base.CaseImporter``; each
    declares a unique ``id``, a ``label`` and the file ``extensions`` it reads, and implements
    ``read(stream, as_of=...)``. All results are collected; duplicate ids are refused at start-up.
    """


# --- Output -------------------------------------------------------------------------


@hookspec
def register_notifiers():
    """Return notifiers that deliver messages (email, in-app inbox, a council's own channel).

    Parameters: none.
    Returns: a list of notifier classes, each with a unique ``id`` and a ``send(message)`` that
    delivers one outbox message or raises to have it retried. All results are collected.
    """


@hookspec
def register_exporters():
    """Return exporters that write summary tables to a file format (CSV, XLSX, ...).

    Parameters: none.
    Returns: a list of exporter classes, each with a unique ``id``, a ``media_type``, a file
    ``extension`` and ``write(table, stream)``. All results are collected.
    """
