"""The engine's core, without a database: each default heuristic at its threshold and past it,
verdict precedence, the staffing plan, unknown facts, and failures that stay contained."""

import gc
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from advisor.defaults import default_specs
from advisor.engine import HeuristicSpec, StaffingRules, verdict_of
from advisor.engine.collector import collector_paused
from advisor.engine.vocabulary import Scope
from tests.advisor.builders import AS_OF, fired, only, person, product, run, snapshot, squad


def one_product(n_squads: int = 1, *, methodology: str = "scrum", people=(), **product_kw):
    return snapshot(
        products=[product(**product_kw)],
        squads=[squad(f"S{i}", id=10 + i) for i in range(n_squads)],
        people=people,
        methodology=methodology,
    )


def pm(squad_ids=(10,), backlog: int = 30, id: int = 100, **kw):
    kw.setdefault("owns_roadmap", True)
    return person("Dana Lee", id, squad_ids=tuple(squad_ids), time={"backlog": backlog}, **kw)


def product_codes(snap, code: str) -> list[str]:
    result = run(snap, only(default_specs(), code))
    return fired(result, result.facts.products[0])


class TestSplitThreePlusSquads:
    def test_two_squads_do_not_fire(self):
        assert product_codes(one_product(2), "split-three-plus-squads") == []

    def test_three_squads_recommend_split(self):
        assert product_codes(one_product(3), "split-three-plus-squads") == [
            "split-three-plus-squads"
        ]

    def test_pm_serving_three_squads_across_products_recommends_split(self):
        snap = snapshot(
            products=[product("A", 1), product("B", 2)],
            squads=[squad("A1", 10, 1), squad("B1", 20, 2), squad("B2", 21, 2)],
            people=[pm(squad_ids=(10, 20, 21))],
        )
        result = run(snap, only(default_specs(), "split-three-plus-squads"))
        a, b = result.facts.products
        assert a.facts["squads"] == 1
        assert a.facts["pm_squads"] == 3
        assert fired(result, a) == ["split-three-plus-squads"]
        assert fired(result, b) == ["split-three-plus-squads"]

    def test_min_squads_parameter_changes_the_advice(self):
        spec = only(default_specs(), "split-three-plus-squads")[0]
        raised = replace(spec, parameters={"min_squads": 4})
        result = run(one_product(3), [raised])
        assert fired(result, result.facts.products[0]) == []


class TestSplitBacklogOverload:
    def test_backlog_share_of_40_percent_does_not_fire(self):
        snap = one_product(people=[pm(backlog=40)])
        assert product_codes(snap, "split-backlog-overload") == []

    def test_backlog_share_over_40_percent_recommends_split(self):
        snap = one_product(people=[pm(backlog=41)])
        assert product_codes(snap, "split-backlog-overload") == ["split-backlog-overload"]

    def test_evidence_names_the_fact_and_the_threshold(self):
        result = run(one_product(people=[pm(backlog=55)]), default_specs())
        finding = next(
            f
            for f in result.findings_for(result.facts.products[0])
            if f.heuristic == "split-backlog-overload"
        )
        assert finding.evidence == {"pm_backlog_share": 55}
        assert finding.thresholds == {"max_backlog_share": 40}
        assert [c.to_json() for c in finding.trace] == [
            {
                "fact": "pm_backlog_share",
                "value": 55,
                "op": ">",
                "threshold": 40,
                "param": "max_backlog_share",
                "result": True,
                "path": [],
            }
        ]
        assert finding.message == (
            "A product manager of Payments spends 55% of their time on the backlog "
            "(the limit is 40%): tactical work is crowding out strategy. "
            "Dana Lee is the product manager at 55% backlog."
        )
        assert finding.sources == (
            {
                "title": "The Role Confusion Problem",
                "quote": "If writing stories and grooming the backlog consumes more than 40% of "
                "the PM's time, they need a PO",
                "link": "",
            },
        )

    def test_without_product_manager_backlog_share_is_unknown_and_never_fires(self):
        result = run(one_product(), only(default_specs(), "split-backlog-overload"))
        assert result.facts.products[0].facts["pm_backlog_share"] is None
        assert fired(result, result.facts.products[0]) == []

    def test_highest_share_among_product_managers_counts(self):
        snap = one_product(
            2,
            people=[
                pm(squad_ids=(10,), backlog=20, id=100),
                person("Ali", 101, squad_ids=(11,), time={"backlog": 60}),
            ],
        )
        result = run(snap, [])
        assert result.facts.products[0].facts["pm_backlog_share"] == 60


class TestSplitStrategyStalled:
    @pytest.mark.parametrize(
        ("field", "days", "fires"),
        [
            ("roadmap_updated_on", 90, False),
            ("roadmap_updated_on", 91, True),
            ("last_customer_interview_on", 90, False),
            ("last_customer_interview_on", 91, True),
        ],
    )
    def test_age_threshold(self, field, days, fires):
        snap = one_product(**{field: AS_OF - timedelta(days=days)})
        expected = ["split-strategy-stalled"] if fires else []
        assert product_codes(snap, "split-strategy-stalled") == expected

    @pytest.mark.parametrize(("cancelled", "fires"), [(1, False), (2, True)])
    def test_cancelled_reviews_threshold(self, cancelled, fires):
        snap = one_product(roadmap_reviews_cancelled=cancelled)
        expected = ["split-strategy-stalled"] if fires else []
        assert product_codes(snap, "split-strategy-stalled") == expected

    def test_unknown_dates_and_counts_never_fire(self):
        snap = one_product(
            roadmap_updated_on=None, last_customer_interview_on=None, roadmap_reviews_cancelled=None
        )
        result = run(snap, only(default_specs(), "split-strategy-stalled"))
        assert fired(result, result.facts.products[0]) == []
        assert [(m.fact, m.field) for m in result.missing_facts] == [
            ("roadmap_age_days", "roadmap_updated_on"),
            ("interview_age_days", "last_customer_interview_on"),
            ("reviews_cancelled", "roadmap_reviews_cancelled"),
        ]

    def test_trace_records_every_clause_compared(self):
        snap = one_product(roadmap_updated_on=AS_OF - timedelta(days=120))
        result = run(snap, only(default_specs(), "split-strategy-stalled"))
        (finding,) = result.findings_for(result.facts.products[0])
        assert [(c.fact, c.value, c.threshold, c.result) for c in finding.trace] == [
            ("roadmap_age_days", 120, 90, True),
            ("interview_age_days", 22, 90, False),
            ("reviews_cancelled", 0, 2, False),
        ]


class TestSplitMultipleMarkets:
    def test_one_market_does_not_fire(self):
        assert product_codes(one_product(markets=("EU",)), "split-multiple-markets") == []

    def test_two_markets_recommend_split(self):
        snap = one_product(markets=("EU", "US"))
        assert product_codes(snap, "split-multiple-markets") == ["split-multiple-markets"]


class TestMergeSmallTeam:
    def test_small_team_without_product_manager_merges(self):
        assert product_codes(one_product(2), "merge-small-team") == ["merge-small-team"]

    def test_backlog_share_at_limit_still_merges(self):
        snap = one_product(2, people=[pm(squad_ids=(10, 11), backlog=40)])
        assert product_codes(snap, "merge-small-team") == ["merge-small-team"]

    def test_backlog_share_past_limit_does_not_merge(self):
        snap = one_product(2, people=[pm(squad_ids=(10, 11), backlog=41)])
        assert product_codes(snap, "merge-small-team") == []

    @pytest.mark.parametrize(
        ("n_squads", "kw"),
        [
            (3, {}),
            (1, {"markets": ("EU", "US")}),
            (1, {"personas": ("Merchant", "Shopper")}),
        ],
    )
    def test_one_past_any_size_limit_does_not_merge(self, n_squads, kw):
        assert product_codes(one_product(n_squads, **kw), "merge-small-team") == []

    def test_unknown_market_count_does_not_merge(self):
        assert product_codes(one_product(1, markets=None), "merge-small-team") == []


class TestNoPoWithoutScrum:
    def test_kanban_organization_needs_no_product_owner(self):
        snap = one_product(2, methodology="kanban")
        assert product_codes(snap, "no-po-without-scrum") == ["no-po-without-scrum"]

    def test_one_scrum_squad_is_enough_to_keep_a_product_owner(self):
        snap = snapshot(
            products=[product()],
            squads=[squad("A", 10, methodology="scrum"), squad("B", 11)],
            methodology="kanban",
        )
        result = run(snap, only(default_specs(), "no-po-without-scrum"))
        assert result.facts.products[0].facts["scrum_squads"] == 1
        assert fired(result, result.facts.products[0]) == []

    def test_squad_methodology_overrides_the_organization(self):
        snap = snapshot(products=[product()], squads=[squad("A", 10, methodology="kanban")])
        assert product_codes(snap, "no-po-without-scrum") == ["no-po-without-scrum"]


def person_codes(snap, code_filter="retitle") -> dict[str, list[str]]:
    result = run(snap, [s for s in default_specs() if s.code.startswith(code_filter)])
    return {p.name: fired(result, p) for p in result.facts.people}


class TestRetitle:
    def team(self, title: str, *, owns_roadmap, research, squads, manager_title):
        return snapshot(
            products=[product()],
            squads=[squad("A", 10), squad("B", 11)],
            people=[
                person("Boss", 1, manager_title),
                person(
                    "Dana Lee",
                    2,
                    title,
                    reports_to_id=1,
                    squad_ids=squads,
                    owns_roadmap=owns_roadmap,
                    does_market_research=research,
                ),
            ],
        )

    def test_pm_with_all_four_po_signals_is_retitled(self):
        snap = self.team(
            "Product Manager",
            owns_roadmap=False,
            research=False,
            squads=(10,),
            manager_title="Engineering Manager",
        )
        assert person_codes(snap)["Dana Lee"] == ["retitle-pm-doing-po-work"]

    def test_pm_with_three_po_signals_is_retitled(self):
        snap = self.team(
            "Product Manager",
            owns_roadmap=False,
            research=None,
            squads=(10,),
            manager_title="Engineering Manager",
        )
        assert person_codes(snap)["Dana Lee"] == ["retitle-pm-doing-po-work"]

    def test_pm_with_two_po_signals_is_not_retitled(self):
        snap = self.team(
            "Product Manager",
            owns_roadmap=False,
            research=None,
            squads=(10,),
            manager_title="Designer",
        )
        assert person_codes(snap)["Dana Lee"] == []

    def test_po_doing_pm_work_is_retitled(self):
        snap = self.team(
            "Product Owner",
            owns_roadmap=True,
            research=True,
            squads=(10, 11),
            manager_title="VP Product",
        )
        assert person_codes(snap)["Dana Lee"] == ["retitle-po-doing-pm-work"]

    def test_role_set_by_hand_wins_over_the_title(self):
        snap = snapshot(
            products=[product()],
            squads=[squad("A", 10), squad("B", 11)],
            people=[
                person("Boss", 1, "CEO"),
                person(
                    "Dana Lee",
                    2,
                    "Product Manager",
                    role="product_owner",
                    reports_to_id=1,
                    squad_ids=(10, 11),
                    owns_roadmap=True,
                    does_market_research=True,
                ),
            ],
        )
        assert person_codes(snap)["Dana Lee"] == ["retitle-po-doing-pm-work"]

    def test_retitle_appears_as_an_action_on_the_product(self):
        snap = self.team(
            "Product Manager",
            owns_roadmap=False,
            research=False,
            squads=(10,),
            manager_title="Engineering Manager",
        )
        result = run(snap)
        assert "retitle Dana Lee to Product Owner" in result.products[0].actions


class TestGaps:
    def test_scrum_squad_without_po_or_pm_is_a_gap(self):
        snap = snapshot(
            products=[product()],
            squads=[squad("Checkout", 10), squad("Ledger", 11)],
            people=[pm(squad_ids=(11,))],
        )
        result = run(snap, only(default_specs(), "gap-squad-without-backlog-owner"))
        assert {s.name: fired(result, s) for s in result.facts.squads} == {
            "Checkout": ["gap-squad-without-backlog-owner"],
            "Ledger": [],
        }

    def test_kanban_squad_without_backlog_owner_is_no_gap(self):
        snap = snapshot(products=[product()], squads=[squad("Ops", 10, methodology="kanban")])
        result = run(snap, only(default_specs(), "gap-squad-without-backlog-owner"))
        assert fired(result, result.facts.squads[0]) == []

    def test_product_nobody_owns_the_roadmap_of_is_a_gap(self):
        snap = one_product(people=[pm(owns_roadmap=False)])
        assert product_codes(snap, "gap-product-without-roadmap-owner") == [
            "gap-product-without-roadmap-owner"
        ]

    def test_roadmap_owner_closes_the_gap(self):
        snap = one_product(people=[pm(owns_roadmap=True)])
        assert product_codes(snap, "gap-product-without-roadmap-owner") == []

    def test_unknown_roadmap_ownership_is_not_a_gap(self):
        snap = one_product(people=[pm(owns_roadmap=None)])
        result = run(snap, only(default_specs(), "gap-product-without-roadmap-owner"))
        assert result.facts.products[0].facts["roadmap_owners"] is None
        assert fired(result, result.facts.products[0]) == []
        assert [(m.subject, m.field) for m in result.missing_facts] == [
            ("Payments", "people.owns_roadmap"),
            ("Dana Lee", "owns_roadmap"),
            ("Dana Lee", "does_market_research"),
        ]


class TestVerdicts:
    def test_precedence_is_pm_only_then_split_then_merge_then_keep(self):
        assert verdict_of(["merge", "split", "pm_only"]) == "pm_only"
        assert verdict_of(["merge", "split"]) == "split"
        assert verdict_of(["merge", "gap"]) == "merge"
        assert verdict_of(["gap", "retitle"]) == "keep"
        assert verdict_of([]) == "keep"

    def test_split_outranks_merge_when_both_fire(self):
        snap = one_product(1, people=[pm()], roadmap_updated_on=date(2026, 1, 1))
        result = run(snap)
        assert fired(result, result.facts.products[0]) == [
            "split-strategy-stalled",
            "merge-small-team",
        ]
        assert result.products[0].verdict == "split"

    def test_keep_when_no_product_heuristic_fires(self):
        snap = one_product(
            2, personas=("Merchant", "Analyst"), people=[pm(squad_ids=(10, 11), backlog=30)]
        )
        plan = run(snap).products[0]
        assert plan.verdict == "keep"
        assert plan.findings == ()
        assert plan.recommended == plan.current
        assert plan.actions == ()


class TestStaffingPlan:
    def test_split_recommends_one_pm_and_one_po_per_scrum_squad(self):
        snap = one_product(3, people=[pm(squad_ids=(10, 11, 12))])
        plan = run(snap).products[0]
        assert plan.verdict == "split"
        assert (plan.current.product_managers, plan.current.product_owners) == (1, 0)
        assert (plan.recommended.product_managers, plan.recommended.product_owners) == (1, 3)
        assert plan.actions == ("add 3 product owners for S0, S1 and S2",)

    def test_po_ratio_setting_rounds_up(self):
        snap = one_product(3, people=[pm(squad_ids=(10, 11, 12))])
        rules = StaffingRules(pos_per_scrum_squad=Decimal("0.5"))
        assert run(snap, rules=rules).products[0].recommended.product_owners == 2

    def test_merge_folds_the_po_role_into_the_pm_role(self):
        snap = one_product(
            1,
            people=[
                pm(backlog=20),
                person("Po", 101, "Product Owner", squad_ids=(10,), owns_roadmap=False),
            ],
        )
        plan = run(snap).products[0]
        assert plan.verdict == "merge"
        assert (plan.recommended.product_managers, plan.recommended.product_owners) == (1, 0)
        assert plan.actions == (
            "fold Po's PO role into Dana Lee's (the team is small enough for one person to do "
            "both)",
        )

    def test_pm_only_without_any_product_manager_adds_one(self):
        plan = run(one_product(1, methodology="none")).products[0]
        assert plan.verdict == "pm_only"
        # The product manager to hire owns the roadmap: no separate ask for a roadmap owner.
        assert plan.actions == ("add a product manager for Payments",)


class TestFailures:
    def test_a_heuristic_that_raises_yields_an_error_finding_and_the_rest_completes(
        self, monkeypatch
    ):
        def explode(template, **kwargs):
            if template == "boom":
                raise RuntimeError("boom")
            return template

        monkeypatch.setattr("advisor.engine.evaluation.render_message", explode)
        broken = HeuristicSpec(
            code="broken",
            name="Broken",
            scope=Scope.PRODUCT,
            condition={"fact": "squads", "op": ">=", "value": 0},
            outcome="split",
            message="boom",
        )
        snap = one_product(3, markets=("EU", "US"))
        result = run(snap, [broken, *only(default_specs(), "split-multiple-markets")])
        # The winning finding first, then the rest.
        split, error = result.findings_for(result.facts.products[0])
        assert (error.heuristic, error.outcome, error.severity) == ("broken", "error", "error")
        assert "RuntimeError: boom" in error.message
        assert split.heuristic == "split-multiple-markets"
        assert result.products[0].verdict == "split"

    def test_an_invalid_heuristic_is_skipped_with_an_error_and_the_rest_completes(self):
        bad = HeuristicSpec(
            code="bad",
            name="Bad",
            scope=Scope.PRODUCT,
            condition={"fact": "sqauds", "op": ">=", "value": 3},
            outcome="split",
        )
        result = run(one_product(3), [bad, *only(default_specs(), "split-three-plus-squads")])
        assert result.products[0].verdict == "split"
        assert len(result.errors) == 1
        assert result.errors[0].startswith("bad: skipped, its definition is invalid: ")
        assert "unknown fact 'sqauds'" in result.errors[0]

    def test_disabled_heuristics_do_not_fire(self):
        spec = replace(only(default_specs(), "split-three-plus-squads")[0], enabled=False)
        result = run(one_product(3), [spec])
        assert fired(result, result.facts.products[0]) == []


class TestActionsCountRetitles:
    def test_po_retitled_to_pm_is_the_pm_a_merge_needs(self):
        snap = snapshot(
            products=[product()],
            squads=[squad("A", 10)],
            people=[
                person("Ceo", 1, "CEO"),
                person(
                    "Maya",
                    2,
                    "Product Owner",
                    reports_to_id=1,
                    squad_ids=(10,),
                    owns_roadmap=True,
                    does_market_research=True,
                    time={"backlog": 30},
                ),
            ],
        )
        plan = run(snap).products[0]
        assert plan.verdict == "merge"
        assert (plan.current.product_managers, plan.current.product_owners) == (1, 0)
        assert plan.actions == (
            "retitle Maya to Product Manager",
            "already one person in both roles (Maya): keep it that way",
        )

    def test_pm_retitled_to_po_counts_toward_the_product_owners_a_split_needs(self):
        snap = snapshot(
            products=[product()],
            squads=[squad("A", 10), squad("B", 11), squad("C", 12)],
            people=[
                person("Em", 1, "Engineering Manager"),
                person("Lead", 2, "Product Manager", squad_ids=(10, 11, 12), owns_roadmap=True),
                person(
                    "Liam",
                    3,
                    "Product Manager",
                    reports_to_id=1,
                    squad_ids=(10,),
                    owns_roadmap=False,
                    does_market_research=False,
                ),
            ],
        )
        plan = run(snap).products[0]
        assert plan.verdict == "split"
        assert (plan.current.product_managers, plan.current.product_owners) == (1, 1)
        assert (plan.recommended.product_managers, plan.recommended.product_owners) == (1, 3)
        assert plan.actions == ("retitle Liam to Product Owner", "add 2 product owners for B and C")


class TestCollectorPause:
    def test_the_collector_is_off_inside_and_on_again_after_the_body_raises(self):
        seen = []
        with pytest.raises(RuntimeError, match="inside"), collector_paused():
            seen.append(gc.isenabled())
            raise RuntimeError("inside")
        assert seen == [False]
        assert gc.isenabled()

    def test_a_collector_already_off_stays_off_after_the_pause(self):
        gc.disable()
        try:
            with collector_paused():
                pass
            assert not gc.isenabled()
        finally:
            gc.enable()
