"""Stored assessments as the pages show them, read from their rows."""

import pytest

from advisor.comparison import compare_assessments
from advisor.defaults import ARTICLE_TITLES, default_specs
from advisor.models import AssessedSubject, RulesetVersion
from advisor.presenters import (
    EvidenceRow,
    SourceRef,
    assessment_page,
    chart_limit,
    evidence_rows,
    shown_rows,
    source_refs,
    squads_per_pm,
    verdict_counts,
    verdict_summary,
)
from advisor.recording import assessment_rows, record_assessment
from advisor.rulesets import current_ruleset
from tests.advisor.builders import AS_OF, person, product, run, snapshot, squad

pytestmark = pytest.mark.django_db


class NoLinks:
    def product(self, pk):
        return None

    def person(self, pk):
        return None

    def squad(self, pk):
        return None

    def missing_fact(self, subject, field):
        return []


def no_links(shown):
    return NoLinks()


def stored(snap, organization, heuristics=None):
    """The snapshot assessed and kept as an assessment of `organization` (its subjects' ids
    are the snapshot's: the rows keep an id whether or not the subject exists)."""
    result = run(snap, heuristics)
    version = current_ruleset()
    document = result.to_json(ruleset_version=version.label)
    return record_assessment(
        organization, assessment_rows(result, document), version=version, as_of=AS_OF
    )


def document_of(snap, heuristics=None):
    return run(snap, heuristics).to_json(ruleset_version="v1")


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
        document = document_of(overloaded())
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
        assert evidence_rows(finding["trace"], {}) == (
            EvidenceRow("pm_backlog_share", "55%", ">", "40%", "max_backlog_share", True),
            EvidenceRow("pm_backlog_share", "unknown", "is unknown", "", "", False),
        )

    def test_a_finding_without_a_trace_shows_its_evidence(self):
        assert evidence_rows([], {"squads": 3}) == (EvidenceRow("squads", "3", "", "", "", True),)


class TestAssessmentPage:
    def test_people_shown_are_pms_pos_and_anyone_with_findings(self, organization):
        snap = snapshot(
            products=[product("Payments", 1)],
            squads=[squad("Checkout", 1)],
            people=[
                person("Dana Lee", 1, squad_ids=(1,), owns_roadmap=True),
                person("Sam Ortiz", 2, title="CEO"),
            ],
        )
        page = assessment_page(stored(snap, organization), no_links)
        assert [p.name for p in page.people] == ["Dana Lee"]

    def test_the_backlog_limit_is_the_one_of_the_assessments_ruleset_version(self, organization):
        assessment = stored(overloaded(), organization)
        assert assessment_page(assessment, no_links).backlog_limit == 40

    def test_under_a_rebuilt_version_the_limit_a_finding_recorded_comes_first(self, organization):
        assessment = stored(overloaded(), organization)
        RulesetVersion.objects.filter(pk=assessment.ruleset_id).update(rebuilt=True)
        assessment.findings.update(thresholds={"max_backlog_share": 50})
        assessment.refresh_from_db()
        assert assessment_page(assessment, no_links).backlog_limit == 50

    def test_without_a_recorded_limit_the_assessments_ruleset_gives_it(self, organization):
        assessment = stored(overloaded(backlog=20), organization)
        limit = ("split-backlog-overload", "max_backlog_share", 40)
        ruleset = {"split-backlog-overload": {"max_backlog_share": 50}}
        assert chart_limit(assessment, lambda: ruleset, limit) == 50
        assert chart_limit(assessment, dict, limit) == 40

    def test_each_product_with_its_verdict_staffing_actions_and_findings(self, organization):
        page = assessment_page(stored(overloaded(), organization), no_links)
        (payments,) = page.products
        assert (payments.number, payments.name, payments.verdict) == (1, "Payments", "split")
        assert payments.current == {"product_managers": 1, "product_owners": 0}
        assert payments.recommended == {"product_managers": 1, "product_owners": 1}
        assert [f.heuristic for f in payments.findings] == ["split-backlog-overload"]
        assert page.verdict_counts == [("split", "Split", 1)]
        # The other finding is Dana's note-strategy-starved: no time for strategy at all.
        assert (page.organization, page.as_of, page.finding_count) == ("Acme", "2026-11-23", 2)

    def test_a_missing_fact_is_shown_with_its_subject(self, organization):
        snap = snapshot(
            products=[product("Payments", 1, markets=None)],
            squads=[squad("Checkout", 1)],
            people=[
                person("Dana Lee", 1, squad_ids=(1,), owns_roadmap=True, does_market_research=True)
            ],
        )
        page = assessment_page(stored(snap, organization), no_links)
        assert [(m.scope, m.subject, m.fact, m.text) for m in page.missing_facts] == [
            ("product", "Payments", "markets", "Payments: markets not entered"),
            ("person", "Dana Lee", "backlog_share", "Dana Lee: time allocation not entered"),
        ]
        assert page.missing_fact_count == 2


class TestCompareAssessments:
    def test_a_fixed_overload_disappears_and_the_verdict_follows(self, organization):
        before = stored(overloaded(55), organization)
        after = stored(overloaded(30), organization)
        comparison = compare_assessments(before, after)
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

    def test_a_renamed_product_is_the_same_product(self, organization):
        before = stored(overloaded(55), organization)
        renamed = snapshot(
            products=[product("Payments Platform", 1)],
            squads=[squad("Checkout", 1)],
            people=[person("Dana Lee", 1, squad_ids=(1,), time={"backlog": 55}, owns_roadmap=True)],
        )
        after = stored(renamed, organization)
        comparison = compare_assessments(before, after)
        (product_change,) = comparison.products
        assert (product_change.name, product_change.renamed_from) == (
            "Payments Platform",
            "Payments",
        )
        assert not product_change.changed
        assert (comparison.appeared, comparison.disappeared) == ((), ())

    def test_a_product_made_again_under_its_name_is_matched_by_name(self, organization):
        # Every subject deleted and made again under its name, so with new ids.
        before = stored(overloaded(55), organization)
        replaced = snapshot(
            products=[product("Payments", 7)],
            squads=[squad("Checkout", 8, product_id=7)],
            people=[person("Dana Lee", 9, squad_ids=(8,), time={"backlog": 55}, owns_roadmap=True)],
        )
        comparison = compare_assessments(before, stored(replaced, organization))
        assert [(p.name, p.verdict_before, p.verdict_after) for p in comparison.products] == [
            ("Payments", "split", "split")
        ]
        assert (comparison.appeared, comparison.disappeared) == ((), ())

    def test_the_id_wins_over_the_name(self, organization):
        before = stored(overloaded(55), organization)
        # Payments (1) renamed Billing; a new product (7) takes the name Payments.
        after = stored(
            snapshot(
                products=[product("Billing", 1), product("Payments", 7)],
                squads=[squad("Checkout", 1), squad("Ledger", 2, product_id=7)],
                people=[
                    person("Dana Lee", 1, squad_ids=(1,), time={"backlog": 55}, owns_roadmap=True),
                    person("Ray Ng", 2, squad_ids=(2,), owns_roadmap=True),
                ],
            ),
            organization,
        )
        comparison = compare_assessments(before, after)
        assert [
            (p.name, p.renamed_from, p.verdict_before, p.verdict_after) for p in comparison.products
        ] == [("Billing", "Payments", "split", "split"), ("Payments", "", None, "merge")]

    def test_same_findings_on_both_sides_neither_appear_nor_disappear(self, organization):
        before = stored(overloaded(), organization)
        after = stored(overloaded(), organization)
        comparison = compare_assessments(before, after)
        assert (comparison.appeared, comparison.disappeared) == ((), ())
        assert not comparison.products[0].changed

    def test_comparing_reads_four_queries_whatever_the_sizes(
        self, organization, django_assert_num_queries
    ):
        for count in (3, 30):
            before = stored(many_products(count), organization)
            after = stored(many_products(count), organization)
            with django_assert_num_queries(4):
                comparison = compare_assessments(before, after)
            assert len(comparison.products) == count


class TestVerdictSummary:
    def test_counts_each_verdict_highest_first(self):
        assert verdict_summary({"merge": 1, "keep": 1, "split": 2}) == [
            ("split", "Split", 2),
            ("merge", "Merge", 1),
            ("keep", "Keep", 1),
        ]

    def test_verdicts_are_counted_per_assessment_in_one_query(
        self, organization, django_assert_num_queries
    ):
        one = stored(many_products(3), organization)
        two = stored(overloaded(), organization)
        with django_assert_num_queries(1):
            counts = verdict_counts([one.pk, two.pk])
        assert counts == {one.pk: {"merge": 3}, two.pk: {"split": 1}}


def test_every_default_heuristic_names_an_article_and_quotes_it():
    for spec in default_specs():
        sources = source_refs(spec.sources)
        assert sources, spec.code
        for source in sources:
            assert source.title in ARTICLE_TITLES.values(), spec.code
            assert source.quote and source.link == "", spec.code


def many_products(count: int, *, with_po: bool = False):
    """`count` products of one Scrum squad each, each with its product manager (and, with
    `with_po`, a product owner who serves the squad)."""
    people = [
        person(f"PM {n:02}", n + 1, squad_ids=(n + 1,), owns_roadmap=True) for n in range(count)
    ]
    if with_po:
        people += [
            person(
                f"PO {n:02}",
                1000 + n,
                title="Product Owner",
                squad_ids=(n + 1,),
                owns_roadmap=False,
            )
            for n in range(count)
        ]
    return snapshot(
        products=[product(f"P{n:02}", n + 1) for n in range(count)],
        squads=[squad(f"S{n:02}", n + 1, product_id=n + 1) for n in range(count)],
        people=people,
    )


def numbered(page) -> list[tuple[int, str]]:
    return [(row.position, row.name) for row in page]


class TestShownRows:
    def test_ten_products_a_page_numbered_from_the_start_of_the_assessment(self, organization):
        shown = shown_rows(stored(many_products(25), organization), products_page="3")
        assert numbered(shown.products) == [(n + 1, f"P{n:02}") for n in range(20, 25)]

    def test_a_page_out_of_range_or_not_a_number_shows_the_last_or_the_first(self, organization):
        assessment = stored(many_products(25), organization)
        assert shown_rows(assessment, products_page="9").products.number == 3
        assert shown_rows(assessment, products_page="x").products.number == 1

    def test_people_with_findings_first_then_the_other_pms_and_pos(self, organization):
        snap = snapshot(
            products=[product("Payments", 1)],
            squads=[squad("Checkout", 1), squad("Ledger", 2)],
            people=[
                person("Ann", 1, title="Product Owner", squad_ids=(1,), owns_roadmap=False),
                person("Bob", 2, title="Engineer", squad_ids=(1,)),
                person("Cy", 3, squad_ids=(1, 2), owns_roadmap=True),
                # A product owner doing a product manager's work: a retitle finding.
                person(
                    "Di",
                    4,
                    title="Product Owner",
                    squad_ids=(1, 2),
                    owns_roadmap=True,
                    does_market_research=True,
                    sets_pricing=True,
                ),
            ],
        )
        shown = shown_rows(stored(snap, organization))
        assert numbered(shown.people)[0] == (4, "Di")
        assert numbered(shown.people)[1:] == [(1, "Ann"), (3, "Cy")]

    def test_twenty_people_a_page(self, organization):
        shown = shown_rows(stored(many_products(45), organization), people_page=3)
        assert numbered(shown.people) == [(n + 1, f"PM {n:02}") for n in range(40, 45)]

    def test_squads_with_findings_only(self, organization):
        snap = snapshot(
            products=[product("Payments", 1)],
            squads=[squad("Checkout", 1), squad("Ledger", 2), squad("Risk", 3)],
            people=[person("Dana Lee", 1, squad_ids=(2,), owns_roadmap=True)],
        )
        shown = shown_rows(stored(snap, organization))
        # Checkout and Risk have no product owner and nobody serving them: a gap each.
        assert numbered(shown.squads) == [(1, "Checkout"), (3, "Risk")]

    def test_twenty_five_subjects_with_missing_facts_a_page(self, organization):
        snap = snapshot(
            products=[product(f"P{n:02}", n + 1, personas=None) for n in range(30)],
            squads=[squad(f"S{n:02}", n + 1, product_id=n + 1) for n in range(30)],
            people=[
                person(
                    f"PM {n:02}",
                    n + 1,
                    squad_ids=(n + 1,),
                    time={"backlog": 30, "strategy": 30},
                    owns_roadmap=True,
                    does_market_research=True,
                )
                for n in range(30)
            ],
        )
        shown = shown_rows(stored(snap, organization), missing_page=2)
        assert [(s.scope, s.name) for s in shown.missing_facts] == [
            ("product", f"P{n:02}") for n in range(25, 30)
        ]


class TestAssessmentPageOfManyProducts:
    def test_summary_rows_and_cards_for_one_page_and_every_verdict_counted(self, organization):
        assessment = stored(many_products(12), organization)
        page = assessment_page(assessment, no_links, shown=shown_rows(assessment, products_page=2))
        assert [(r.number, r.name, r.verdict) for r in page.product_rows] == [
            (11, "P10", "merge"),
            (12, "P11", "merge"),
        ]
        assert page.verdict_counts == [("merge", "Merge", 12)]
        assert page.product_count == 12
        assert [(p.number, p.name) for p in page.products] == [(11, "P10"), (12, "P11")]
        assert [p.name for p in page.people] == [f"PM {n:02}" for n in range(12)]

    def test_allocations_are_drawn_for_the_people_shown(self, organization):
        assessment = stored(many_products(25), organization)
        page = assessment_page(assessment, no_links, shown=shown_rows(assessment, people_page=2))
        assert [p.name for p in page.people] == [f"PM {n:02}" for n in range(20, 25)]
        assert all(p.allocation is not None for p in page.people)

    def test_the_chart_draws_the_busiest_product_managers_when_there_are_many(self, organization):
        products = [product(f"P{n:02}", n + 1) for n in range(40)]
        squads = [squad(f"S{n:02}", n + 1, product_id=n + 1) for n in range(40)]
        # PM n serves n % 4 + 1 squads.
        people = [
            person(
                f"PM {n:02}",
                n + 1,
                squad_ids=tuple(range(n + 1, n + 2 + n % 4)) if n < 36 else (n + 1,),
                owns_roadmap=True,
            )
            for n in range(40)
        ]
        assessment = stored(snapshot(products=products, squads=squads, people=people), organization)
        rows = squads_per_pm(assessment, 40, most=5)
        assert rows == [("PM 03", 4), ("PM 07", 4), ("PM 11", 4), ("PM 15", 4), ("PM 19", 4)]
        few = squads_per_pm(assessment, 5, most=5)
        assert [name for name, _ in few[:3]] == ["PM 00", "PM 01", "PM 02"]

    def test_the_page_reads_a_fixed_number_of_queries_whatever_the_size(
        self, organization, django_assert_num_queries
    ):
        counts = []
        for size in (3, 60):
            assessment = stored(many_products(size, with_po=True), organization)
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                page = assessment_page(assessment, no_links)
            counts.append(len(queries))
            assert len(page.products) == min(size, 10)
        assert counts[0] == counts[1]


class TestRows:
    def test_every_subject_is_kept_with_the_id_it_had_and_its_facts(self, organization):
        assessment = stored(overloaded(), organization)
        rows = {(s.scope, s.name): s for s in AssessedSubject.objects.filter(assessment=assessment)}
        assert sorted(rows) == [
            ("person", "Dana Lee"),
            ("product", "Payments"),
            ("squad", "Checkout"),
        ]
        payments = rows[("product", "Payments")]
        assert (payments.product_id, payments.verdict, payments.finding_count) == (1, "split", 1)
        assert payments.facts["pm_backlog_share"] == 55
        dana = rows[("person", "Dana Lee")]
        assert (dana.person_id, dana.role, dana.squads_served) == (1, "product_manager", 1)
        assert rows[("squad", "Checkout")].squad_id == 1
