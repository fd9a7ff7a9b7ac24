"""What would change a verdict when one Sensitivity answers every product of an assessment:
each product gets what it would get asked alone, whatever was asked before it, with all the
verdict heuristics or any of them. Engine only, no database."""

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.defaults import default_specs
from advisor.engine import HeuristicSpec
from advisor.engine.sensitivity import Sensitivity, verdict_specs, what_would_change
from advisor.engine.vocabulary import Scope

SPECS = verdict_specs(default_specs())


def facts(**changed: Any) -> dict[str, Any]:
    return {
        "squads": 4,
        "scrum_squads": 0,
        "engineers": 20,
        "markets": 1,
        "personas": 1,
        "roadmap_age_days": 10,
        "interview_age_days": 10,
        "reviews_cancelled": 0,
        "product_managers": 1,
        "product_owners": 0,
        "pm_squads": 1,
        "pm_backlog_share": 20,
        "merged_backlog_share": 20.0,
        "roadmap_owners": 1,
    } | changed


def test_a_bound_no_heuristic_reads_still_bounds_each_product_its_own_way():
    # Only squads is read; a product has no fewer squads than Scrum squads, so with 3 Scrum
    # squads no whole number of squads undoes the split, with none 2 squads do.
    specs = [s for s in SPECS if s.code == "split-three-plus-squads"]
    sensitivity = Sensitivity(specs)
    unbounded, bounded = facts(scrum_squads=0), facts(scrum_squads=3)
    assert [(c.fact, c.to) for c in sensitivity.changes(unbounded)] == [("squads", 2)]
    assert sensitivity.changes(bounded) == what_would_change(bounded, specs) == ()


def test_an_absent_fact_is_not_taken_for_an_unknown_one():
    # merge-small-team holds with an unknown backlog share, and fails without the fact.
    specs = [s for s in SPECS if s.code == "merge-small-team"]
    sensitivity = Sensitivity(specs)
    unknown = facts(squads=1, pm_backlog_share=None)
    absent = {k: v for k, v in unknown.items() if k != "pm_backlog_share"}
    assert sensitivity.changes(unknown) == what_would_change(unknown, specs) != ()
    assert sensitivity.changes(absent) == what_would_change(absent, specs) == ()


def near(*thresholds: int, low: int = 0) -> st.SearchStrategy[int | None]:
    """Unknown, or a whole number about the thresholds: products that often share values."""
    values = {low, *(v for t in thresholds for v in (t - 1, t, t + 1, t + 7)), max(thresholds) * 3}
    return st.one_of(st.none(), st.sampled_from(sorted(v for v in values if v >= low)))


PRODUCT = st.fixed_dictionaries(
    {
        "squads": st.integers(0, 6),
        "scrum_squads": st.integers(0, 6),
        "engineers": st.none() | st.integers(0, 60),
        "markets": near(2, low=1),
        "personas": near(1, low=1),
        "roadmap_age_days": near(90),
        "interview_age_days": near(90),
        "reviews_cancelled": near(2),
        "product_managers": st.integers(0, 3),
        "product_owners": st.integers(0, 3),
        "pm_squads": near(3, low=1),
        "pm_backlog_share": near(40),
        "merged_backlog_share": st.one_of(near(40), st.sampled_from([39.5, 40.0, 40.5, 120.0])),
        "roadmap_owners": st.none() | st.integers(0, 3),
    }
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(SPECS), unique_by=lambda s: s.code, min_size=1),
    st.lists(PRODUCT, min_size=1, max_size=15),
)
def test_each_product_gets_what_it_would_get_asked_alone(specs, products):
    sensitivity = Sensitivity(specs)
    for product in products:
        assert sensitivity.changes(product) == what_would_change(product, specs)


def test_a_fact_with_thousands_of_thresholds_costs_only_the_candidates_tried():
    # 160 heuristics of 50 thresholds each on one fact (within what an admin may write): the
    # sides of a candidate are worked out only as far as the search for the nearest change
    # goes, here two candidates, never for all 24,000 at once.
    specs = [
        HeuristicSpec(
            code=f"late-{h}",
            name="Late",
            scope=Scope.PRODUCT,
            condition={
                "any": [
                    {"fact": "roadmap_age_days", "op": ">=", "value": 100_000 + h * 150 + 3 * i}
                    for i in range(50)
                ]
            },
            outcome="split",
        )
        for h in range(160)
    ]
    sensitivity = Sensitivity(specs)
    changes = [sensitivity.changes({"roadmap_age_days": days}) for days in range(5)]
    assert [c[0].to for c in changes] == [100_000] * 5
    # Each product's own value, and the two candidates every search tried: 99,999 (the
    # same sides as the value) and 100,000.
    assert len(sensitivity._side_cache) == 5 + 2
