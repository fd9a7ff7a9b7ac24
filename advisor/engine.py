"""The rules engine: from facts and heuristics to findings, verdicts and the staffing plan.

Plain Python, like Django's system checks: each heuristic is evaluated against
every subject of its scope; a heuristic that raises yields an `error` finding
and the rest of the assessment goes on. `assess()` is the one entry point.
"""

import logging
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from advisor.conditions import (
    ClauseResult,
    compile_condition,
    evaluate,
    facts_named,
    validate_condition,
)
from advisor.facts import CATALOGUE, OrgFacts, OrgSnapshot, Scope, Subject, compute_facts
from orgs.models import Role

logger = logging.getLogger(__name__)

# Outcomes that set a product's verdict, highest first; `keep` is nothing fired.
VERDICT_PRECEDENCE = ("pm_only", "split", "merge")
KEEP = "keep"
VERDICTS = (*VERDICT_PRECEDENCE, KEEP)
OUTCOMES_BY_SCOPE: dict[Scope, tuple[str, ...]] = {
    Scope.PRODUCT: (*VERDICT_PRECEDENCE, "gap"),
    Scope.SQUAD: ("gap",),
    Scope.PERSON: ("retitle",),
}
ERROR = "error"
TITLE_OF_ROLE = {Role.PRODUCT_MANAGER: "Product Manager", Role.PRODUCT_OWNER: "Product Owner"}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


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
class StaffingRules:
    """The ratios of the staffing plan and the votes that settle `scope_role`."""

    pms_per_product: Decimal = Decimal(1)
    pos_per_scrum_squad: Decimal = Decimal(1)
    scope_votes_needed: int = 3


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


@dataclass(frozen=True)
class Staffing:
    product_managers: int
    product_owners: int

    def to_json(self) -> dict[str, int]:
        return {"product_managers": self.product_managers, "product_owners": self.product_owners}


@dataclass(frozen=True)
class ProductPlan:
    subject: Subject
    verdict: str
    current: Staffing
    recommended: Staffing
    actions: tuple[str, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class MissingFact:
    scope: Scope
    subject: str
    fact: str
    field: str
    meaning: str

    def to_json(self) -> dict[str, str]:
        return {
            "scope": str(self.scope),
            "subject": self.subject,
            "fact": self.fact,
            "field": self.field,
            "meaning": self.meaning,
        }


@dataclass(frozen=True)
class Result:
    facts: OrgFacts
    products: tuple[ProductPlan, ...]
    findings_by_subject: Mapping[tuple[Scope, int], tuple[Finding, ...]]
    missing_facts: tuple[MissingFact, ...]
    errors: tuple[str, ...]

    def findings_for(self, subject: Subject) -> tuple[Finding, ...]:
        return self.findings_by_subject.get((subject.scope, subject.id), ())

    def to_json(self, *, ruleset_version: str) -> dict[str, Any]:
        """The assessment as the command-line contract of DOMAIN.md spells it."""

        def finding_list(subject: Subject) -> list[dict[str, Any]]:
            return [f.to_json() for f in self.findings_for(subject)]

        return {
            "organization": self.facts.organization,
            "as_of": self.facts.as_of.isoformat(),
            "ruleset_version": ruleset_version,
            "products": [
                {
                    "name": plan.subject.name,
                    "verdict": plan.verdict,
                    "current": plan.current.to_json(),
                    "recommended": plan.recommended.to_json(),
                    "actions": list(plan.actions),
                    "findings": [f.to_json() for f in plan.findings],
                }
                for plan in self.products
            ],
            "people": [
                {
                    "name": person.name,
                    "role": person.facts["role"],
                    "scope_role": person.facts["scope_role"],
                    # Votes explain product people's scope; for the rest of a large
                    # organization they would only make the stored report heavy.
                    "scope_votes": [
                        {"fact": v.fact, "value": v.value, "vote": v.vote, "reason": v.reason}
                        for v in person.votes
                    ]
                    if person.facts["role"] in TITLE_OF_ROLE or person.facts["scope_role"]
                    else [],
                    "findings": finding_list(person),
                }
                for person in self.facts.people
            ],
            "squads": [
                {"name": squad.name, "findings": finding_list(squad)} for squad in self.facts.squads
            ],
            "missing_facts": [m.to_json() for m in self.missing_facts],
            "errors": list(self.errors),
        }


def format_value(name: str, value: Any) -> str:
    """A fact or parameter value as a person reads it."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if name.endswith("_share"):
        return f"{value}%"
    if name.endswith("role") and value in Role.values:
        return Role(value).label.lower()
    return str(value)


def message_placeholders(template: str) -> list[str]:
    return _PLACEHOLDER.findall(template)


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


def render_message(
    template: str, *, subject: str, facts: Mapping[str, Any], parameters: Mapping[str, Any]
) -> str:
    """Fill `{fact}`, `{parameter}` and `{subject}` placeholders; nothing else is interpreted."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "subject":
            return subject
        if name in parameters:
            return format_value(name, parameters[name])
        return format_value(name, facts[name])

    return _PLACEHOLDER.sub(fill, template)


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


def verdict_of(outcomes: Iterable[str]) -> str:
    """The highest-ranking verdict among the outcomes; `keep` when none sets one."""
    present = set(outcomes)
    return next((v for v in VERDICT_PRECEDENCE if v in present), KEEP)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def recommend(verdict: str, product: Subject, rules: StaffingRules) -> Staffing:
    """The staffing the verdict calls for, by the ratios of the rules."""
    current = Staffing(product.facts["product_managers"], product.facts["product_owners"])
    pms = math.ceil(rules.pms_per_product)
    if verdict == "split":
        return Staffing(pms, math.ceil(rules.pos_per_scrum_squad * product.facts["scrum_squads"]))
    if verdict in ("merge", "pm_only"):
        return Staffing(pms, 0)
    return current


def plan_actions(
    verdict: str,
    current: Staffing,
    recommended: Staffing,
    related: Sequence[Finding],
) -> tuple[str, ...]:
    """The difference between current and recommended staffing, in plain words.

    Retitles come first and count toward the target: a product owner retitled
    to product manager is the product manager a merge asks for, not a reason
    to hire another.
    """
    actions: list[str] = []
    pms, pos = current.product_managers, current.product_owners
    for finding in related:
        if finding.outcome != "retitle":
            continue
        to = finding.evidence.get("scope_role")
        action = f"retitle {finding.subject} to {TITLE_OF_ROLE.get(to, 'their actual role')}"
        if action in actions:
            continue
        actions.append(action)
        if to == Role.PRODUCT_OWNER:
            pms, pos = pms - 1, pos + 1
        elif to == Role.PRODUCT_MANAGER:
            pms, pos = pms + 1, pos - 1

    pm_gap = recommended.product_managers - pms
    po_gap = recommended.product_owners - pos
    if pm_gap > 0:
        actions.append(f"add {_plural(pm_gap, 'product manager')}")
    elif pm_gap < 0:
        actions.append(
            f"consolidate {_plural(pms, 'product manager')} into {recommended.product_managers}"
        )
    if verdict in ("merge", "pm_only") and pos > 0:
        reason = (
            "no squad works in Scrum, so there is no sprint backlog to own"
            if verdict == "pm_only"
            else "the team is small enough for one person to do both"
        )
        actions.append(f"fold the PO role into the PM role ({reason})")
    elif po_gap > 0:
        actions.append(f"add {_plural(po_gap, 'product owner')}")
    elif po_gap < 0:
        actions.append(f"reduce product owners from {pos} to {recommended.product_owners}")

    for finding in related:
        if finding.outcome != "gap":
            continue
        if finding.scope == Scope.SQUAD:
            action = f"name a backlog owner for squad {finding.subject}"
        else:
            action = f"name a roadmap owner for {finding.subject}"
        if action not in actions:
            actions.append(action)
    return tuple(actions)


def _missing_facts(facts: OrgFacts, heuristics: Sequence[HeuristicSpec]) -> list[MissingFact]:
    """Unknown facts a person could fill in, where a heuristic or a scope vote needed them."""
    read: dict[Scope, set[str]] = defaultdict(set)
    for spec in heuristics:
        read[spec.scope].update(facts_named(spec.condition))
    vote_inputs = {"owns_roadmap", "does_market_research"}
    missing = []
    for scope in Scope:
        for subject in facts.subjects(scope):
            for fact in subject.missing():
                needed = fact.name in read[scope] or (
                    scope == Scope.PERSON
                    and fact.name in vote_inputs
                    and subject.facts["role"] in TITLE_OF_ROLE
                )
                if needed:
                    missing.append(
                        MissingFact(scope, subject.name, fact.name, fact.input_field, fact.meaning)
                    )
    return missing


def assess(
    snapshot: OrgSnapshot,
    heuristics: Sequence[HeuristicSpec],
    *,
    as_of: date,
    rules: StaffingRules | None = None,
) -> Result:
    """Assess an organization: findings for every subject, a verdict and plan per product."""
    rules = rules or StaffingRules()
    facts = compute_facts(snapshot, as_of=as_of, scope_votes_needed=rules.scope_votes_needed)

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

    findings: dict[tuple[Scope, int], list[Finding]] = defaultdict(list)
    for spec in usable:
        fires = compile_condition(spec.condition, spec.parameters)
        for subject in facts.subjects(spec.scope):
            try:
                finding = _evaluate_one(spec, subject, fires)
            except Exception as exc:
                logger.exception("Heuristic %s failed on %s", spec.code, subject.name)
                finding = _error_finding(spec, subject, exc)
            if finding is not None:
                findings[(subject.scope, subject.id)].append(finding)

    # Which squad and person findings bear on each product's plan.
    related: dict[int, list[Finding]] = defaultdict(list)
    for scope in (Scope.SQUAD, Scope.PERSON):
        for subject in facts.subjects(scope):
            for finding in findings.get((scope, subject.id), ()):
                for product_id in subject.product_ids:
                    related[product_id].append(finding)

    plans = []
    for product in facts.products:
        own = tuple(findings.get((Scope.PRODUCT, product.id), ()))
        verdict = verdict_of(f.outcome for f in own)
        current = Staffing(product.facts["product_managers"], product.facts["product_owners"])
        recommended = recommend(verdict, product, rules)
        actions = plan_actions(verdict, current, recommended, [*own, *related.get(product.id, [])])
        plans.append(ProductPlan(product, verdict, current, recommended, actions, own))

    return Result(
        facts=facts,
        products=tuple(plans),
        findings_by_subject={key: tuple(value) for key, value in findings.items()},
        missing_facts=tuple(_missing_facts(facts, usable)),
        errors=tuple(errors),
    )
