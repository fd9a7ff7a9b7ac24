"""Evaluating heuristics: each one against every subject of its scope, into findings.

Like Django's system checks: a heuristic is a small rule with a stable code; a
heuristic that raises yields an `error` finding and the rest goes on; a stored
heuristic the engine cannot use is skipped with a note (`usable_heuristics`).
"""

import logging
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from advisor.engine.conditions import (
    MAX_PROBLEMS,
    ClauseResult,
    Predicate,
    Selection,
    compile_condition,
    compile_selection,
    evaluate,
    facts_named,
    known_scope,
    validate_condition,
)
from advisor.engine.explanations import message_placeholders, render_message
from advisor.engine.facts import CATALOGUE, ENUM_VALUES, OrgFacts, Subject
from advisor.engine.values import (
    describe,
    described_names,
    is_number,
    number_problem,
    text_problem,
)
from advisor.engine.vocabulary import ERROR, OUTCOMES_BY_SCOPE, Scope, Severity

logger = logging.getLogger(__name__)

# A ruleset's parameter table, and so a heuristic's share of it, holds at most this many.
MAX_PARAMETERS = 100
MAX_NAME = 60
MAX_SOURCES = 10
_NAME = re.compile(r"\w+", re.ASCII)
# A string parameter names a role or a methodology, to compare with such a fact.
_NAMED_VALUES = frozenset(value for values in ENUM_VALUES.values() for value in values)
# Each source's keys: whether it must be filled in, and its longest length.
SOURCE_FIELDS: dict[str, tuple[bool, int]] = {
    "title": (True, 200),
    "quote": (True, 1000),
    "link": (False, 500),
}


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
    # Each {"title", "quote", "link"}: the article, the sentence it rests on, a web address.
    sources: Sequence[Mapping[str, str]] = ()
    description: str = ""
    enabled: bool = True
    # Evaluated and shown to admins with each assessment, never counted in a verdict or plan.
    shadow: bool = False

    # Worked out once per spec, so once per ruleset version (advisor.rulesets keeps the
    # parsed versions), and only for a spec that `heuristic_problems` passed.
    @cached_property
    def predicate(self) -> Predicate:
        """The compiled condition (conditions.compile_condition)."""
        return compile_condition(self.condition, self.parameters)

    @cached_property
    def selection(self) -> Selection:
        """The compiled condition over many subjects at once (conditions.compile_selection)."""
        return compile_selection(self.condition, self.parameters)

    @cached_property
    def facts_read(self) -> tuple[str, ...]:
        """The facts the condition reads, in order of first use: a finding's evidence."""
        return tuple(facts_named(self.condition))

    @cached_property
    def source_entries(self) -> tuple[dict[str, str], ...]:
        return source_list(self.sources)


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
    sources: tuple[Mapping[str, str], ...] = ()
    # A product finding whose outcome lost to a higher-ranking verdict.
    outranked: bool = False

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
            "sources": [dict(source) for source in self.sources],
            "outranked": self.outranked,
        }


def validate_message(template: Any, *, scope: Any, parameters: Any) -> list[str]:
    """Placeholders a message template names that are neither facts, parameters nor `subject`,
    and text that cannot be stored or shown."""
    if not isinstance(template, str):
        return [f"message: must be text, not {describe(template)}"]
    problem = text_problem(template, multiline=True)
    if problem:
        return [f"message: {problem}"]
    checked_scope = known_scope(scope)
    facts = CATALOGUE[checked_scope] if checked_scope else {}
    names = parameters if isinstance(parameters, Mapping) else {}
    unknown = [
        name for name in message_placeholders(template) if name not in facts and name not in names
    ]
    problems = [
        f"message: unknown placeholder {{{name}}} (use a fact, a parameter or {{subject}})"
        for name in dict.fromkeys(unknown)
        if name != "subject"
    ]
    return problems[:MAX_PROBLEMS]


def heuristic_problems(spec: HeuristicSpec) -> dict[str, list[str]]:
    """Every problem that would stop the heuristic from being evaluated, by field.

    The one set of rules for both the admin's form (Heuristic.clean) and the
    engine, which skips a stored heuristic that breaks them. Any value in any field
    gives messages, never an exception: stored rows can hold anything.
    """
    scope = known_scope(spec.scope)
    if scope is None:
        return {"scope": [f"unknown scope {describe(spec.scope)}"]}
    parameters = validate_parameters(spec.parameters)
    if parameters:
        return {"parameters": parameters}
    problems: dict[str, list[str]] = {}
    outcomes = OUTCOMES_BY_SCOPE[scope]
    if not isinstance(spec.outcome, str) or spec.outcome not in outcomes:
        problems["outcome"] = [f"A {scope} heuristic's outcome is one of {', '.join(outcomes)}."]
    if not isinstance(spec.severity, str) or spec.severity not in Severity._value2member_map_:
        problems["severity"] = [f"The severity is one of {', '.join(Severity)}."]
    condition = validate_condition(spec.condition, scope=scope, parameters=spec.parameters)
    if condition:
        problems["condition"] = condition
    message = validate_message(spec.message, scope=scope, parameters=spec.parameters)
    if message:
        problems["message"] = message
    sources = source_problems(spec.sources)
    if sources:
        problems["sources"] = sources
    return problems


def validate_parameters(parameters: Any) -> list[str]:
    """Each parameter is a name (letters, digits, _) and a bounded number, true/false, or a
    role or methodology name."""
    if not isinstance(parameters, dict):
        return ["parameters: must be an object of name: value"]
    if len(parameters) > MAX_PARAMETERS:
        return [f"parameters: at most {MAX_PARAMETERS} parameters"]
    problems = []
    for name, value in parameters.items():
        if not isinstance(name, str) or len(name) > MAX_NAME or not _NAME.fullmatch(name):
            problems.append(
                f"parameters: {describe(name)} is not a name (letters, digits and _, "
                f"at most {MAX_NAME})"
            )
        elif is_number(value):
            problem = number_problem(value)
            if problem:
                problems.append(f"parameters.{name}: {problem}")
        elif not isinstance(value, bool) and not (
            isinstance(value, str) and value in _NAMED_VALUES
        ):
            problems.append(
                f"parameters.{name}: must be a number, true/false or a role/methodology name, "
                f"not {describe(value)}"
            )
    return problems


def source_problems(sources: Any) -> list[str]:
    """A heuristic's sources: a list of {title, quote, link}; the link, when given, an http or
    https address. Each text is single-line except the quote."""
    if not isinstance(sources, list | tuple):
        return ["sources: must be a list of {title, quote, link}"]
    if len(sources) > MAX_SOURCES:
        return [f"sources: at most {MAX_SOURCES}"]
    problems = []
    for i, source in enumerate(sources):
        path = f"sources[{i}]"
        if not isinstance(source, Mapping):
            problems.append(f"{path}: must be an object with a title, a quote and a link")
            continue
        unknown = [key for key in source if key not in SOURCE_FIELDS]
        if unknown:
            problems.append(
                f"{path}: unknown keys {described_names(sorted(unknown, key=describe))}"
            )
            continue
        for key, (required, limit) in SOURCE_FIELDS.items():
            value = source.get(key, "")
            problem = None
            if not isinstance(value, str):
                problem = f"must be text, not {describe(value)}"
            elif required and not value.strip():
                problem = "must not be blank"
            elif len(value) > limit:
                problem = f"at most {limit:,} characters, not {len(value):,}"
            else:
                problem = text_problem(value, multiline=key == "quote")
                if problem is None and key == "link" and value:
                    problem = link_problem(value)
            if problem:
                problems.append(f"{path}.{key}: {problem}")
    return problems


def link_problem(link: str) -> str | None:
    """Why a source's link is not a web address to follow, if it is not."""
    try:
        parts = urlsplit(link)
    except ValueError:
        return "not a web address"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http:// or https:// address"
    if any(char.isspace() for char in link):
        return "a web address has no spaces"
    return None


def source_list(sources: Sequence[Mapping[str, str]]) -> tuple[dict[str, str], ...]:
    """A (valid) heuristic's sources with every key, the link blank when not given."""
    return tuple(
        {"title": s["title"], "quote": s["quote"], "link": s.get("link", "")} for s in sources
    )


class _Evidence(NamedTuple):
    """What a finding shows of its subject's facts: the facts its condition reads, the
    parameters it compared them with, and the trace of every clause."""

    evidence: dict[str, Any]
    thresholds: dict[str, Any]
    trace: tuple[ClauseResult, ...]


def _evidence(spec: HeuristicSpec, facts: Mapping[str, Any]) -> _Evidence:
    _, trace = evaluate(spec.condition, facts, spec.parameters)
    return _Evidence(
        {name: facts[name] for name in spec.facts_read},
        {c.param: c.threshold for c in trace if c.param is not None},
        trace,
    )


# Types whose equal values read and print alike, so that the evidence worked out for one
# subject serves every subject with equal values. Not floats: 0.0 == -0.0, printed apart.
_SHAREABLE_TYPES = frozenset({int, bool, str, type(None)})


class _FindingMaker:
    """A heuristic's findings in one evaluation.

    The subjects a heuristic fires on mostly share the values its condition reads (a
    hundred products at squads 4, pm_squads 4), and the trace, the evidence and the
    thresholds depend on nothing else: they are worked out once per distinct tuple of
    those values (with their types: True == 1) and reused, which is most of the cost of a
    finding. The message names the subject, so it is filled in for each one."""

    def __init__(self, spec: HeuristicSpec):
        self.spec = spec
        self.made: dict[tuple, _Evidence] = {}

    def __call__(self, subject: Subject) -> Finding:
        spec, facts = self.spec, subject.facts
        shown = self._shown(facts)
        return Finding(
            heuristic=spec.code,
            name=spec.name,
            scope=spec.scope,
            subject=subject.name,
            outcome=spec.outcome,
            severity=spec.severity,
            message=render_message(
                spec.message, subject=subject.name, facts=facts, parameters=spec.parameters
            ),
            # Each finding its own dicts, as if worked out for it alone.
            evidence=dict(shown.evidence),
            thresholds=dict(shown.thresholds),
            trace=shown.trace,
            sources=spec.source_entries,
        )

    def _shown(self, facts: Mapping[str, Any]) -> _Evidence:
        spec = self.spec
        try:
            values = tuple([facts[name] for name in spec.facts_read])
        except KeyError:
            return _evidence(spec, facts)  # raises it, as evaluate would
        types = tuple(map(type, values))
        if not _SHAREABLE_TYPES.issuperset(types):
            return _evidence(spec, facts)
        key = (values, types)
        shown = self.made.get(key)
        if shown is None:
            shown = self.made[key] = _evidence(spec, facts)
        return shown


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
        sources=spec.source_entries,
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
    """Every finding of every usable heuristic, by subject (scope, id).

    Each heuristic's selection first sorts out, in one pass, the few subjects it fires
    on; only if it raises are the subjects asked one by one, to give an error finding to
    each one it raises on."""
    findings: dict[tuple[Scope, int], list[Finding]] = defaultdict(list)
    rows_of: dict[Scope, list[Mapping[str, Any]]] = {}
    for spec in heuristics:
        finding_of = _FindingMaker(spec)
        subjects = facts.subjects(spec.scope)
        rows = rows_of.get(spec.scope)
        if rows is None:
            rows = rows_of[spec.scope] = [subject.facts for subject in subjects]
        fired: list[Subject] | None
        try:
            chosen = spec.selection(rows)
        except Exception:
            fired = None
        else:
            taken = {id(row) for row in chosen}
            fired = [subject for subject in subjects if id(subject.facts) in taken] if taken else []
        fires = spec.predicate
        for subject in subjects if fired is None else fired:
            try:
                if fired is None and not fires(subject.facts):
                    continue
                finding = finding_of(subject)
            except Exception as exc:
                logger.exception("Heuristic %s failed on %s", spec.code, subject.name)
                finding = _error_finding(spec, subject, exc)
            findings[(subject.scope, subject.id)].append(finding)
    return findings
