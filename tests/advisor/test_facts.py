"""compute_facts where work is shared between people of equal inputs: each person's facts
are still their own, in the catalogue's order, with their own values (no database)."""

from advisor.engine.facts import CATALOGUE, Subject
from advisor.engine.vocabulary import Scope
from tests.advisor.builders import facts_of, person, product, snapshot, squad

TIME = {"backlog": 30, "strategy": 10, "discovery": 5, "ceremonies": 20}


def org(*people):
    return snapshot(
        products=[product("Payments", 1), product("Ledger", 2)],
        squads=[squad("A", 10, 1), squad("B", 11, 1), squad("C", 20, 2)],
        people=people,
    )


class TestPeopleOfEqualInputs:
    def test_each_has_their_own_facts_in_the_catalogue_order(self):
        facts = facts_of(
            org(
                person("Ann", 1, squad_ids=(10,), time=dict(TIME), owns_roadmap=True),
                person("Bo", 2, squad_ids=(10,), time=dict(TIME), owns_roadmap=True),
                person("Cy", 3, squad_ids=(10,), time={}, owns_roadmap=True),
            )
        )
        ann, bo, cy = facts.people
        assert list(ann.facts) == list(CATALOGUE[Scope.PERSON])
        assert ann.facts == bo.facts and ann.facts is not bo.facts
        assert (ann.facts["backlog_share"], ann.facts["strategic_share"]) == (30, 15)
        assert ann.facts["stakeholders_share"] == 0
        assert cy.facts["backlog_share"] is None and cy.facts["strategic_share"] is None
        ann.facts["role"] = "changed"
        assert bo.facts["role"] == "product_manager"

    def test_their_own_values_keep_their_own_type(self):
        facts = facts_of(
            org(
                person("Ann", 1, squad_ids=(10,), owns_roadmap=True, sets_pricing=False),
                person("Bo", 2, squad_ids=(10,), owns_roadmap=1, sets_pricing=0),
            )
        )
        ann, bo = facts.people
        assert [type(ann.facts[k]) for k in ("owns_roadmap", "sets_pricing")] == [bool, bool]
        assert [type(bo.facts[k]) for k in ("owns_roadmap", "sets_pricing")] == [int, int]

    def test_products_served_is_each_ones_own(self):
        facts = facts_of(
            org(
                person("Ann", 1, squad_ids=(10, 11), owns_roadmap=True),
                person("Bo", 2, squad_ids=(10, 20), owns_roadmap=True),
            )
        )
        ann, bo = facts.people
        assert (ann.facts["products_served"], bo.facts["products_served"]) == (1, 2)
        assert (ann.product_ids, bo.product_ids) == ((1,), (1, 2))


class TestProductsOfThePeopleServingThem:
    def test_roadmap_owners_count_each_person_once(self):
        facts = facts_of(
            org(
                person("Ann", 1, squad_ids=(10, 11), owns_roadmap=True),
                person("Bo", 2, "Product Owner", squad_ids=(20,), owns_roadmap=None),
            )
        )
        payments, ledger = facts.products
        assert payments.facts["roadmap_owners"] == 1
        assert ledger.facts["roadmap_owners"] is None

    def test_merged_share_counts_the_squads_each_person_has_here(self):
        facts = facts_of(
            org(
                person("Ann", 1, squad_ids=(10, 11, 20), time={"backlog": 30}),
                person("Bo", 2, "Product Owner", squad_ids=(11, 20), time={"backlog": 50}),
            )
        )
        payments, ledger = facts.products
        assert payments.facts["merged_backlog_share"] == 30 * 2 / 3 + 50 / 2
        assert ledger.facts["merged_backlog_share"] == (30 / 3 + 50 / 2) / 1

    def test_merged_share_walks_each_persons_squads_once_however_many_products_they_serve(
        self,
    ):
        class WalkedSquads(tuple):
            """A person's squad ids that count how often they are walked."""

            walks = 0

            def __iter__(self):
                WalkedSquads.walks += 1
                return super().__iter__()

        def walks_for(n: int) -> tuple[int, tuple]:
            ids = WalkedSquads(range(100, 100 + n))
            WalkedSquads.walks = 0
            facts = facts_of(
                snapshot(
                    products=[product(f"P{i}", i + 1) for i in range(n)],
                    squads=[squad(f"S{i}", 100 + i, i + 1) for i in range(n)],
                    people=[
                        person("Pm", 1, squad_ids=ids, time={"backlog": 10, "strategy": 40}),
                        person("Po", 2, "Product Owner", squad_ids=ids, time={"backlog": 60}),
                    ],
                )
            )
            return WalkedSquads.walks, tuple(
                p.facts["merged_backlog_share"] for p in facts.products
            )

        walks_10, shares_10 = walks_for(10)
        walks_40, shares_40 = walks_for(40)
        # A few walks per person (their squads, their products, the merged share's count),
        # not one for every product they serve.
        assert walks_40 == walks_10
        assert shares_10 == ((0.0 + 10 * 1 / 10 + 60 * 1 / 10) / 1,) * 10
        assert shares_40 == ((0.0 + 10 * 1 / 40 + 60 * 1 / 40) / 1,) * 40


class TestSubjects:
    def test_every_subject_has_every_field(self):
        facts = facts_of(org(person("Ann", 1, squad_ids=(10, 20), owns_roadmap=True)))
        for subject in (*facts.people, *facts.squads, *facts.products):
            assert type(subject) is Subject
            assert len(subject) == len(Subject._fields)
        (ann,) = facts.people
        assert (ann.scope, ann.id, ann.name, ann.product_ids) == (Scope.PERSON, 1, "Ann", (1, 2))
        assert len(ann.votes) == 4
        a, _, c = facts.squads
        assert (a.scope, a.id, a.name, a.product_ids, a.votes) == (Scope.SQUAD, 10, "A", (1,), ())
        assert c.product_ids == (2,)
        assert facts.products[0].product_ids == ()


def test_each_input_of_a_person_and_a_squad_lands_in_its_own_fact():
    # compute_facts unpacks people and squads by position, for speed: three yes/no answers
    # given three different values, and a squad's numbers, show that none is swapped.
    ann = person(
        "Ann",
        1,
        squad_ids=(10,),
        owns_roadmap=True,
        does_market_research=False,
        sets_pricing=None,
        time={"backlog": 20, "strategy": 30},
    )
    bo = person("Bo", 2, "Product Owner", squad_ids=(10,), reports_to_id=1)
    facts = facts_of(org(ann, bo))
    by_name = {p.name: p.facts for p in facts.people}
    assert (
        by_name["Ann"]["owns_roadmap"],
        by_name["Ann"]["does_market_research"],
        by_name["Ann"]["sets_pricing"],
        by_name["Ann"]["backlog_share"],
        by_name["Ann"]["strategy_share"],
    ) == (True, False, None, 20, 30)
    assert (by_name["Bo"]["role"], by_name["Bo"]["manager_role"]) == (
        "product_owner",
        "product_manager",
    )
    squad_a = facts.squads[0].facts
    assert (squad_a["product_managers"], squad_a["product_owners"]) == (1, 1)
