"""Stored assessment documents as the pages show them: no database."""

from advisor.defaults import default_specs
from advisor.pages import (
    EvidenceRow,
    SourceRef,
    assessment_page,
    chart_limit,
    compare_documents,
    evidence_rows,
    parse_sources,
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


class TestParseSources:
    def test_a_file_and_its_quote(self):
        assert parse_sources('pm-vs-po-split-or-merge.txt: "You have 3+ squads"') == (
            SourceRef("pm-vs-po-split-or-merge.txt", "You have 3+ squads"),
        )

    def test_several_files_separated_by_semicolons(self):
        text = (
            'pm-vs-po-roles-and-hiring.txt: "you likely don\'t need a product owner"; '
            "pm-vs-po-split-or-merge.txt: PO framework dependency is Scrum"
        )
        assert parse_sources(text) == (
            SourceRef("pm-vs-po-roles-and-hiring.txt", "you likely don't need a product owner"),
            SourceRef("pm-vs-po-split-or-merge.txt", "PO framework dependency is Scrum"),
        )

    def test_text_naming_no_file_is_one_quote(self):
        assert parse_sources("Team lore") == (SourceRef("", "Team lore"),)

    def test_no_source_is_none(self):
        assert parse_sources("") == ()


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
        page = assessment_page(*document_of(snap), NoLinks(), current_parameters={})
        assert [p.name for p in page.people] == ["Dana Lee"]

    def test_the_backlog_limit_is_the_one_the_assessment_used(self):
        document, facts = document_of(overloaded())
        page = assessment_page(
            document,
            facts,
            NoLinks(),
            current_parameters={"split-backlog-overload": {"max_backlog_share": 50}},
        )
        assert page.backlog_limit == 40

    def test_without_a_recorded_limit_todays_enabled_heuristic_gives_it(self):
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


def test_every_default_heuristic_has_a_parsable_source():
    for spec in default_specs():
        sources = parse_sources(spec.source)
        assert sources and all(s.file.endswith(".txt") for s in sources), spec.code
