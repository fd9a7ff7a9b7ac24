"""evaluate_heuristics on hand-made facts, without a database: what the findings of
subjects with equal values share, and what each keeps apart."""

from datetime import date

from advisor.engine import HeuristicSpec
from advisor.engine.evaluation import evaluate_heuristics
from advisor.engine.facts import OrgFacts, Subject
from advisor.engine.vocabulary import Scope


def products(*facts: dict) -> OrgFacts:
    subjects = tuple(
        Subject(Scope.PRODUCT, i, f"P{i}", values) for i, values in enumerate(facts, start=1)
    )
    return OrgFacts("Acme", "acme", date(2026, 11, 23), subjects, (), ())


SPEC = HeuristicSpec(
    code="big",
    name="Big",
    scope=Scope.PRODUCT,
    condition={
        "any": [
            {"fact": "squads", "op": ">=", "param": "min_squads"},
            {"fact": "merged_backlog_share", "op": ">=", "value": 0},
        ]
    },
    outcome="split",
    parameters={"min_squads": 1},
    message="{subject}: {squads} squads, {markets} markets",
)


def evidence_of(facts: OrgFacts) -> list[dict]:
    findings = evaluate_heuristics(facts, [SPEC])
    return [findings[(Scope.PRODUCT, s.id)][0].evidence for s in facts.products]


class TestEqualValues:
    def test_each_finding_names_its_subject_and_has_its_own_evidence(self):
        facts = products(
            *[{"squads": 3, "merged_backlog_share": None, "markets": m} for m in (1, 2)]
        )
        findings = evaluate_heuristics(facts, [SPEC])
        first, second = (findings[(Scope.PRODUCT, i)][0] for i in (1, 2))
        assert first.message == "P1: 3 squads, 1 markets"
        assert second.message == "P2: 3 squads, 2 markets"
        assert first.trace == second.trace
        assert first.evidence == second.evidence == {"squads": 3, "merged_backlog_share": None}
        assert first.evidence is not second.evidence
        assert first.thresholds is not second.thresholds

    def test_equal_values_of_other_types_keep_their_own_type(self):
        facts = products(
            {"squads": 1, "merged_backlog_share": 0.0, "markets": 1},
            {"squads": True, "merged_backlog_share": -0.0, "markets": 1},
            {"squads": 1.0, "merged_backlog_share": 0, "markets": 1},
        )
        shown = [[(type(v), repr(v)) for v in evidence.values()] for evidence in evidence_of(facts)]
        assert shown == [
            [(int, "1"), (float, "0.0")],
            [(bool, "True"), (float, "-0.0")],
            [(float, "1.0"), (int, "0")],
        ]
        traces = [
            [c.value for c in finding[0].trace]
            for finding in evaluate_heuristics(facts, [SPEC]).values()
        ]
        assert [[repr(v) for v in trace] for trace in traces] == [
            ["1", "0.0"],
            ["True", "-0.0"],
            ["1.0", "0"],
        ]


class TestASelectionThatRaises:
    def test_the_subjects_are_asked_one_by_one_and_only_those_it_raises_on_err(self):
        facts = products(
            {"squads": 3, "merged_backlog_share": None, "markets": 1},
            {"squads": "three", "merged_backlog_share": None, "markets": 1},
            {"squads": 0, "merged_backlog_share": None, "markets": 1},
        )
        findings = evaluate_heuristics(facts, [SPEC])
        assert [(key[1], [f.outcome for f in found]) for key, found in findings.items()] == [
            (1, ["split"]),
            (2, ["error"]),
        ]
