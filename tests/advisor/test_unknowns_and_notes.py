"""Unknown stays unknown, and notes advise without changing a verdict or a plan: the engine
alone, without a database, at each threshold and just past it."""

from dataclasses import replace

import pytest

from advisor.defaults import NOTE_HEURISTICS, default_specs
from advisor.engine.facts import not_entered
from advisor.engine.vocabulary import NOTE, OUTCOME_LABELS, OUTCOMES_BY_SCOPE, Scope
from tests.advisor.builders import (
    facts_of,
    fired,
    only,
    person,
    product,
    run,
    snapshot,
    squad,
)

SHARES = (
    "backlog_share",
    "strategy_share",
    "discovery_share",
    "stakeholders_share",
    "ceremonies_share",
    "other_share",
    "strategic_share",
)


def org(*, people=(), n_squads: int = 1, **product_kw):
    return snapshot(
        products=[product(**product_kw)],
        squads=[squad(f"S{i}", id=10 + i) for i in range(n_squads)],
        people=people,
    )


def pm(name: str = "Dana Lee", id: int = 100, time=None, **kw):
    kw.setdefault("owns_roadmap", True)
    kw.setdefault("does_market_research", True)
    return person(name, id, squad_ids=kw.pop("squad_ids", (10,)), time=time or {}, **kw)


class TestMarketsAndPersonas:
    @pytest.mark.parametrize("names", [None, ()])
    def test_no_names_are_unknown_never_zero(self, names):
        (payments,) = facts_of(org(markets=names, personas=names)).products
        assert (payments.facts["markets"], payments.facts["personas"]) == (None, None)

    def test_one_name_is_a_count_of_one(self):
        (payments,) = facts_of(org(markets=("EU SMB",), personas=("Merchant",))).products
        assert (payments.facts["markets"], payments.facts["personas"]) == (1, 1)

    def test_unknown_markets_fire_neither_the_split_nor_the_merge(self):
        result = run(
            org(markets=(), personas=(), people=[pm(time={"backlog": 30, "strategy": 30})])
        )
        assert fired(result, result.facts.products[0]) == []
        (plan,) = result.products
        assert plan.verdict == "keep"

    def test_at_the_merge_threshold_one_market_merges_and_two_split(self):
        one = run(org(markets=("EU",)), only(default_specs(), "merge-small-team"))
        assert fired(one, one.facts.products[0]) == ["merge-small-team"]
        two = run(org(markets=("EU", "US")), only(default_specs(), "split-multiple-markets"))
        assert fired(two, two.facts.products[0]) == ["split-multiple-markets"]

    def test_each_unknown_is_a_missing_fact_in_plain_words(self):
        result = run(org(markets=(), personas=(), people=[pm(time={"backlog": 30})]))
        assert [(m.subject, m.fact, m.field, m.text) for m in result.missing_facts] == [
            ("Payments", "markets", "markets", "Payments: markets not entered"),
            ("Payments", "personas", "personas", "Payments: personas not entered"),
        ]


class TestTimeNotEntered:
    def test_shares_all_zero_are_unknown_every_one(self):
        zeros = dict.fromkeys(("backlog", "strategy", "ceremonies"), 0)
        for time in ({}, zeros):
            (dana,) = facts_of(org(people=[pm(time=time)])).people
            assert {share: dana.facts[share] for share in SHARES} == dict.fromkeys(SHARES)

    def test_one_percent_entered_makes_every_share_known(self):
        (dana,) = facts_of(org(people=[pm(time={"other": 1})])).people
        assert {share: dana.facts[share] for share in SHARES} == {
            "backlog_share": 0,
            "strategy_share": 0,
            "discovery_share": 0,
            "stakeholders_share": 0,
            "ceremonies_share": 0,
            "other_share": 1,
            "strategic_share": 0,
        }

    def test_strategic_share_is_strategy_and_discovery(self):
        (dana,) = facts_of(org(people=[pm(time={"strategy": 10, "discovery": 5})])).people
        assert dana.facts["strategic_share"] == 15

    def test_pm_backlog_share_is_null_when_no_pms_time_is_known(self):
        (payments,) = facts_of(org(people=[pm(time={})])).products
        assert payments.facts["pm_backlog_share"] is None

    def test_pm_backlog_share_reads_only_the_pms_whose_time_is_known(self):
        people = [pm(time={}), pm("Chen Wu", 101, time={"backlog": 20, "strategy": 50})]
        (payments,) = facts_of(org(people=people)).products
        assert payments.facts["pm_backlog_share"] == 20

    def test_a_pm_with_no_time_entered_is_never_merged_on_a_zero_backlog(self):
        """The issue's case: markets, personas and time left blank said "Merge: markets 0,
        personas 0, backlog share 0%"."""
        result = run(org(markets=(), personas=(), people=[pm(time={})]))
        (plan,) = result.products
        assert (plan.verdict, [f.heuristic for f in plan.findings]) == ("keep", [])
        assert [m.text for m in result.missing_facts] == [
            "Payments: markets not entered",
            "Payments: personas not entered",
            "Dana Lee: time allocation not entered",
        ]

    def test_time_is_missing_once_a_person_and_only_for_product_people(self):
        people = [
            pm(time={}),
            person("Sam Ortiz", 1, title="CEO"),
            person("Pat Kim", 2, title="Product Owner", squad_ids=(10,), owns_roadmap=False),
        ]
        result = run(org(people=people))
        timeless = [m.subject for m in result.missing_facts if m.field == "time"]
        assert timeless == ["Dana Lee", "Pat Kim"]

    def test_unknown_time_fires_no_note(self):
        result = run(org(people=[pm(time={})]), notes())
        assert fired(result, result.facts.people[0]) == []


def notes():
    return [spec for spec in default_specs() if spec.outcome == NOTE]


class TestNoteHeuristics:
    def test_note_is_an_outcome_of_people_with_its_label(self):
        assert OUTCOME_LABELS[NOTE] == "Note"
        assert NOTE in OUTCOMES_BY_SCOPE[Scope.PERSON]
        assert NOTE not in OUTCOMES_BY_SCOPE[Scope.PRODUCT]

    def test_the_two_defaults_quote_their_articles(self):
        assert [(h["code"], h["parameters"], h["outcome"]) for h in NOTE_HEURISTICS] == [
            ("note-pm-in-ceremonies", {"max_pm_ceremonies_share": 25}, "note"),
            ("note-strategy-starved", {"min_strategic_share": 15}, "note"),
        ]
        assert [s["title"] for h in NOTE_HEURISTICS for s in h["sources"]] == [
            "Product Manager vs. Product Owner: Key Differences",
            "The Role Confusion Problem",
        ]

    @pytest.mark.parametrize(("ceremonies", "fires"), [(25, False), (26, True)])
    def test_pm_in_ceremonies_past_25_percent(self, ceremonies, fires):
        time = {"ceremonies": ceremonies, "strategy": 30}
        result = run(org(people=[pm(time=time)]), notes())
        assert fired(result, result.facts.people[0]) == (["note-pm-in-ceremonies"] if fires else [])

    @pytest.mark.parametrize(("strategic", "fires"), [(15, False), (14, True)])
    def test_strategy_starved_below_15_percent(self, strategic, fires):
        time = {"strategy": strategic - 4, "discovery": 4, "backlog": 40}
        result = run(org(people=[pm(time=time)]), notes())
        assert fired(result, result.facts.people[0]) == (["note-strategy-starved"] if fires else [])

    def test_a_product_owner_gets_no_pm_note(self):
        po = person(
            "Pat Kim",
            2,
            title="Product Owner",
            squad_ids=(10,),
            time={"backlog": 60, "ceremonies": 40},
        )
        result = run(org(people=[po]), notes())
        assert fired(result, result.facts.people[0]) == []

    def test_the_finding_is_a_note_naming_the_person_and_the_numbers(self):
        result = run(org(people=[pm(time={"ceremonies": 30, "backlog": 70})]), notes())
        findings = result.findings_for(result.facts.people[0])
        assert [(f.heuristic, f.outcome, f.severity) for f in findings] == [
            ("note-pm-in-ceremonies", "note", "info"),
            ("note-strategy-starved", "note", "info"),
        ]
        assert findings[0].message.startswith(
            "Dana Lee spends 30% of their time in ceremonies (more than 25%)"
        )
        assert findings[1].evidence == {"role": "product_manager", "strategic_share": 0}

    def test_notes_never_change_a_verdict_or_a_plan(self):
        """Every default but the notes, then with them: the same verdicts and actions,
        for a product whose PM the notes fire on."""
        starved = pm(time={"backlog": 70, "ceremonies": 30}, owns_roadmap=False)
        snap = org(people=[starved], n_squads=3)
        without = run(snap, [s for s in default_specs() if s.outcome != NOTE])
        with_notes = run(snap)
        assert len(with_notes.findings_for(with_notes.facts.people[0])) == 2
        shown = [(p.verdict, p.current, p.recommended, p.actions) for p in without.products]
        assert [
            (p.verdict, p.current, p.recommended, p.actions) for p in with_notes.products
        ] == shown

    def test_a_note_made_by_an_admin_on_a_product_is_refused(self):
        from advisor.engine import heuristic_problems

        spec = replace(
            notes()[0], scope=Scope.PRODUCT, condition={"fact": "squads", "op": ">=", "value": 1}
        )
        assert "outcome" in heuristic_problems(spec)


class TestNotEnteredWords:
    @pytest.mark.parametrize(
        ("field", "words"),
        [
            ("markets", "Haze: markets not entered"),
            ("personas", "Haze: personas not entered"),
            ("time", "Haze: time allocation not entered"),
            ("roadmap_updated_on", "Haze: roadmap update date not entered"),
            ("people.owns_roadmap", "Haze: who owns the roadmap not entered"),
        ],
    )
    def test_in_plain_words(self, field, words):
        assert not_entered("Haze", field) == words
