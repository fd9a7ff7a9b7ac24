"""A heuristic's examples: fact sets it must or must not fire on, literal or a parameter plus
an offset; the defaults ship with examples at and just past each line; an edit that breaks
one is refused, naming the example and what the heuristic gave."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from advisor.defaults import DEFAULT_EXAMPLES, DEFAULT_PARAMETERS, default_specs
from advisor.engine.examples import describe_example, example_problems
from advisor.engine.ruleset import parameters_read
from advisor.models import Heuristic, Parameter
from tests.advisor.admin_forms import heuristic_form
from tests.advisor.scenarios import latest_version, set_parameter

SPECS = {spec.code: spec for spec in default_specs()}
SQUADS = SPECS["split-three-plus-squads"]


class TestTheDefaults:
    @pytest.mark.parametrize("code", list(SPECS))
    def test_each_default_honours_its_examples(self, code):
        assert DEFAULT_EXAMPLES[code]
        assert example_problems(SPECS[code], DEFAULT_EXAMPLES[code], DEFAULT_PARAMETERS) == []

    @pytest.mark.parametrize("code", [c for c, s in SPECS.items() if s.parameters])
    def test_each_line_has_an_example_at_it_and_one_just_past_it(self, code):
        offsets: dict[str, set] = {}
        for example in DEFAULT_EXAMPLES[code]:
            for value in example["facts"].values():
                if isinstance(value, dict):
                    offsets.setdefault(value["param"], set()).add(value["offset"])
        read = [
            name for name in parameters_read({"condition": SPECS[code].condition, "message": ""})
        ]
        for name in read:
            assert 0 in offsets[name], name
            assert offsets[name] & {-1, 1}, name

    @pytest.mark.parametrize("code", list(SPECS))
    def test_each_default_has_an_example_that_fires_and_one_that_does_not(self, code):
        assert {e["fires"] for e in DEFAULT_EXAMPLES[code]} == {True, False}


class TestExampleProblems:
    def test_a_broken_example_is_named_with_what_it_gave(self):
        parameters = {**DEFAULT_PARAMETERS, "min_squads": 1}
        assert example_problems(SQUADS, DEFAULT_EXAMPLES[SQUADS.code], parameters) == [
            "examples[3] “one squad, one PM's squad” (squads 1, pm_squads 1): must not fire, "
            "but fires"
        ]

    def test_examples_on_a_line_move_with_it(self):
        parameters = {**DEFAULT_PARAMETERS, "min_squads": 7}
        assert example_problems(SQUADS, DEFAULT_EXAMPLES[SQUADS.code], parameters) == []

    def test_facts_left_out_are_unknown(self):
        example = [{"facts": {"squads": 9}, "fires": True}]
        assert example_problems(SQUADS, example, DEFAULT_PARAMETERS) == []
        unknown = [{"facts": {}, "fires": True}]
        assert example_problems(SQUADS, unknown, DEFAULT_PARAMETERS) == [
            "examples[0] (every fact unknown): must fire, but does not fire"
        ]

    @pytest.mark.parametrize(
        ("examples", "problem"),
        [
            ({"facts": {}}, "examples: must be a list of {facts, fires}"),
            ([1], "examples[0]: must be an object {facts, fires}"),
            ([{"facts": {}, "fires": "yes"}], "examples[0].fires: must be true or false"),
            ([{"facts": {}, "fires": True, "when": 1}], "examples[0]: unknown key 'when'"),
            ([{"facts": [], "fires": True}], "examples[0].facts: must be an object of fact: value"),
            (
                [{"facts": {"sqauds": 1}, "fires": True}],
                "examples[0].facts.sqauds: unknown fact 'sqauds' for product heuristics",
            ),
            (
                [{"facts": {"squads": "three"}, "fires": True}],
                "examples[0].facts.squads: 'three' does not fit squads",
            ),
            (
                [{"facts": {"squads": {"param": "min_sqauds"}}, "fires": True}],
                "examples[0].facts.squads: unknown parameter 'min_sqauds'",
            ),
            (
                [{"facts": {"squads": {"param": "min_squads", "by": 1}}, "fires": True}],
                'examples[0].facts.squads: a parameter reference is {"param": name, "offset": n}',
            ),
            (
                [{"facts": {"squads": {"param": "min_squads", "offset": "1"}}, "fires": True}],
                "examples[0].facts.squads.offset: must be a number, not '1'",
            ),
            (
                [{"facts": {"squads": 1e12}, "fires": True}],
                "examples[0].facts.squads: 1000000000000.0 is out of range "
                "(at most 1,000,000,000 either way)",
            ),
            (
                [{"facts": {}, "fires": True, "note": "a\u001bb"}],
                "examples[0].note: one line of at most 200 characters",
            ),
            ([{"facts": {}, "fires": False}] * 21, "examples: at most 20, not 21"),
        ],
    )
    def test_a_malformed_example_is_refused_by_path(self, examples, problem):
        assert example_problems(SQUADS, examples, DEFAULT_PARAMETERS) == [problem]

    def test_an_example_in_words(self):
        example = {"facts": {"squads": {"param": "min_squads", "offset": -1}, "pm_squads": None}}
        assert describe_example(example, {"min_squads": 3}) == (
            "squads min_squads - 1 (2), pm_squads unknown"
        )


@pytest.mark.django_db
class TestSavingAnEdit:
    def test_the_rows_and_the_document_hold_the_defaults_examples(self):
        rows = dict(Heuristic.objects.values_list("code", "examples"))
        assert rows == {code: DEFAULT_EXAMPLES[code] for code in rows}
        content = latest_version().content
        assert [h["examples"] for h in content["heuristics"]] == [
            DEFAULT_EXAMPLES[h["code"]] for h in content["heuristics"]
        ]

    def test_a_condition_that_breaks_an_example_is_refused_naming_it(self):
        heuristic = Heuristic.objects.get(code="split-multiple-markets")
        heuristic.condition = {"fact": "markets", "op": ">", "param": "min_markets"}
        with pytest.raises(ValidationError) as caught:
            heuristic.full_clean()
        assert caught.value.message_dict["examples"] == [
            "examples[0] “at the line” (markets min_markets (2)): must fire, but does not fire"
        ]

    def test_a_parameter_that_breaks_a_literal_example_is_refused_naming_it(self):
        parameter = Parameter.objects.get(name="min_squads")
        parameter.value = 1
        with pytest.raises(ValidationError) as caught:
            parameter.full_clean()
        assert caught.value.message_dict["value"][0] == (
            "split-three-plus-squads would break: examples[3] “one squad, one PM's squad” "
            "(squads 1, pm_squads 1): must not fire, but fires"
        )
        assert Parameter.objects.get(name="min_squads").value == 3

    def test_a_parameter_moved_with_its_examples_is_saved(self):
        set_parameter("min_squads", 4)

        assert Parameter.objects.get(name="min_squads").value == 4
        assert latest_version().content["parameters"]["min_squads"] == 4

    def test_the_admin_refuses_an_edit_that_breaks_an_example(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-backlog-overload")
        data = heuristic_form(
            heuristic,
            condition=json.dumps(
                {"fact": "pm_backlog_share", "op": ">=", "param": "max_backlog_share"}
            ),
        )
        response = admin_client.post(
            reverse("admin:advisor_heuristic_change", args=[heuristic.pk]), data
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["examples"] == [
            "examples[1] “at the line” (pm_backlog_share max_backlog_share (40%)): must not "
            "fire, but fires"
        ]
        heuristic.refresh_from_db()
        assert heuristic.condition["op"] == ">"

    def test_the_heuristics_page_shows_the_examples_in_words(self, client, django_user_model):
        client.force_login(django_user_model.objects.create_user("reader"))
        html = client.get(reverse("advisor:heuristic_list")).content.decode()
        assert "<li>Does not fire (just below the line): markets min_markets - 1 (1)</li>" in html
