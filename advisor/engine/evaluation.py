"""Evaluating heuristics: each one against every subject of its scope, into findings.

Like Django's system checks: a heuristic is a small rule with a stable code; a
heuristic that raises yields an `error` finding and the rest goes on; a stored
heuristic the engine cannot use is skipped with a note (`usable_heuristics`).
"""

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from advisor.engine.conditions import (
    ClauseResult,
    compile_condition,
    evaluate,
    facts_named,
    validate_condition,
)
from advisor.engine.explanations import message_placeholders, render_message
from advisor.engine.facts import CATALOGUE, OrgFacts, Subject
from advisor.engine.vocabulary import ERROR, OUTCOMES_BY_SCOPE, Scope

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class HeuristicSpec:
    code: str
    name: str
    scope: Scope
    condition: Mapping[str, Any]
    outcome: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    severity: str = "warning"
    message: str = ""
    source: str = ""
    description: str = ""
    enabled: bool = True


@dataclass(frozen=True)
class Finding:
    heuristic: str
    name: str
    scope: Scope
    subject: str
    outcome: str
    severity: str
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    thresholds: Mapping[str, Any] = field(default_factory=dict)
    trace: tuple[ClauseResult, ...] = ()
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "heuristic": self.heuristic,
            "name": self.name,
            "outcome": self.outcome,
            "severity": self.severity,
            "message": self.message,
            "evidence": dict(self.evidence),
            "thresholds": dict(self.thresholds),
            "trace": [c.to_json() for c in self.trace],
            "source": self.source,
        }


def validate_message(
    template: str, *, scope: Scope | str, parameters: Mapping[str, Any]
) -> list[str]:
    """Placeholders a message template names that are neither facts, parameters nor `subject`."""
    known = {"subject", *CATALOGUE[Scope(scope)], *parameters}
    return [
        f"message: unknown placeholder {{{name}}} (use a fact, a parameter or {{subject}})"
        for name in message_placeholders(template)
        if name not in known
    ]


def heuristic_problems(spec: HeuristicSpec) -> dict[str, list[str]]:
    """Every problem that would stop the heuristic from being evaluated, by field.

    The one set of rules for both the admin's form (Heuristic.clean) and the
    engine, which skips a stored heuristic that breaks them.
    """
    if spec.scope not in OUTCOMES_BY_SCOPE:
        return {"scope": [f"unknown scope {spec.scope!r}"]}
    parameters = validate_parameters(spec.parameters)
    if parameters:
        return {"parameters": parameters}
    problems: dict[str, list[str]] = {}
    outcomes = OUTCOMES_BY_SCOPE[spec.scope]
    if spec.outcome not in outcomes:
        problems["outcome"] = [
            f"A {spec.scope} heuristic's outcome is one of {', '.join(outcomes)}."
        ]
    condition = validate_condition(spec.condition, scope=spec.scope, parameters=spec.parameters)
    if condition:
        problems["condition"] = condition
    message = validate_message(spec.message, scope=spec.scope, parameters=spec.parameters)
    if message:
        problems["message"] = message
    return problems


def validate_parameters(parameters: Any) -> list[str]:
    if not isinstance(parameters, dict):
        return ["parameters: must be an object of name: value"]
    return [
        f"parameters.{name}: must be a number, true/false or a role/methodology name"
        for name, value in parameters.items()
        if not (isinstance(value, int | float | bool | str)) or not re.fullmatch(r"\w+", name)
    ]


def _evaluate_one(
    spec: HeuristicSpec, subject: Subject, fires: Callable[[Mapping[str, Any]], bool]
) -> Finding | None:
    if not fires(subject.facts):
        return None
    _, trace = evaluate(spec.condition, subject.facts, spec.parameters)
    named = facts_named(spec.condition)
    return Finding(
        heuristic=spec.code,
        name=spec.name,
        scope=spec.scope,
        subject=subject.name,
        outcome=spec.outcome,
        severity=spec.severity,
        message=render_message(
            spec.message, subject=subject.name, facts=subject.facts, parameters=spec.parameters
        ),
        evidence={name: subject.facts[name] for name in named},
        thresholds={c.param: c.threshold for c in trace if c.param is not None},
        trace=trace,
        source=spec.source,
    )


def _error_finding(spec: HeuristicSpec, subject: Subject, exc: Exception) -> Finding:
    return Finding(
        heuristic=spec.code,
        name=spec.name,
        scope=spec.scope,
        subject=subject.name,
        outcome=ERROR,
        severity=ERROR,
        message=f"This heuristic could not be evaluated ({type(exc).__name__}: {exc}); "
        "the rest of the assessment is unaffected.",
        source=spec.source,
    )


def usable_heuristics(
    heuristics: Sequence[HeuristicSpec],
) -> tuple[list[HeuristicSpec], list[str]]:
    """The enabled heuristics the engine can evaluate, and a note for each one skipped."""
    usable: list[HeuristicSpec] = []
    errors: list[str] = []
    for spec in heuristics:
        if not spec.enabled:
            continue
        problems = heuristic_problems(spec)
        if problems:
            described = "; ".join(m for messages in problems.values() for m in messages)
            errors.append(f"{spec.code}: skipped, its definition is invalid: {described}")
        else:
            usable.append(spec)
    return usable, errors


def evaluate_heuristics(
    facts: OrgFacts, heuristics: Sequence[HeuristicSpec]
) -> dict[tuple[Scope, int], list[Finding]]:
    """Every finding of every usable heuristic, by subject (scope, id)."""
    findings: dict[tuple[Scope, int], list[Finding]] = defaultdict(list)
    for spec in heuristics:
        fires = compile_condition(spec.condition, spec.parameters)
        for subject in facts.subjects(spec.scope):
            try:
                finding = _evaluate_one(spec, subject, fires)
            except Exception as exc:
                logger.exception("Heuristic %s failed on %s", spec.code, subject.name)
                finding = _error_finding(spec, subject, exc)
            if finding is not None:
                findings[(subject.scope, subject.id)].append(finding)
    return findings
