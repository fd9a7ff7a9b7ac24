"""The engine's judgement of stored product facts (advisor.engine.judging), without a
database: what the comparison's cause rests on."""

import json
from dataclasses import replace
from decimal import Decimal

import pytest

from advisor.defaults import default_specs
from advisor.engine import StaffingRules, judge_products
from advisor.engine.plan import Staffing
from tests.advisor.builders import person, product, run, snapshot, squad

SMALL = snapshot(
    products=[product("Payments", 1)],
    squads=[squad("Checkout", 1), squad("Billing", 2)],
    people=[
        person("Dana Lee", 1, squad_ids=(1, 2), time={"backlog": 35, "strategy": 40}),
        person("Bea Kim", 2, title="Product Owner", squad_ids=(1,), time={"backlog": 55}),
    ],
)
GROWN = snapshot(
    products=[product("Payments", 1, markets=("EU SMB", "US SMB")), product("Atlas", 2)],
    squads=[squad(f"S{n}", n, product_id=1 if n < 5 else 2) for n in range(1, 7)],
    people=[
        person("Dana Lee", 1, squad_ids=(1, 2, 3, 4), time={"backlog": 55}, owns_roadmap=True),
        person("Ray Ng", 2, squad_ids=(5,), time={"backlog": 20}),
        person("Bea Kim", 3, title="Product Owner", squad_ids=(1,), time={"backlog": 30}),
    ],
    methodology="scrum",
)
KANBAN = replace(SMALL, methodology="kanban")


@pytest.mark.parametrize("snap", [SMALL, GROWN, KANBAN], ids=["small", "grown", "kanban"])
@pytest.mark.parametrize("ratio", [Decimal(1), Decimal("0.5")])
def test_stored_facts_are_judged_exactly_as_the_assessment_judged_them(snap, ratio):
    rules = StaffingRules(pos_per_scrum_squad=ratio)
    result = run(snap, rules=rules)
    # As the rows keep them: JSON.
    stored = {p.subject.id: json.loads(json.dumps(p.subject.facts)) for p in result.products}
    judged = judge_products(stored, default_specs(), rules=rules)
    for plan in result.products:
        judgement = judged[plan.subject.id]
        assert judgement.verdict == plan.verdict
        assert judgement.fired == tuple(f.heuristic for f in plan.findings)
        assert judgement.recommended == plan.recommended


def test_other_rules_give_their_own_verdict():
    facts = {1: dict(run(SMALL).products[0].subject.facts)}
    specs = [
        replace(s, parameters={"min_squads": 2}) if s.code == "split-three-plus-squads" else s
        for s in default_specs()
    ]
    judgement = judge_products(facts, specs)[1]
    assert judgement.verdict == "split"
    # Merge does not fire: Bea's backlog work moved to Dana would overload Dana.
    assert judgement.fired == ("split-three-plus-squads",)
    assert judgement.recommended == Staffing(1, 2)


def test_a_fact_the_stored_facts_lack_is_unknown_and_fires_nothing():
    facts = dict(run(SMALL).products[0].subject.facts)
    del facts["squads"]
    judgement = judge_products({"payments": facts}, default_specs())["payments"]
    # merge-small-team needs squads < 3: unknown, so it does not fire; nothing else does.
    assert (judgement.verdict, judgement.fired) == ("keep", ())


def test_a_disabled_heuristic_and_one_of_another_scope_are_not_evaluated():
    facts = {1: dict(run(SMALL).products[0].subject.facts)}
    specs = [
        replace(s, enabled=False) if s.code == "merge-small-team" else s for s in default_specs()
    ]
    assert judge_products(facts, specs)[1].fired == ()


def test_no_products_no_judgements():
    assert judge_products({}, default_specs()) == {}


def test_a_heuristic_in_shadow_is_never_counted():
    facts = {1: dict(run(SMALL).products[0].subject.facts)}
    specs = [
        replace(s, parameters={"min_squads": 2}, shadow=True)
        if s.code == "split-three-plus-squads"
        else s
        for s in default_specs()
    ]
    assert judge_products(facts, specs)[1].fired == judge_products(facts, default_specs())[1].fired
