"""Conditions in words, as the heuristics page and the admin show them."""

from advisor.defaults import DEFAULT_HEURISTICS, DEFAULT_PARAMETERS
from advisor.engine.explanations import condition_in_words, describe_clause, describe_condition

IN_WORDS = {
    "split-three-plus-squads": "squads ≥ min_squads (3) or pm_squads ≥ min_squads (3)",
    "split-backlog-overload": "pm_backlog_share > max_backlog_share (40%)",
    "split-strategy-stalled": "roadmap_age_days > max_roadmap_age_days (90) "
    "or interview_age_days > max_interview_age_days (90) "
    "or reviews_cancelled ≥ min_reviews_cancelled (2)",
    "split-multiple-markets": "markets ≥ min_markets (2)",
    "merge-small-team": "squads < min_squads (3) and markets < min_markets (2) "
    "and personas ≤ max_personas (1) "
    "and (pm_backlog_share is unknown or pm_backlog_share ≤ max_backlog_share (40%)) "
    "and (merged_backlog_share is unknown or merged_backlog_share ≤ max_backlog_share (40%))",
    "no-po-without-scrum": "scrum_squads = 0",
    "retitle-pm-doing-po-work": "role = product manager and scope_role = product owner",
    "retitle-po-doing-pm-work": "role = product owner and scope_role = product manager",
    "gap-squad-without-backlog-owner": "is_scrum = yes and backlog_owners = 0",
    "gap-product-without-roadmap-owner": "roadmap_owners = 0",
}


class TestDescribeCondition:
    def test_every_default_heuristic_in_words(self):
        described = {
            h["code"]: describe_condition(h["condition"], DEFAULT_PARAMETERS)
            for h in DEFAULT_HEURISTICS
        }
        assert described == IN_WORDS

    def test_a_parameter_shows_its_name_and_current_value(self):
        clause = {"fact": "squads", "op": ">=", "param": "min_squads"}
        assert describe_clause(clause, {"min_squads": 4}) == "squads ≥ min_squads (4)"

    def test_a_literal_is_shown_as_a_person_reads_it(self):
        assert describe_clause({"fact": "owns_roadmap", "op": "!=", "value": False}, {}) == (
            "owns_roadmap ≠ no"
        )
        assert describe_clause({"fact": "manager_role", "op": "==", "value": "executive"}, {}) == (
            "manager_role = executive"
        )

    def test_presence_operators_read_as_words(self):
        assert describe_clause({"fact": "engineers", "op": "is_known"}, {}) == (
            "engineers is known"
        )

    def test_groups_nested_in_groups_are_parenthesised(self):
        condition = {
            "any": [
                {
                    "all": [
                        {"fact": "squads", "op": ">", "value": 1},
                        {"fact": "markets", "op": ">", "value": 1},
                    ]
                },
                {"any": [{"fact": "personas", "op": ">", "value": 2}]},
            ]
        }
        assert describe_condition(condition, {}) == "(squads > 1 and markets > 1) or personas > 2"

    def test_a_single_clause_group_needs_no_parentheses(self):
        assert describe_condition({"all": [{"fact": "squads", "op": "<", "value": 2}]}, {}) == (
            "squads < 2"
        )


class TestConditionInWords:
    def test_a_valid_condition_is_described(self):
        h = DEFAULT_HEURISTICS[0]
        assert (
            condition_in_words(h["condition"], scope=h["scope"], parameters=DEFAULT_PARAMETERS)
            == (IN_WORDS["split-three-plus-squads"])
        )

    def test_an_invalid_condition_says_what_is_wrong_instead(self):
        condition = {"any": [{"fact": "squadz", "op": ">=", "value": 3}]}
        text = condition_in_words(condition, scope="product", parameters={})
        assert text.startswith(
            "Not valid, so the assessment skips it: condition.any[0]: unknown fact 'squadz'"
        )
