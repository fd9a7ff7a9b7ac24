"""The heuristics page: the ruleset version in force, its heuristics in words, its staffing.

Read from the version's document, as the engine reads it, so the page shows exactly
the rules the next assessment uses. A heuristic the engine would skip (a row written
behind validation, with a scope or an outcome it does not know) is listed with what
is wrong, never rendered as if it worked and never an error page.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advisor.engine import heuristic_problems
from advisor.engine.examples import describe_example
from advisor.engine.explanations import describe_condition
from advisor.engine.plan import StaffingRules
from advisor.engine.ruleset import heuristic_spec, ruleset_from_content
from advisor.engine.vocabulary import SEVERITY_LABELS, outcome_label
from advisor.presenters import SourceRef, source_refs
from advisor.ruleset_documents import shown, version_diff


@dataclass(frozen=True)
class ExampleLine:
    fires: bool
    note: str
    facts: str


@dataclass(frozen=True)
class HeuristicCard:
    code: str
    name: str
    description: str
    scope: str
    outcome_label: str
    severity: str
    severity_label: str
    enabled: bool
    condition: str
    shadow: bool
    message: str
    sources: tuple[SourceRef, ...]
    examples: tuple[ExampleLine, ...] = ()


@dataclass(frozen=True)
class SkippedHeuristic:
    code: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class RulesetPage:
    heuristics: tuple[HeuristicCard, ...]
    skipped: tuple[SkippedHeuristic, ...]
    # Parts of the document other than heuristics that the engine leaves out.
    notes: tuple[str, ...]
    staffing: StaffingRules
    # The ruleset's parameters (name, value), each read by every heuristic naming it; empty
    # for a version published before parameters belonged to the ruleset.
    parameters: tuple[tuple[str, Any], ...] = ()


def _examples(examples: Any, parameters: Mapping[str, Any]) -> tuple[ExampleLine, ...]:
    """A heuristic's examples in words (those well formed: a stored row may hold anything)."""
    lines = []
    for example in examples if isinstance(examples, list) else []:
        if isinstance(example, Mapping) and isinstance(example.get("fires"), bool):
            note = example.get("note")
            lines.append(
                ExampleLine(
                    example["fires"],
                    note if isinstance(note, str) else "",
                    describe_example(example, parameters),
                )
            )
    return tuple(lines)


def ruleset_page(content: Mapping[str, Any]) -> RulesetPage:
    """Every heuristic of a version's document in words, or as skipped with its problems."""
    ruleset = ruleset_from_content(content)
    parameters = ruleset.parameters
    cards, skipped = [], []
    entries = content.get("heuristics") if isinstance(content, Mapping) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping):
            continue  # the ruleset's notes name it
        spec = heuristic_spec(entry, parameters)
        problems = heuristic_problems(spec)
        if problems:
            skipped.append(
                SkippedHeuristic(spec.code, tuple(m for ms in problems.values() for m in ms))
            )
            continue
        cards.append(
            HeuristicCard(
                code=spec.code,
                name=spec.name,
                description=spec.description,
                scope=str(spec.scope),
                outcome_label=outcome_label(spec.outcome),
                severity=spec.severity,
                severity_label=SEVERITY_LABELS[spec.severity],
                enabled=spec.enabled,
                shadow=spec.shadow,
                condition=describe_condition(spec.condition, spec.parameters),
                message=spec.message,
                sources=source_refs(spec.sources),
                examples=_examples(entry.get("examples"), parameters),
            )
        )
    return RulesetPage(
        tuple(cards),
        tuple(skipped),
        ruleset.notes,
        ruleset.staffing,
        tuple(parameters.items()),
    )


# Versions the heuristics page lists, newest first.
HISTORY_SHOWN = 20


@dataclass(frozen=True)
class VersionEntry:
    label: str
    published_at: Any
    published_by: str
    note: str
    rebuilt: bool
    # (what, field, before, after) as the page shows them.
    changes: tuple[tuple[str, str, str, str], ...]


def ruleset_history(versions: list[Any]) -> tuple[VersionEntry, ...]:
    """The versions given (newest first, with their documents; one more than shown so the
    oldest shown has the one before it), each with what it changed."""
    entries = []
    for i, version in enumerate(versions[:HISTORY_SHOWN]):
        before = versions[i + 1].content if i + 1 < len(versions) else None
        changes = tuple(
            (c.subject, c.field, shown(c.old), shown(c.new))
            for c in version_diff(before, version.content)
        )
        by = version.published_by.get_username() if version.published_by else ""
        entries.append(
            VersionEntry(
                version.label, version.published_at, by, version.note, version.rebuilt, changes
            )
        )
    return tuple(entries)
