"""The staffing plan, merged_backlog_share, explained verdicts and what would change them:
engine only, no database (DOMAIN.md, "The staffing plan")."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.defaults import default_specs
from advisor.engine import HeuristicSpec
from advisor.engine.explanations import evidence_outline
from advisor.engine.plan import StaffingRules, _Owners
from advisor.engine.sensitivity import (
    Change,
    change_in_words,
    verdict_for,
    verdict_specs,
    what_would_change,
)
from advisor.engine.vocabulary import VERDICT_MEANINGS, Scope
from tests.advisor.builders import facts_of, person, product, run, snapshot, squad


def org(squads=1, people=(), methodology="scrum", **product_kw):
    return snapshot(
        products=[product(**product_kw)],
        squads=[
            squad(name, 10 + i) for i, name in enumerate(["Checkout", "Billing", "Ledger"][:squads])
        ],
        people=people,
        methodology=methodology,
    )


def dana(squad_ids=(10,), backlog=30, **kw):
    kw.setdefault("owns_roadmap", True)
    kw.setdefault("time", {"backlog": backlog, "strategy": 30})
    return person("Dana Lee", 100, "Product Manager", squad_ids=tuple(squad_ids), **kw)


def chen(squad_ids=(10,), backlog=40, **kw):
    kw.setdefault("time", {"backlog": backlog, "ceremonies": 20})
    return person("Chen Wu", 101, "Product Owner", squad_ids=tuple(squad_ids), **kw)


def plan_of(snap):
    return run(snap).products[0]


class TestMergedBacklogShare:
    def test_adds_the_pm_and_po_shares_over_the_pms(self):
        facts = facts_of(org(people=[dana(backlog=10), chen(backlog=30)])).products[0].facts
        assert facts["merged_backlog_share"] == 40

    def test_counts_each_share_in_proportion_to_the_squads_of_this_product(self):
        # Chen serves Checkout (this product) and a squad of another product: half counts.
        snap = snapshot(
            products=[product(), product("Ledger", id=2)],
            squads=[squad("Checkout", 10), squad("Books", 20, product_id=2)],
            people=[dana(backlog=10), chen(squad_ids=(10, 20), backlog=45)],
        )
        assert facts_of(snap).products[0].facts["merged_backlog_share"] == 32.5

    def test_divides_by_the_product_managers_without_rounding(self):
        second = person("Ira Kay", 102, "Product Manager", squad_ids=(10,), time={"backlog": 5})
        facts = facts_of(org(people=[dana(backlog=10), second, chen(backlog=20)])).products[0]
        assert facts.facts["merged_backlog_share"] == 17.5

    def test_unknown_without_a_product_manager(self):
        assert facts_of(org(people=[chen()])).products[0].facts["merged_backlog_share"] is None

    def test_unknown_when_a_product_owners_time_was_never_entered(self):
        snap = org(people=[dana(), chen(time={})])
        assert facts_of(snap).products[0].facts["merged_backlog_share"] is None

    def test_merge_holds_at_40_percent_merged(self):
        plan = plan_of(org(people=[dana(backlog=10), chen(backlog=30)]))
        assert plan.verdict == "merge"

    def test_merge_stops_just_past_40_percent_merged(self):
        plan = plan_of(org(people=[dana(backlog=10), chen(backlog=31)]))
        assert plan.verdict == "keep"
        assert "merged backlog share 41%, merge at 40% or less" in " ".join(plan.nearest_misses)


class TestThePlanNeverContradictsItsVerdict:
    def test_a_split_counts_both_retitles_before_it_hires(self):
        # A PO doing PM work and a PM doing PO work: once retitled they are the PM and one of
        # the two POs two markets call for, so one PO is hired, for the squad without one.
        snap = org(
            squads=2,
            people=[
                person("Boss", 1, "CEO"),
                person(
                    "Ana Ruiz",
                    2,
                    "Product Owner",
                    reports_to_id=1,
                    squad_ids=(10, 11),
                    owns_roadmap=True,
                    does_market_research=True,
                    time={"backlog": 20, "strategy": 40},
                ),
                dana(
                    squad_ids=(10,),
                    backlog=35,
                    reports_to_id=2,
                    owns_roadmap=False,
                    does_market_research=False,
                ),
            ],
            markets=("EU", "US"),
        )
        plan = plan_of(snap)
        assert plan.verdict == "split"  # two markets
        assert (plan.current.product_managers, plan.current.product_owners) == (1, 1)
        assert plan.actions == (
            "retitle Ana Ruiz to Product Manager",
            "retitle Dana Lee to Product Owner",
            "add a product owner for Billing",
        )

    def test_keep_changes_no_staffing_and_counts_the_retitle(self):
        snap = org(
            people=[
                person("Boss", 1, "CEO"),
                person(
                    "Maya Okafor",
                    2,
                    "Product Owner",
                    reports_to_id=1,
                    squad_ids=(10,),
                    owns_roadmap=True,
                    does_market_research=True,
                    time={"backlog": 30, "strategy": 40},
                ),
                chen(backlog=40),
            ],
            personas=("Roaster", "Café"),
        )
        plan = plan_of(snap)
        # Two personas: merge does not hold, and nothing else fires.
        assert plan.verdict == "keep"
        assert (plan.current.product_managers, plan.current.product_owners) == (1, 1)
        assert plan.recommended == plan.current
        assert plan.actions == ("retitle Maya Okafor to Product Manager",)
        assert plan.hires == ()

    def test_a_merge_already_met_says_so(self):
        plan = plan_of(org(people=[dana(backlog=20)]))
        assert plan.verdict == "merge"
        assert plan.actions == ("already one person in both roles (Dana Lee): keep it that way",)

    def test_merge_folds_the_po_named_into_the_pm_named(self):
        plan = plan_of(org(people=[dana(backlog=10), chen(backlog=20)]))
        assert plan.actions == (
            "fold Chen Wu's PO role into Dana Lee's (the team is small enough for one person "
            "to do both)",
        )

    def test_a_po_only_product_that_should_merge_makes_its_po_the_pm(self):
        plan = plan_of(org(people=[chen(backlog=20)]))
        assert plan.verdict == "merge"
        assert plan.actions == (
            "make Chen Wu the product manager of Payments, holding both roles; retitle to "
            "Product Manager",
        )
        assert plan.hires == ()

    def test_pm_only_with_only_a_po_makes_the_po_the_pm(self):
        plan = plan_of(org(methodology="kanban", people=[chen(backlog=20)]))
        assert plan.verdict == "pm_only"
        assert (plan.recommended.product_managers, plan.recommended.product_owners) == (1, 0)
        assert plan.actions == (
            "make Chen Wu the product manager of Payments (without Scrum there is no "
            "product-owner role to keep); retitle to Product Manager",
        )

    def test_pm_only_without_a_pm_hires_one_and_says_nothing_of_covering(self):
        plan = plan_of(org(methodology="kanban", people=[person("Boss", 1, "CEO")]))
        assert plan.verdict == "pm_only"
        assert plan.actions == ("add a product manager for Payments",)
        assert "covers the role" not in VERDICT_MEANINGS["pm_only"]

    def test_a_surplus_pm_on_one_squad_doing_po_work_becomes_its_po(self):
        lead = dana(squad_ids=(10, 11, 12), backlog=20)
        ira = person(
            "Ira Kay",
            102,
            "Product Manager",
            squad_ids=(12,),
            owns_roadmap=False,
            time={"backlog": 60, "strategy": 10},
        )
        plan = plan_of(org(squads=3, people=[lead, ira]))
        assert plan.verdict == "split"
        assert plan.actions == (
            "make Ira Kay the product owner of Ledger; retitle to Product Owner",
            "add 2 product owners for Checkout and Billing",
        )
        assert [h.squads for h in plan.hires] == [("Checkout",), ("Billing",)]

    def test_a_surplus_pms_backlog_just_past_their_strategy_time_is_po_work(self):
        # Votes one each way (owns the roadmap, serves one squad): the time decides.
        def ira(backlog):
            return person(
                "Ira Kay",
                102,
                "Product Manager",
                squad_ids=(12,),
                owns_roadmap=True,
                time={"backlog": backlog, "strategy": 30},
            )

        lead = dana(squad_ids=(10, 11, 12), backlog=20)
        at = plan_of(org(squads=3, people=[lead, ira(30)]))
        past = plan_of(org(squads=3, people=[lead, ira(31)]))
        assert at.actions[0] == "fold Ira Kay's PM role into Dana Lee's"
        assert past.actions[0] == (
            "make Ira Kay the product owner of Ledger; retitle to Product Owner"
        )

    def test_a_surplus_pm_doing_pm_work_folds_into_the_roadmap_owner(self):
        ira = person(
            "Ira Kay",
            102,
            "Product Manager",
            squad_ids=(10,),
            owns_roadmap=False,
            time={"backlog": 10, "strategy": 50},
        )
        plan = plan_of(org(people=[dana(backlog=10), ira]))
        assert plan.verdict == "merge"
        assert plan.actions == ("fold Ira Kay's PM role into Dana Lee's",)

    def test_an_unknown_strategic_share_never_decides_which_pm_is_kept(self):
        """Two roadmap owners serving every squad of a product that should have one PM:
        strategic time decides whom the product keeps only when both are known; with one
        unknown, never as if it were 0, the name does."""

        def managers(bea_time, aaron_time):
            return [
                person(
                    name,
                    pid,
                    "Product Manager",
                    squad_ids=(10, 11, 12),
                    owns_roadmap=True,
                    **({"time": time} if time else {}),
                )
                for name, pid, time in (
                    ("Bea Moss", 100, bea_time),
                    ("Aaron Fry", 101, aaron_time),
                )
            ]

        def folded(bea_time, aaron_time):
            plan = plan_of(org(squads=3, people=managers(bea_time, aaron_time)))
            return [a for a in plan.actions if a.startswith("fold")]

        bea_5 = {"backlog": 20, "strategy": 5}
        bea_0 = {"backlog": 20, "other": 5}
        assert (
            folded(bea_5, None)
            == folded(bea_0, None)
            == ["fold Bea Moss's PM role into Aaron Fry's"]
        )
        # Both known: the more strategic one stays.
        assert folded(bea_5, {"backlog": 20, "other": 5}) == [
            "fold Aaron Fry's PM role into Bea Moss's"
        ]
        assert folded(bea_0, {"backlog": 20, "strategy": 5}) == [
            "fold Bea Moss's PM role into Aaron Fry's"
        ]

    def test_no_plan_adds_and_removes_the_same_role(self):
        plan = plan_of(org(squads=3, people=[dana(squad_ids=(10, 11, 12))]))
        words = " ".join(plan.actions)
        assert "add 3 product owners for Checkout, Billing and Ledger" in words
        assert "fold" not in words and "consolidate" not in words and "reduce" not in words

    def test_a_pm_of_two_products_is_placed_on_each_with_its_squads_there(self):
        ira = person(
            "Ira Kay",
            102,
            "Product Manager",
            squad_ids=(11, 20),
            owns_roadmap=False,
            time={"backlog": 10, "strategy": 50},
        )
        snap = snapshot(
            products=[product("Payments", id=1), product("Ledger", id=2)],
            squads=[squad("Checkout", 10, 1), squad("Billing", 11, 1), squad("Books", 20, 2)],
            # Ira first: the roadmap owner is still the product manager Payments keeps.
            people=[ira, dana(squad_ids=(10, 11), backlog=10)],
        )
        payments, ledger = run(snap).products
        assert payments.verdict == ledger.verdict == "merge"
        assert payments.actions == ("fold Ira Kay's PM role on Payments into Dana Lee's",)
        (fold,) = payments.steps
        assert (fold.person_id, fold.into_id, fold.squad_ids) == (102, 100, (11,))
        assert ledger.current.product_managers == 1
        assert ledger.actions[0] == "already one person in both roles (Ira Kay): keep it that way"


class TestHires:
    def test_a_po_reports_to_the_products_pm_with_the_articles_responsibilities(self):
        plan = plan_of(org(squads=3, people=[dana(squad_ids=(10, 11, 12))]))
        first = plan.hires[0].to_json()
        assert first == {
            "role": "product_owner",
            "title": "Product Owner",
            "squads": ["Checkout"],
            "reports_to": "Dana Lee",
            "responsibilities": [
                "create, prioritize and refine the backlog",
                "plan each sprint with the development team and define its deliverables",
                "verify that completed work meets the acceptance criteria",
                "keep stakeholders informed of the progress of development",
            ],
        }

    def test_a_pm_reports_to_the_product_leader_the_products_pms_report_to(self):
        snap = org(
            squads=3,
            people=[
                person("Zoe Head", 1, "Head of Product"),
                person("Al Vp", 2, "VP Product"),
                person(
                    "Chen Wu",
                    101,
                    "Product Owner",
                    squad_ids=(10,),
                    reports_to_id=1,
                    owns_roadmap=False,
                ),
            ],
            markets=("EU", "US"),
        )
        plan = plan_of(snap)
        # No PM on the product: the organization's first product leader by name.
        (pm_hire,) = [h for h in plan.hires if h.role == "product_manager"]
        assert pm_hire.reports_to == "Al Vp"
        assert pm_hire.squads == ("Checkout", "Billing", "Ledger")

    def test_without_a_product_leader_a_pm_reports_to_the_first_executive(self):
        snap = org(
            methodology="kanban",
            people=[person("Zed Ceo", 1, "CEO"), person("Ann Founder", 2, "Founder")],
        )
        (hire,) = plan_of(snap).hires
        assert (hire.role, hire.reports_to) == ("product_manager", "Ann Founder")


class TestExplainedVerdicts:
    def test_winning_findings_come_first_and_the_outranked_are_marked(self):
        snap = org(methodology="kanban", roadmap_updated_on=date(2026, 1, 1))
        result = run(snap)
        findings = result.products[0].findings
        assert result.products[0].verdict == "pm_only"
        assert [(f.heuristic, f.outranked) for f in findings] == [
            ("no-po-without-scrum", False),
            ("gap-product-without-roadmap-owner", False),
            ("split-strategy-stalled", True),
            ("merge-small-team", True),
        ]
        assert findings[2].to_json()["outranked"] is True

    def test_a_kept_product_lists_its_nearest_misses(self):
        snap = org(squads=2, people=[dana(squad_ids=(10, 11), backlog=35), chen(squad_ids=(10,))])
        plan = plan_of(snap)
        assert plan.verdict == "keep"
        # Nearest first: 35% is 5 points from 40%, a third squad a third of the way to 3.
        assert plan.nearest_misses == (
            "Backlog work crowds out strategy: pm backlog share 35%, split above 40%",
            "Three or more squads: squads 2 of 3",
            "Several markets: markets 1 of 2",
        )

    def test_evidence_shows_the_any_group_a_failed_clause_sits_in(self):
        result = run(org(people=[dana(backlog=20)]))
        (merge,) = result.products[0].findings
        outline = evidence_outline([c.to_json() for c in merge.trace])
        assert outline[0][:2] == (0, "all")
        unknown_row = next(r for r in outline if r[2] and r[2]["op"] == "is_unknown")
        group_above = outline[outline.index(unknown_row) - 1]
        assert (unknown_row[0], unknown_row[3]) == (2, False)
        assert group_above[:2] == (1, "any") and group_above[3] is True

    def test_messages_name_the_product_manager_whose_numbers_fired_them(self):
        result = run(org(squads=3, people=[dana(squad_ids=(10, 11, 12), backlog=55)]))
        messages = {f.heuristic: f.message for f in result.products[0].findings}
        assert messages["split-backlog-overload"].endswith(
            "Dana Lee is the product manager at 55% backlog."
        )
        assert messages["split-three-plus-squads"].endswith(
            "Dana Lee is the product manager spread over 3 squads."
        )


class TestWhatWouldChange:
    def test_one_squad_more_splits_and_is_marked_close(self):
        plan = plan_of(org(squads=2, people=[dana(squad_ids=(10,), backlog=20)]))
        by_fact = {c.fact: c for c in plan.what_would_change}
        squads = by_fact["squads"]
        assert (squads.from_, squads.to, squads.verdict, squads.heuristic) == (
            2,
            3,
            "split",
            "split-three-plus-squads",
        )
        assert change_in_words(squads.to_json()) == "with 3 squads this would be split"
        assert plan.close

    def test_an_85_day_old_roadmap_splits_at_91(self):
        plan = plan_of(org(people=[dana(backlog=20)], roadmap_updated_on=date(2026, 8, 30)))
        change = next(c for c in plan.what_would_change if c.fact == "roadmap_age_days")
        assert (change.from_, change.to, change.verdict) == (85, 91, "split")
        assert change_in_words(change.to_json()) == (
            "the roadmap is 85 days old: at 91 this becomes split"
        )
        assert not change.close

    def test_a_verdict_at_the_threshold_is_one_step_from_changing(self):
        plan = plan_of(org(people=[dana(backlog=40)]))
        change = next(c for c in plan.what_would_change if c.fact == "pm_backlog_share")
        assert (change.to, change.verdict, change.close) == (41, "split", True)

    def test_one_step_is_close_and_two_are_not(self):
        near = Change("pm_backlog_share", 40, 41, "split", "split-backlog-overload")
        far = Change("pm_backlog_share", 39, 41, "split", "split-backlog-overload")
        assert (near.close, far.close) == (True, False)

    def test_when_the_new_verdict_is_keep_it_names_the_heuristic_that_ceased(self):
        plan = plan_of(org(people=[dana(backlog=20)]))
        change = next(c for c in plan.what_would_change if c.fact == "personas")
        assert (change.to, change.verdict, change.heuristic) == (2, "keep", "merge-small-team")


SPECS = verdict_specs(default_specs())
maybe = st.one_of(st.none(), st.integers(0, 120))
PRODUCT_FACTS = st.fixed_dictionaries(
    {
        "squads": st.integers(0, 6),
        "scrum_squads": st.integers(0, 6),
        "engineers": maybe,
        "markets": st.one_of(st.none(), st.integers(1, 4)),
        "personas": st.one_of(st.none(), st.integers(1, 4)),
        "roadmap_age_days": st.one_of(st.none(), st.integers(0, 400)),
        "interview_age_days": st.one_of(st.none(), st.integers(0, 400)),
        "reviews_cancelled": st.one_of(st.none(), st.integers(0, 5)),
        "product_managers": st.integers(0, 3),
        "product_owners": st.integers(0, 3),
        "pm_squads": st.one_of(st.none(), st.integers(1, 6)),
        "pm_backlog_share": st.one_of(st.none(), st.integers(0, 100)),
        "merged_backlog_share": st.one_of(
            st.none(), st.floats(0, 150, allow_nan=False), st.integers(0, 150)
        ),
        "roadmap_owners": st.one_of(st.none(), st.integers(0, 3)),
    }
)


class TestWhatWouldChangeProperty:
    @settings(max_examples=300, deadline=None)
    @given(PRODUCT_FACTS)
    def test_every_entry_applied_gives_exactly_the_verdict_it_names(self, facts):
        facts["scrum_squads"] = min(facts["scrum_squads"], facts["squads"])
        verdict = verdict_for(facts, SPECS)
        for change in what_would_change(facts, SPECS):
            assert change.from_ == facts[change.fact]
            assert isinstance(change.to, int)
            changed = {**facts, change.fact: change.to}
            assert verdict_for(changed, SPECS) == change.verdict != verdict
            # Nothing nearer changes it: every whole value between keeps the verdict.
            low, high = sorted((change.from_, change.to))
            between = [v for v in range(int(low), int(high) + 1) if low < v < high]
            assert all(verdict_for({**facts, change.fact: v}, SPECS) == verdict for v in between)


class TestAnAdminSplitWithoutScrum:
    """An admin's heuristic may split a product whose squads work in Kanban: the split wants
    no product owner there, so the one it has folds into the product manager."""

    def split_everything(self) -> HeuristicSpec:
        condition = {"fact": "squads", "op": ">=", "value": 1}
        return HeuristicSpec(
            code="split-all",
            name="Split all",
            scope=Scope.PRODUCT,
            condition=condition,
            outcome="split",
        )

    def test_the_last_product_owner_folds_into_the_product_manager(self):
        snap = org(people=[dana(), chen()], methodology="kanban")
        (plan,) = run(snap, [self.split_everything()]).products
        assert plan.verdict == "split"
        assert [(a.kind, a.text, a.person_id, a.into_id) for a in plan.steps] == [
            ("fold", "fold Chen Wu's PO role into Dana Lee's", 101, 100)
        ]

    def test_with_no_product_manager_it_folds_into_the_new_one(self):
        snap = org(people=[chen()], methodology="kanban")
        (plan,) = run(snap, [self.split_everything()]).products
        folds = [a for a in plan.steps if a.kind == "fold"]
        assert [(a.text, a.into_id) for a in folds] == [
            ("fold Chen Wu's PO role into the new product manager's", None)
        ]


def one_lead_and_many_single_squad_people(n: int, *, title: str, methodology: str):
    """One product of n squads: a lead PM who owns the roadmap and serves them all, and n
    people of the title, each on one squad, who do a product manager's work."""
    squads = [squad(f"S{i:03d}", 1000 + i) for i in range(n)]
    lead = person(
        "Lead",
        1,
        squad_ids=tuple(s.id for s in squads),
        owns_roadmap=True,
        time={"backlog": 10, "strategy": 40},
    )
    people = [
        person(
            f"P{i:03d}",
            10 + i,
            title,
            squad_ids=(1000 + i,),
            owns_roadmap=True,
            does_market_research=True,
            time={"backlog": 0, "strategy": 50},
        )
        for i in range(n)
    ]
    return snapshot(
        products=[product(markets=("EU",), personas=("Buyer",))],
        squads=squads,
        people=[lead, *people],
        methodology=methodology,
    )


class TestPlacingManyPeople:
    """Placing each surplus product manager or product owner looks up the squads and the kept
    product managers it needs, worked out once for the product: the work grows with the
    people and squads, not with their product (it once walked every Scrum squad, and every
    squad of the kept PM, for each person placed)."""

    def work(self, monkeypatch, snap, rules=None) -> tuple[int, object]:
        """The plan of the snapshot, and how many squad ids the engine read or walked."""
        from advisor.engine import plan as plan_module
        from advisor.engine.snapshot import SquadIn

        walked = 0

        class Walked(tuple):
            def __iter__(self):
                nonlocal walked
                walked += len(self)
                return super().__iter__()

            def __contains__(self, item):
                nonlocal walked
                walked += len(self)
                return super().__contains__(item)

        def squad_id(squad):
            nonlocal walked
            walked += 1
            return tuple.__getitem__(squad, 0)

        monkeypatch.setattr(SquadIn, "id", property(squad_id))
        monkeypatch.setattr(
            plan_module._Member, "here", property(lambda m: Walked(tuple.__getitem__(m, 5)))
        )
        plan = run(snap, rules=rules).products[0]
        monkeypatch.undo()
        return walked, plan

    def test_surplus_product_managers_fold_into_the_lead_with_linear_work(self, monkeypatch):
        def work(n: int) -> int:
            snap = one_lead_and_many_single_squad_people(
                n, title="Product Manager", methodology="scrum"
            )
            walked, plan = self.work(monkeypatch, snap)
            assert plan.verdict == "split"
            folds = [a for a in plan.steps if a.kind == "fold"]
            assert [(a.person_id, a.into_id, a.squad_ids) for a in folds] == [
                (10 + i, 1, (1000 + i,)) for i in range(n)
            ]
            return walked

        assert work(80) < 2.5 * work(40)

    def test_product_owners_fold_into_the_lead_with_linear_work(self, monkeypatch):
        def work(n: int) -> int:
            snap = one_lead_and_many_single_squad_people(
                n, title="Product Owner", methodology="kanban"
            )
            walked, plan = self.work(monkeypatch, snap)
            assert plan.verdict == "pm_only"
            folds = [a for a in plan.steps if a.kind == "fold"]
            assert sorted((a.person_id, a.into_id, a.squad_ids) for a in folds) == [
                (10 + i, 1, (1000 + i,)) for i in range(n)
            ]
            return walked

        assert work(80) < 2.5 * work(40)

    def test_product_owners_beyond_the_ratio_fold_with_linear_work(self, monkeypatch):
        def work(n: int) -> int:
            # n Scrum squads with a product owner each, one for every two squads wanted.
            squads = [squad(f"S{i:03d}", 1000 + i) for i in range(n)]
            pm = person("Lead", 1, squad_ids=(1000,), owns_roadmap=True, time={"strategy": 50})
            pos = [
                person(f"PO {i:03d}", 10 + i, "Product Owner", squad_ids=(1000 + i,))
                for i in range(n)
            ]
            snap = snapshot(
                products=[product(markets=("EU", "US"), personas=("Buyer",))],
                squads=squads,
                people=[pm, *pos],
            )
            rules = StaffingRules(pos_per_scrum_squad=Decimal("0.5"))
            walked, plan = self.work(monkeypatch, snap, rules)
            assert plan.verdict == "split"
            half = n // 2
            folds = [(a.person_id, a.into_id) for a in plan.steps if a.kind == "fold"]
            # Each folds into the next product owner left (none shares a squad with them).
            assert folds == [(10 + i, 11 + i) for i in range(half)]
            (cover,) = [a for a in plan.steps if a.kind == "cover"]
            assert cover.person_id == 10 + half
            assert cover.squad_ids == tuple(1000 + i for i in range(half))
            return walked

        assert work(80) < 2.5 * work(40)


class _Touched(list):
    """A list that counts the elements read from it, one by one or by slice."""

    touched = 0

    def __getitem__(self, key):
        got = super().__getitem__(key)
        _Touched.touched += len(got) if isinstance(key, slice) else 1
        return got

    def __iter__(self):
        for item in super().__iter__():
            _Touched.touched += 1
            yield item


def test_folding_product_owners_reads_their_positions_in_linear_work():
    """Whom each product owner beyond the ratio folds into is found without copying the
    positions left at every step (which took time in the square of the product owners)."""

    def touched(n: int, *, one_squad: bool) -> int:
        members = [SimpleNamespace(here=(1,) if one_squad else (i,)) for i in range(n)]
        owners = _Owners(members)
        owners.everyone = _Touched(owners.everyone)
        owners.serving = {squad: _Touched(p) for squad, p in owners.serving.items()}
        _Touched.touched = 0
        folding = members[1:] if one_squad else members[n // 2 :]
        into = []
        for member in folding:
            into.append(owners.into(member))
            owners.fold(member)
        # Each folds into the first other left: on one squad the first of all, else the next.
        assert into[0] is members[0]
        return _Touched.touched

    for one_squad in (True, False):
        assert touched(800, one_squad=one_squad) < 2.5 * touched(400, one_squad=one_squad)
