"""A heuristic's examples edited as rows in the admin: a note, must fire or not, and fact rows
of a value or a parameter plus an offset; problems named by example and fact row."""

import json

import pytest
from django.urls import reverse

from advisor.condition_editor import RowsError
from advisor.defaults import DEFAULT_EXAMPLES
from advisor.example_editor import (
    example_rows,
    examples_from_rows,
    problems_by_example,
)
from advisor.models import Heuristic, RulesetVersion
from tests.advisor.admin_forms import heuristic_form


def posted(rows: list[dict]) -> list[dict]:
    """Rows as a POST gives them back: every field a string, none removed."""
    return [
        {
            "note": r["note"],
            "fires": r["fires"],
            "delete": "",
            "facts": [{**f, "delete": ""} for f in r["facts"]],
        }
        for r in rows
    ]


def fact(name: str = "", value: str = "", param: str = "", offset: str = "", delete: str = ""):
    return {"fact": name, "value": value, "param": param, "offset": offset, "delete": delete}


def example(fires: str, *facts: dict, note: str = "", delete: str = "") -> dict:
    return {"note": note, "fires": fires, "delete": delete, "facts": list(facts)}


class TestRows:
    @pytest.mark.parametrize("code", sorted(DEFAULT_EXAMPLES))
    def test_every_default_example_reads_back_from_its_rows_unchanged(self, code):
        examples = DEFAULT_EXAMPLES[code]
        built, _ = examples_from_rows(posted(example_rows(examples)))
        assert built == examples

    def test_a_value_a_parameter_with_an_offset_and_unknown(self):
        built, rows_by_fact = examples_from_rows(
            [
                example(
                    "no",
                    fact("squads", param="min_squads", offset="-1"),
                    fact("pm_backlog_share", value="37.5"),
                    fact(),
                    fact("markets", value="unknown"),
                    note="just below",
                ),
                example("yes", fact("squads", value="9")),
            ]
        )
        assert built == [
            {
                "facts": {
                    "squads": {"param": "min_squads", "offset": -1},
                    "pm_backlog_share": 37.5,
                    "markets": None,
                },
                "fires": False,
                "note": "just below",
            },
            {"facts": {"squads": 9}, "fires": True},
        ]
        assert rows_by_fact == [{"squads": 1, "pm_backlog_share": 2, "markets": 3}, {"squads": 1}]

    def test_blank_and_removed_examples_and_rows_are_left_out(self):
        built, _ = examples_from_rows(
            [
                example("", fact(), fact()),
                example("yes", fact("squads", value="1"), delete="on"),
                example("no", fact("squads", value="1"), fact("markets", value="x", delete="on")),
            ]
        )
        assert built == [{"facts": {"squads": 1}, "fires": False}]

    def test_problems_are_named_by_example_and_fact_row(self):
        with pytest.raises(RowsError) as raised:
            examples_from_rows(
                [
                    example("", fact("squads", value="1")),
                    example(
                        "yes",
                        fact("squads", value="three"),
                        fact(value="2"),
                        fact("markets", value="2", param="min_markets"),
                        fact("personas", param="max_personas", offset="a bit"),
                        fact("pm_squads", offset="1"),
                        fact("squads", value="4"),
                        fact("has_po"),
                    ),
                ]
            )
        assert raised.value.problems == [
            "example 1: choose whether it must fire or must not fire",
            "example 2, fact row 1: squads is a number, not 'three'",
            "example 2, fact row 2: choose a fact",
            "example 2, fact row 3: give a value or choose a parameter, not both",
            "example 2, fact row 4: the offset is a number, such as -1, not 'a bit'",
            "example 2, fact row 5: an offset is added to a parameter: choose one",
            "example 2, fact row 7: give a value (or unknown) or choose a parameter",
        ]

    def test_a_fact_given_twice_names_the_row_that_gave_it_first(self):
        with pytest.raises(RowsError) as raised:
            examples_from_rows(
                [example("yes", fact("squads", value="3"), fact("squads", value="4"))]
            )
        assert raised.value.problems == [
            "example 1, fact row 2: squads is given in fact row 1 already"
        ]

    def test_the_engines_paths_become_examples_and_fact_rows(self):
        rows_by_fact = [{"squads": 1}, {"markets": 2, "squads": 1}]
        assert problems_by_example(
            [
                "examples[1].facts.markets: 'x' does not fit markets",
                "examples[1].facts.squads.offset: must be a number, not 'a'",
                "examples[0] “at the line” (squads 3): must not fire, but fires",
                "examples[0].fires: must be true or false",
                "examples: at most 20, not 25",
            ],
            rows_by_fact,
        ) == [
            "example 2, fact row 2 (markets): 'x' does not fit markets",
            "example 2, fact row 1 (squads offset): must be a number, not 'a'",
            "example 1 “at the line” (squads 3): must not fire, but fires",
            "example 1 (fires): must be true or false",
            "examples: at most 20, not 25",
        ]


def examples_form(heuristic: Heuristic, examples: list[dict], **changes) -> dict[str, str]:
    """The change form with the condition as JSON and the examples as rows."""
    # Posted without `_publish`: the admin answers with its preview first.
    data = heuristic_form(heuristic, enabled="on", _publish="") | {
        "examples": "",
        "examples-rows": str(len(examples)),
    }
    for i, e in enumerate(examples):
        data |= {
            f"examples-{i}-note": e["note"],
            f"examples-{i}-fires": e["fires"],
            f"examples-{i}-delete": e.get("delete", ""),
            f"examples-{i}-facts": str(len(e["facts"])),
        }
        for j, f in enumerate(e["facts"]):
            data |= {f"examples-{i}-{j}-{key}": value for key, value in f.items()}
    return data | changes


def change_url(heuristic: Heuristic) -> str:
    return reverse("admin:advisor_heuristic_change", args=[heuristic.pk])


@pytest.mark.django_db
class TestInTheAdmin:
    def test_the_change_page_shows_each_example_as_rows_and_a_blank_one(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        html = admin_client.get(change_url(heuristic)).content.decode()
        count = len(heuristic.examples)
        assert f'name="examples-rows" value="{count + 1}"' in html
        assert 'name="examples-0-note" value="at the line"' in html
        assert '<option value="yes" selected>must fire</option>' in html
        assert 'name="examples-1-facts" value="4"' in html  # two facts, two blank rows
        assert 'name="examples-1-0-offset" value="-1"' in html
        assert 'name="examples-4-0-value" value="unknown"' in html
        assert f"<legend>Example {count + 1}</legend>" in html
        assert 'src="/static/js/example_editor.js"' in html
        assert "<script>" not in html.split('class="examples-editor"')[1].split("</details>")[0]

    def test_the_page_as_shown_posts_back_without_a_change(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        rows = [{**r, "facts": r["facts"]} for r in example_rows(heuristic.examples)]
        response = admin_client.post(change_url(heuristic), examples_form(heuristic, rows))
        assert response.status_code == 200
        html = response.content.decode()
        assert "No change: the ruleset would stay as it is" in html

    def test_an_example_added_as_rows_is_previewed_then_published(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        rows = [
            *example_rows(heuristic.examples),
            {
                "note": "two past the line",
                "fires": "yes",
                "facts": [
                    fact("squads", param="min_squads", offset="2"),
                    fact("pm_squads", value="1"),
                    fact(),
                ],
            },
        ]
        data = examples_form(heuristic, rows)
        preview = admin_client.post(change_url(heuristic), data)
        assert "<td>split-three-plus-squads</td><td>examples</td>" in preview.content.decode()
        assert Heuristic.objects.get(pk=heuristic.pk).examples == heuristic.examples
        before = RulesetVersion.objects.count()

        response = admin_client.post(change_url(heuristic), {**data, "_publish": "1"})
        assert response.status_code == 302
        added = {
            "facts": {"squads": {"param": "min_squads", "offset": 2}, "pm_squads": 1},
            "fires": True,
            "note": "two past the line",
        }
        assert Heuristic.objects.get(pk=heuristic.pk).examples == [*heuristic.examples, added]
        assert RulesetVersion.objects.count() == before + 1

    def test_an_example_removed_with_its_box_is_gone(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        rows = example_rows(heuristic.examples)
        rows[0] = {**rows[0], "delete": "on"}
        data = examples_form(heuristic, rows, _publish="1")
        assert admin_client.post(change_url(heuristic), data).status_code == 302
        assert Heuristic.objects.get(pk=heuristic.pk).examples == heuristic.examples[1:]

    def test_an_example_the_heuristic_breaks_is_refused_naming_it(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        rows = example_rows(heuristic.examples)
        rows[1] = {**rows[1], "fires": "yes"}
        response = admin_client.post(change_url(heuristic), examples_form(heuristic, rows))
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["examples"] == [
            "example 2 “just below the line” (squads min_squads - 1 (2), pm_squads min_squads"
            " - 1 (2)): must fire, but does not fire"
        ]
        assert Heuristic.objects.get(pk=heuristic.pk).examples == heuristic.examples

    def test_a_fact_from_another_scope_is_refused_naming_its_row(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        rows = [{"note": "", "fires": "no", "facts": [fact("squads", "1"), fact("role", "other")]}]
        response = admin_client.post(change_url(heuristic), examples_form(heuristic, rows))
        assert response.context["adminform"].form.errors["examples"] == [
            "example 1, fact row 2 (role): unknown fact 'role' for product heuristics"
        ]

    def test_a_refused_example_is_shown_again_as_posted(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        rows = [{"note": "typo", "fires": "yes", "facts": [fact("squads", value="three")]}]
        response = admin_client.post(change_url(heuristic), examples_form(heuristic, rows))
        html = response.content.decode()
        assert "example 1, fact row 1: squads is a number, not &#x27;three&#x27;" in html
        assert 'name="examples-0-note" value="typo"' in html
        assert 'name="examples-0-0-value" value="three"' in html

    def test_examples_typed_as_json_are_read_instead_of_the_rows(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        typed = [{"facts": {"squads": 7}, "fires": True}]
        data = examples_form(heuristic, example_rows(heuristic.examples), _publish="1")
        data["examples"] = json.dumps(typed)
        assert admin_client.post(change_url(heuristic), data).status_code == 302
        assert Heuristic.objects.get(pk=heuristic.pk).examples == typed

    def test_the_rows_read_are_bounded_whatever_the_counts_say(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        data = examples_form(heuristic, [], _publish="1")
        data |= {"examples-rows": "100000000", "examples-0-facts": "99999999"}
        response = admin_client.post(change_url(heuristic), data)
        assert response.status_code == 302
        assert Heuristic.objects.get(pk=heuristic.pk).examples == []
