"""One assessment: facts, findings, verdicts and plans, and the missing facts, from a
snapshot and a ruleset. `assess()` is the engine's one entry point."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from advisor.engine.collector import collector_paused
from advisor.engine.evaluation import (
    Finding,
    HeuristicSpec,
    evaluate_heuristics,
    usable_heuristics,
)
from advisor.engine.facts import CATALOGUE, OrgFacts, Subject, compute_facts
from advisor.engine.plan import (
    ProductPlan,
    Staffing,
    StaffingRules,
    plan_actions,
    recommend,
    verdict_of,
)
from advisor.engine.snapshot import OrgSnapshot
from advisor.engine.vocabulary import TITLE_OF_ROLE, Scope


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
    # Findings of the heuristics in shadow: kept apart, never in a verdict, plan or report.
    shadow_findings: Mapping[tuple[Scope, int], tuple[Finding, ...]] = field(default_factory=dict)

    def shadow_json(self) -> list[dict[str, Any]]:
        """The shadow findings, each with its subject, for admins to see with the assessment."""
        return [
            {"scope": str(subject.scope), "subject": subject.name, **finding.to_json()}
            for scope in Scope
            for subject in self.facts.subjects(scope)
            for finding in self.shadow_findings.get((scope, subject.id), ())
        ]

    def findings_for(self, subject: Subject) -> tuple[Finding, ...]:
        return self.findings_by_subject.get((subject.scope, subject.id), ())

    def to_json(self, *, ruleset_version: str) -> dict[str, Any]:
        """The assessment as the command-line contract of DOMAIN.md spells it (built with
        the collector paused, like the assessment)."""
        with collector_paused():
            return self._to_json(ruleset_version)

    def _to_json(self, ruleset_version: str) -> dict[str, Any]:
        findings_of = self.findings_by_subject
        no_findings: tuple[Finding, ...] = ()

        def finding_list(scope: Scope, id_: int) -> list[dict[str, Any]]:
            return [f.to_json() for f in findings_of.get((scope, id_), no_findings)]

        def person_json(person: Subject) -> dict[str, Any]:
            facts = person.facts
            return {
                "name": person.name,
                "role": facts["role"],
                "scope_role": facts["scope_role"],
                # Votes explain product people's scope; for the rest of a large
                # organization they would only make the stored report heavy.
                "scope_votes": [
                    {"fact": v.fact, "value": v.value, "vote": v.vote, "reason": v.reason}
                    for v in person.votes
                ]
                if facts["role"] in TITLE_OF_ROLE or facts["scope_role"]
                else [],
                "findings": finding_list(Scope.PERSON, person.id),
            }

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
            "people": [person_json(person) for person in self.facts.people],
            "squads": [
                {"name": squad.name, "findings": finding_list(Scope.SQUAD, squad.id)}
                for squad in self.facts.squads
            ],
            "missing_facts": [m.to_json() for m in self.missing_facts],
            "errors": list(self.errors),
        }


def _missing_facts(facts: OrgFacts, heuristics: Sequence[HeuristicSpec]) -> list[MissingFact]:
    """Unknown facts a person could fill in, where a heuristic or a scope vote needed them.

    Only the facts that could be missing are looked at: those with an input field that a
    heuristic reads, and for people whose title is a product role, the scope votes' inputs.
    """
    read: dict[Scope, set[str]] = defaultdict(set)
    for spec in heuristics:
        read[spec.scope].update(spec.facts_read)
    vote_inputs = {"owns_roadmap", "does_market_research"}
    missing = []
    for scope in Scope:
        inputs = [fact for fact in CATALOGUE[scope].values() if fact.input_field]
        needed = [fact for fact in inputs if fact.name in read[scope]]
        voted = [fact for fact in inputs if fact.name in read[scope] or fact.name in vote_inputs]
        for subject in facts.subjects(scope):
            values = subject.facts
            if scope == Scope.PERSON and values["role"] in TITLE_OF_ROLE:
                candidates = voted
            else:
                candidates = needed
            for fact in candidates:
                if fact.name in values and values[fact.name] is None:
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
    """Assess an organization: findings for every subject, a verdict and plan per product.

    Pure computation, with the cyclic collector paused (advisor.engine.collector)."""
    with collector_paused():
        return _assess(snapshot, heuristics, as_of=as_of, rules=rules or StaffingRules())


def _assess(
    snapshot: OrgSnapshot,
    heuristics: Sequence[HeuristicSpec],
    *,
    as_of: date,
    rules: StaffingRules,
) -> Result:
    facts = compute_facts(snapshot, as_of=as_of, scope_votes_needed=rules.scope_votes_needed)

    usable, errors = usable_heuristics(heuristics)
    shadowed = [spec for spec in usable if spec.shadow]
    usable = [spec for spec in usable if not spec.shadow]
    findings = evaluate_heuristics(facts, usable)

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
        shadow_findings={
            key: tuple(value) for key, value in evaluate_heuristics(facts, shadowed).items()
        }
        if shadowed
        else {},
    )
