"""One assessment: facts, findings, verdicts and plans, and the missing facts, from a
snapshot and a ruleset. `assess()` is the engine's one entry point."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from advisor.engine.collector import collector_paused
from advisor.engine.evaluation import (
    Finding,
    HeuristicSpec,
    evaluate_heuristics,
    usable_heuristics,
)
from advisor.engine.explanations import format_value
from advisor.engine.facts import (
    CATALOGUE,
    TIME_MEANING,
    OrgFacts,
    Subject,
    compute_facts,
    not_entered,
    time_known,
)
from advisor.engine.plan import (
    PlanContext,
    ProductPlan,
    StaffingRules,
    names_in_words,
    plan_product,
    verdict_of,
)
from advisor.engine.sensitivity import Sensitivity, nearest_misses, verdict_specs
from advisor.engine.snapshot import OrgSnapshot
from advisor.engine.vocabulary import KEEP, NOTE, TITLE_OF_ROLE, VERDICT_PRECEDENCE, Role, Scope


@dataclass(frozen=True)
class MissingFact:
    scope: Scope
    subject: str
    fact: str
    field: str
    meaning: str

    @property
    def text(self) -> str:
        """In plain words: "Haze: markets not entered"."""
        return not_entered(self.subject, self.field)

    def to_json(self) -> dict[str, str]:
        return {
            "scope": str(self.scope),
            "subject": self.subject,
            "fact": self.fact,
            "field": self.field,
            "meaning": self.meaning,
            "text": self.text,
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
        if not self.shadow_findings:
            return []
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
                "scope_votes": person.explained_votes(),
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
                    "hires": [hire.to_json() for hire in plan.hires],
                    "findings": [f.to_json() for f in plan.findings],
                    "what_would_change": [c.to_json() for c in plan.what_would_change],
                    "close": plan.close,
                    "nearest_misses": list(plan.nearest_misses),
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
    """Unknown facts a person could fill in, where a heuristic or a scope vote needed them,
    one for each field to fill in (a person's six unknown time shares are one: their time).

    Only the facts that could be missing are looked at: those with an input field that a
    heuristic reads, and for people whose title is a product role, the scope votes' inputs
    and their time, which the product facts read (`pm_backlog_share`).
    """
    read: dict[Scope, set[str]] = defaultdict(set)
    for spec in heuristics:
        read[spec.scope].update(spec.facts_read)
    # Asked of product managers and owners whatever the heuristics read: two scope-vote
    # inputs, and their time (one share stands for it: it is all known or all unknown).
    product_people_inputs = {"owns_roadmap", "does_market_research", "backlog_share"}
    missing = []
    for scope in Scope:
        inputs = [fact for fact in CATALOGUE[scope].values() if fact.input_field]
        needed = [fact for fact in inputs if fact.name in read[scope]]
        voted = [
            fact
            for fact in inputs
            if fact.name in read[scope] or fact.name in product_people_inputs
        ]
        # Time is asked of product managers and owners only: the facts and heuristics
        # that read a share are about them.
        untimed = [fact for fact in needed if fact.input_field != "time"]
        for subject in facts.subjects(scope):
            values = subject.facts
            if scope == Scope.PERSON and values["role"] in TITLE_OF_ROLE:
                candidates = voted
            elif scope == Scope.PERSON:
                candidates = untimed
            else:
                candidates = needed
            fields = set()
            for fact in candidates:
                if fact.input_field in fields:
                    continue
                if fact.name in values and values[fact.name] is None:
                    fields.add(fact.input_field)
                    missing.append(
                        MissingFact(
                            scope,
                            subject.name,
                            fact.name,
                            fact.input_field,
                            TIME_MEANING if fact.input_field == "time" else fact.meaning,
                        )
                    )
    return missing


def _named_people(snapshot: OrgSnapshot, facts: OrgFacts) -> dict[int, dict[str, str]]:
    """Per product, the sentence naming the product manager whose numbers a product fact
    takes: the one at the highest backlog share, the one serving the most squads."""
    role = {p.id: p.facts["role"] for p in facts.people}
    squad_product = {s.id: s.product_id for s in snapshot.squads}
    pms_of: dict[int, list] = defaultdict(list)
    for person in snapshot.people:
        if role[person.id] != Role.PRODUCT_MANAGER:
            continue
        for product_id in dict.fromkeys(squad_product[s] for s in person.squad_ids):
            pms_of[product_id].append(person)
    named: dict[int, dict[str, str]] = {}
    for product in facts.products:
        pms = pms_of.get(product.id)
        if not pms:
            continue
        sentences = {}
        backlog = product.facts.get("pm_backlog_share")
        if backlog is not None:
            who = [
                p.name for p in pms if time_known(p.time) and p.time.get("backlog", 0) == backlog
            ]
            if who:
                sentences["pm_backlog_share"] = (
                    f"{_who_is(who)} at {format_value('pm_backlog_share', backlog)} backlog"
                )
        spread = product.facts.get("pm_squads")
        if spread:
            who = [p.name for p in pms if len(p.squad_ids) == spread]
            sentences["pm_squads"] = (
                f"{_who_is(who)} spread over {spread} squad{'' if spread == 1 else 's'}"
            )
        named[product.id] = sentences
    return named


def _who_is(names: list[str]) -> str:
    if len(names) == 1:
        return f"{names[0]} is the product manager"
    return f"{names_in_words(names)} are the product managers"


def _explained(findings: list[Finding], verdict: str, named: dict[str, str]) -> list[Finding]:
    """A product's findings as its verdict explains them: the winning ones first, then the
    others (gaps), then the outranked ones, marked; a message that a person's numbers fired
    names that person."""
    first, middle, last = [], [], []
    for finding in findings:
        sentences = dict.fromkeys(
            named[c.fact] for c in finding.trace if c.result and c.fact in named
        )
        if sentences:
            finding = replace(finding, message=f"{finding.message} {'; '.join(sentences)}.")
        if finding.outcome == verdict:
            first.append(finding)
        elif finding.outcome in VERDICT_PRECEDENCE:
            last.append(replace(finding, outranked=True))
        else:
            middle.append(finding)
    return [*first, *middle, *last]


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

    # Which squad and person findings bear on each product's plan, and the retitles the
    # plans count in the current staffing.
    related: dict[int, list[tuple[Scope, int, Finding]]] = defaultdict(list)
    retitles: dict[int, str] = {}
    for scope in (Scope.SQUAD, Scope.PERSON):
        for subject in facts.subjects(scope):
            for finding in findings.get((scope, subject.id), ()):
                if finding.outcome == NOTE:
                    continue  # a note is advice to the person: never the plan's business
                if finding.outcome == "retitle" and finding.evidence.get("scope_role"):
                    retitles[subject.id] = finding.evidence["scope_role"]
                for product_id in subject.product_ids:
                    related[product_id].append((scope, subject.id, finding))
    org = PlanContext(snapshot, facts.people, retitles)
    named = _named_people(snapshot, facts)
    deciding = verdict_specs(usable)
    sensitivity = Sensitivity(deciding)

    plans = []
    for product in facts.products:
        own = findings.get((Scope.PRODUCT, product.id), [])
        verdict = verdict_of(f.outcome for f in own)
        ordered = _explained(own, verdict, named.get(product.id, {}))
        if ordered != own:
            findings[(Scope.PRODUCT, product.id)] = ordered
        product_related = [
            *((Scope.PRODUCT, product.id, f) for f in ordered),
            *related.get(product.id, []),
        ]
        changes = sensitivity.changes(product.facts)
        plans.append(
            plan_product(
                product,
                verdict,
                tuple(ordered),
                product_related,
                org,
                rules,
                what_would_change=changes,
                close=any(c.close for c in changes),
                nearest_misses=(nearest_misses(product.facts, deciding) if verdict == KEEP else ()),
            )
        )

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
