"""Product heuristics over facts already computed: the verdict, the heuristics that fired
and the recommended staffing a ruleset gives to a product's stored facts.

The comparison of two assessments asks what the older facts would have been told under
the newer ruleset (advisor.comparison): this is the engine's answer, from plain facts
(as `AssessedSubject.facts` keeps them), with no snapshot, no ORM and no request. A
product's verdict and staffing depend on its own facts and its own findings only
(result.assess), so this gives exactly what `assess` would for the same facts.
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from advisor.engine.collector import collector_paused
from advisor.engine.evaluation import HeuristicSpec, evaluate_heuristics, usable_heuristics
from advisor.engine.facts import CATALOGUE, OrgFacts, Subject
from advisor.engine.plan import Staffing, StaffingRules, recommend, verdict_of
from advisor.engine.vocabulary import Scope


@dataclass(frozen=True)
class Judgement:
    """What a ruleset says of one product's facts."""

    verdict: str
    # The codes of the product heuristics that fired, in the ruleset's order.
    fired: tuple[str, ...]
    recommended: Staffing


def _complete(facts: Mapping[str, Any]) -> dict[str, Any]:
    """Every product fact of the catalogue; one the stored facts lack (a fact added to the
    engine since) is unknown, so it fires nothing."""
    return {name: facts.get(name) for name in CATALOGUE[Scope.PRODUCT]}


def judge_products[Key: Hashable](
    products: Mapping[Key, Mapping[str, Any]],
    heuristics: Sequence[HeuristicSpec],
    *,
    rules: StaffingRules | None = None,
    current: Mapping[Key, Staffing] | None = None,
) -> dict[Key, Judgement]:
    """Each product's facts (by any key) judged by the product heuristics of a ruleset.

    `current` is each product's staffing as its assessment counted it (the retitles it
    recommended counted, as the plan does), which a keep recommends; without it, the
    counts of the facts."""
    rules = rules or StaffingRules()
    keys = list(products)
    subjects = tuple(
        Subject(Scope.PRODUCT, i, "", _complete(products[key])) for i, key in enumerate(keys)
    )
    # Heuristics in shadow are shown to admins, never counted in a verdict (result.assess).
    usable, _ = usable_heuristics(
        [h for h in heuristics if h.scope == Scope.PRODUCT and not h.shadow]
    )
    with collector_paused():
        facts = OrgFacts("", "", date.min, subjects, (), ())
        findings = evaluate_heuristics(facts, usable)
    judged = {}
    for subject, key in zip(subjects, keys, strict=True):
        own = findings.get((Scope.PRODUCT, subject.id), [])
        verdict = verdict_of(f.outcome for f in own)
        counts = (current or {}).get(key) or Staffing(
            subject.facts["product_managers"] or 0, subject.facts["product_owners"] or 0
        )
        judged[key] = Judgement(
            verdict=verdict,
            fired=tuple(f.heuristic for f in own),
            recommended=recommend(verdict, counts, subject.facts["scrum_squads"] or 0, rules),
        )
    return judged
