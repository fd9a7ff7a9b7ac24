"""Stored assessment documents as the pages show them: no database."""

from advisor.defaults import ARTICLE_TITLES, default_specs
from advisor.pages import (
    EvidenceRow,
    SourceRef,
    assessment_page,
    chart_limit,
    compare_documents,
    evidence_rows,
    facts_wanted,
    shown_rows,
    source_refs,
    squads_per_pm_chart,
    verdict_summary,
)
from tests.advisor.builders import person, product, run, snapshot, squad


class NoLinks:
    def product(self, name):
        return None

    def person(self, name):
        return None

    def squad(self, name):
        return None

    def missing_fact(self, scope, subject, field):
        return []


def document_of(snap, heuristics=None):
    result = run(snap, heuristics)
    return result.to_json(ruleset_version="v1"), result.facts.to_json()


def overloaded(backlog: int = 55):
    return snapshot(
        products=[product("Payments", 1)],
        squads=[squad("Checkout", 1)],
        people=[
            person("Dana Lee", 1, squad_ids=(1,), time={"backlog": backlog}, owns_roadmap=True)
        ],
    )


class TestSourceRefs:
    def test_each_source_with_its_title_quote_and_link(self):
        sources = [
            {"title": "The Role Confusion Problem", "quote": "You have 3+ squads.", "link": ""},
            {"title": "Untangling", "quote": "They own the roadmap.", "link": "https://x.test/a"},
        ]
        assert source_refs(sources) == (
            SourceRef("The Role Confusion Problem", "You have 3+ squads."),
            SourceRef("Untangling", "They own the roadmap.", "https://x.test/a"),
        )

    def test_what_is_not_a_source_is_left_out(self):
        assert source_refs("pm-vs-po-split-or-merge.txt: quote") == ()
        assert source_refs([{"title": "T"}, 3, {"title": "T", "quote": "Q"}]) == (
            SourceRef("T", "Q"),
        )

    def test_a_findings_sources_are_the_heuristics(self):
        document, _ = document_of(overloaded())
        (payments,) = document["products"]
        finding = payments["findings"][0]
        assert finding["heuristic"] == "split-backlog-overload"
        assert source_refs(finding["sources"]) == (
            SourceRef(
                "The Role Confusion Problem",
                "If writing stories and grooming the backlog consumes more than 40% of the "
                "PM's time, they need a PO",
            ),
        )


class TestEvidenceRows:
    def test_every_compared_clause_with_operator_and_threshold(self):
        finding = {
            "trace": [
                {"fact": "pm_backlog_share", "value": 55, "op": ">", "threshold": 40,
                 "param": "max_backlog_share", "result": True},
                {"fact": "pm_backlog_share", "value": None, "op": "is_unknown", "threshold": None,
                 "param": None, "result": False},
            ]
        }  # fmt: skip
        assert evidence_rows(finding) == (
            EvidenceRow("pm_backlog_share", "55%", ">", "40%", "max_backlog_share", True),
            EvidenceRow("pm_backlog_share", "unknown", "is unknown", "", "", False),
        )

    def test_a_document_without_a_trace_shows_its_evidence(self):
        assert evidence_rows({"evidence": {"squads": 3}}) == (
            EvidenceRow("squads", "3", "", "", "", True),
        )


class TestAssessmentPage:
    def test_people_shown_are_pms_pos_and_anyone_with_findings(self):
        snap = snapshot(
            products=[product("Payments", 1)],
            squads=[squad("Checkout", 1)],
            people=[
                person("Dana Lee", 1, squad_ids=(1,), owns_roadmap=True),
                person("Sam Ortiz", 2, title="CEO"),
            ],
        )
        page = assessment_page(*document_of(snap), NoLinks(), ruleset_parameters={})
        assert [p.name for p in page.people] == ["Dana Lee"]

    def test_the_backlog_limit_is_the_one_the_assessment_used(self):
        document, facts = document_of(overloaded())
        page = assessment_page(
            document,
            facts,
            NoLinks(),
            ruleset_parameters={"split-backlog-overload": {"max_backlog_share": 50}},
        )
        assert page.backlog_limit == 40

    def test_without_a_recorded_limit_the_assessments_ruleset_gives_it(self):
        document, _ = document_of(overloaded(backlog=20))
        current = {"split-backlog-overload": {"max_backlog_share": 50}}
        assert (
            chart_limit(document, current, ("split-backlog-overload", "max_backlog_share", 40))
            == 50
        )
        assert chart_limit(document, {}, ("split-backlog-overload", "max_backlog_share", 40)) == 40


class TestCompareDocuments:
    def test_a_fixed_overload_disappears_and_the_verdict_follows(self):
        before, _ = document_of(overloaded(55))
        after, _ = document_of(overloaded(30))
        comparison = compare_documents(before, after)
        assert [(f.heuristic, f.subject) for f in comparison.disappeared] == [
            ("split-backlog-overload", "Payments")
        ]
        assert [(f.heuristic, f.subject) for f in comparison.appeared] == [
            ("merge-small-team", "Payments")
        ]
        (payments,) = comparison.products
        assert (payments.verdict_before, payments.verdict_after) == ("split", "merge")
        assert payments.changed
        assert not comparison.ruleset_changed

    def test_a_product_on_one_side_only_has_no_verdict_on_the_other(self):
        before, _ = document_of(overloaded())
        after = {**before, "products": [], "ruleset_version": "v2"}
        comparison = compare_documents(before, after)
        (payments,) = comparison.products
        assert (payments.verdict_before, payments.verdict_after) == ("split", None)
        assert comparison.ruleset_changed

    def test_same_findings_on_both_sides_neither_appear_nor_disappear(self):
        document, _ = document_of(overloaded())
        comparison = compare_documents(document, document)
        assert (comparison.appeared, comparison.disappeared) == ((), ())
        assert not comparison.products[0].changed


class TestVerdictSummary:
    def test_counts_each_verdict_highest_first(self):
        verdicts = {"A": "merge", "B": "split", "C": "split", "D": "keep"}
        assert verdict_summary(verdicts) == [
            ("split", "Split", 2),
            ("merge", "Merge", 1),
            ("keep", "Keep", 1),
        ]


def test_every_default_heuristic_names_an_article_and_quotes_it():
    for spec in default_specs():
        sources = source_refs(spec.sources)
        assert sources, spec.code
        for source in sources:
            assert source.title in ARTICLE_TITLES.values(), spec.code
            assert source.quote and source.link == "", spec.code


def listing(products: int = 0, people: list[tuple[str, str, bool]] = (), squads: int = 0):
    """A document's lists as shown_rows reads them: people as (name, role, has a finding)."""
    finding = {"heuristic": "x"}
    return {
        "products": [{"name": f"P{n:02}"} for n in range(products)],
        "people": [
            {"name": name, "role": role, "findings": [finding] if flagged else []}
            for name, role, flagged in people
        ],
        "squads": [
            {"name": f"S{n:02}", "findings": [finding] if n % 2 else []} for n in range(squads)
        ],
        "missing_facts": [{"scope": "product", "subject": f"P{n:02}"} for n in range(products)],
    }


def numbered(page) -> list[tuple[int, str]]:
    return [(number, row["name"]) for number, row in page]


class TestShownRows:
    def test_ten_products_a_page_numbered_from_the_start_of_the_document(self):
        shown = shown_rows(listing(products=25), products_page="3")
        assert numbered(shown.products) == [(n + 1, f"P{n:02}") for n in range(20, 25)]

    def test_a_page_out_of_range_or_not_a_number_shows_the_last_or_the_first(self):
        document = listing(products=25)
        assert shown_rows(document, products_page="9").products.number == 3
        assert shown_rows(document, products_page="x").products.number == 1

    def test_people_with_findings_first_then_the_other_pms_and_pos(self):
        document = listing(
            people=[
                ("Ann", "product_owner", False),
                ("Bob", "other", False),
                ("Cy", "product_manager", False),
                ("Di", "other", True),
                ("Ed", "product_owner", True),
            ]
        )
        assert numbered(shown_rows(document).people) == [
            (4, "Di"),
            (5, "Ed"),
            (1, "Ann"),
            (3, "Cy"),
        ]

    def test_twenty_people_a_page(self):
        document = listing(people=[(f"PO {n:02}", "product_owner", False) for n in range(45)])
        shown = shown_rows(document, people_page=3)
        assert numbered(shown.people) == [(n + 1, f"PO {n:02}") for n in range(40, 45)]

    def test_squads_with_findings_only_and_fifty_missing_facts_a_page(self):
        shown = shown_rows(listing(products=60, squads=6), missing_page=2)
        assert numbered(shown.squads) == [(2, "S01"), (4, "S03"), (6, "S05")]
        assert [m["subject"] for m in shown.missing_facts] == [f"P{n:02}" for n in range(50, 60)]

    def test_the_shown_rows_as_a_document_to_link(self):
        shown = shown_rows(listing(products=12, squads=2), products_page=2)
        assert shown.document() == {
            "products": [{"name": "P10"}, {"name": "P11"}],
            "people": [],
            "squads": [{"name": "S01", "findings": [{"heuristic": "x"}]}],
            "missing_facts": [{"scope": "product", "subject": f"P{n:02}"} for n in range(12)],
        }


def many_products(count: int):
    """`count` products of one Scrum squad each, each with its product manager."""
    return snapshot(
        products=[product(f"P{n:02}", n + 1) for n in range(count)],
        squads=[squad(f"S{n:02}", n + 1, product_id=n + 1) for n in range(count)],
        people=[
            person(f"PM {n:02}", n + 1, squad_ids=(n + 1,), owns_roadmap=True) for n in range(count)
        ],
    )


class TestAssessmentPageOfManyProducts:
    def test_a_summary_row_for_every_product_and_cards_for_one_page(self):
        document, facts = document_of(many_products(12))
        page = assessment_page(
            document,
            facts,
            NoLinks(),
            ruleset_parameters={},
            shown=shown_rows(document, products_page=2),
        )
        assert [(r.number, r.name, r.verdict, r.page) for r in page.product_rows] == [
            (n + 1, f"P{n:02}", "merge", 1 if n < 10 else 2) for n in range(12)
        ]
        assert page.verdict_counts == [("merge", "Merge", 12)]
        assert [(p.number, p.name) for p in page.products] == [(11, "P10"), (12, "P11")]
        assert [p.name for p in page.people] == [f"PM {n:02}" for n in range(12)]

    def test_allocations_are_drawn_for_the_people_shown(self):
        document, facts = document_of(many_products(25))
        page = assessment_page(
            document,
            facts,
            NoLinks(),
            ruleset_parameters={},
            shown=shown_rows(document, people_page=2),
        )
        assert [p.name for p in page.people] == [f"PM {n:02}" for n in range(20, 25)]
        assert all(p.allocation is not None for p in page.people)

    def test_the_chart_draws_the_busiest_product_managers_when_there_are_many(self):
        rows = [(f"PM {n:02}", n % 4) for n in range(40)]
        chart = squads_per_pm_chart(rows, limit=3, most=5)
        assert [(b.label, b.value) for b in chart.bars] == [
            ("PM 03", 3), ("PM 07", 3), ("PM 11", 3), ("PM 15", 3), ("PM 19", 3)
        ]  # fmt: skip
        few = squads_per_pm_chart(rows[:5], limit=3, most=5)
        assert [b.label for b in few.bars] == ["PM 00", "PM 01", "PM 02", "PM 03", "PM 04"]


class TestFactsWanted:
    def test_every_product_manager_and_the_product_owners_shown(self):
        people = [
            ("Ann", "product_owner", False),
            ("Bob", "other", True),
            ("Cy", "product_manager", False),
            *[(f"PO {n:02}", "product_owner", False) for n in range(25)],
            ("Zed", "product_manager", False),
        ]
        document = listing(people=people)
        # Page 1: Bob (a finding), Ann, Cy, PO 00 to PO 16; page 2: PO 17 to PO 24, Zed.
        assert facts_wanted(document, shown_rows(document)) == [0, 2, *range(3, 20), 28]
        assert facts_wanted(document, shown_rows(document, people_page=2)) == [2, *range(20, 29)]
