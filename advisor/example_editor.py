"""A heuristic's examples edited as rows, not JSON, in the style of the condition rows.

Each example has a note, whether the heuristic must fire on it, and fact rows: a fact of
the heuristic's scope, and either a literal value (`3`, `7.5`, `yes`, `kanban`, or
`unknown`) or a parameter plus an offset (`min_squads` and `-1`), so that an example at
or just past a line moves with it. The form posts as plain fields (`examples-2-note`,
`examples-2-0-fact`...), with blank fact rows under each example and a blank example to
fill in, so it works without script; static/js/example_editor.js adds examples and fact
rows and narrows the facts to the scope. Examples typed as JSON in the "as JSON" box
instead are read as before (advisor.forms.parse_rule_json).

Problems are named by example and fact row ("example 2, fact row 1: squads is a number,
not 'three'"), the engine's `examples[1].facts.squads` paths mapped to the rows they came
from. Examples and fact rows are numbered as the page shows them after a refused save
(removed and blank ones left out).
"""

import re
from collections.abc import Mapping
from typing import Any

from django.utils.safestring import mark_safe

from advisor.condition_editor import (
    FACT_TYPES,
    SCOPE_FACTS,
    RowsError,
    RowsField,
    RowsWidget,
    _typed_value,
    _value_text,
    bounded_count,
)
from advisor.engine.examples import MAX_EXAMPLES
from advisor.engine.facts import CATALOGUE

# Read at most this many examples and fact rows an example from a POST, whatever it says.
MAX_EXAMPLE_ROWS = MAX_EXAMPLES + 5
MAX_FACT_ROWS = max(len(facts) for facts in CATALOGUE.values()) + 5
# Blank fact rows under each example, and the facts of the blank example offered.
EXTRA_FACTS = 2
NEW_EXAMPLE_FACTS = 3
FIRES = (("yes", "must fire"), ("no", "must not fire"))
FACT_FIELDS = ("fact", "value", "param", "offset", "delete")
UNKNOWN = "unknown"


def _blank_fact(row: Mapping[str, str]) -> bool:
    return not any(row.get(k, "").strip() for k in ("fact", "value", "param", "offset"))


def _blank_example(example: Mapping[str, Any]) -> bool:
    return (
        not example.get("note", "").strip()
        and not example.get("fires")
        and all(_blank_fact(f) for f in example.get("facts", []))
    )


def kept_examples(examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The posted examples that say something, each with the fact rows that do: what the
    page shows again, in order, and how problems number them."""
    return [
        {
            **e,
            "facts": [f for f in e.get("facts", []) if not f.get("delete") and not _blank_fact(f)],
        }
        for e in examples
        if not e.get("delete") and not _blank_example(e)
    ]


def examples_from_rows(
    examples: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, int]]]:
    """The examples the rows describe and, for each, its fact rows' numbers by fact name;
    RowsError naming the example and row at fault."""
    problems: list[str] = []
    built: list[dict[str, Any]] = []
    rows_by_fact: list[dict[str, int]] = []
    for number, example in enumerate(kept_examples(examples), start=1):
        where = f"example {number}"
        fires = example.get("fires")
        if fires not in ("yes", "no"):
            problems.append(f"{where}: choose whether it must fire or must not fire")
        facts: dict[str, Any] = {}
        numbers: dict[str, int] = {}
        for row_number, row in enumerate(example["facts"], start=1):
            at = f"{where}, fact row {row_number}"
            fact = row.get("fact", "").strip()
            if not fact:
                problems.append(f"{at}: choose a fact")
                continue
            if fact in numbers:
                problems.append(f"{at}: {fact} is given in fact row {numbers[fact]} already")
                continue
            value, problem = _fact_value(fact, row)
            if problem:
                problems.append(f"{at}: {problem}")
                continue
            facts[fact], numbers[fact] = value, row_number
        built_example: dict[str, Any] = {"facts": facts, "fires": fires == "yes"}
        note = example.get("note", "").strip()
        if note:
            built_example["note"] = note
        built.append(built_example)
        rows_by_fact.append(numbers)
    if problems:
        raise RowsError(problems)
    return built, rows_by_fact


def _fact_value(fact: str, row: Mapping[str, str]) -> tuple[Any, str | None]:
    value = row.get("value", "").strip()
    param = row.get("param", "").strip()
    offset = row.get("offset", "").strip()
    if value and param:
        return None, "give a value or choose a parameter, not both"
    if param:
        if not offset:
            return {"param": param, "offset": 0}, None
        try:
            number: int | float = int(offset)
        except ValueError:
            try:
                number = float(offset)
            except ValueError:
                return None, f"the offset is a number, such as -1, not {offset[:40]!r}"
        return {"param": param, "offset": number}, None
    if offset:
        return None, "an offset is added to a parameter: choose one"
    if not value:
        return None, f"give a value (or {UNKNOWN}) or choose a parameter"
    if value.lower() == UNKNOWN:
        return None, None
    if fact not in FACT_TYPES:
        return None, f"unknown fact {fact[:40]!r}"
    return _typed_value(fact, value)


_PATH = re.compile(r"^examples\[(\d+)\](?:\.facts\.([A-Za-z_][A-Za-z0-9_]*))?([^\s:]*)(.*)$", re.S)


def problems_by_example(messages: list[str], rows_by_fact: list[dict[str, int]]) -> list[str]:
    """The engine's `examples[1].facts.squads: ...` messages with the example and fact row
    named instead."""
    named = []
    for message in messages:
        match = _PATH.match(message)
        if match is None:
            named.append(message)
            continue
        index, fact, rest, text = match.groups()
        where = f"example {int(index) + 1}"
        numbers = rows_by_fact[int(index)] if int(index) < len(rows_by_fact) else {}
        if fact and fact in numbers:
            where += f", fact row {numbers[fact]} ({fact}{rest.replace('.', ' ')})"
        elif fact:
            where += f" ({fact}{rest.replace('.', ' ')})"
        elif rest:
            where += f" ({rest.lstrip('.')})"
        named.append(f"{where}{text}")
    return named


def example_rows(examples: Any) -> list[dict[str, Any]]:
    """Stored examples as rows (what cannot be shown as rows is left out)."""
    rows = []
    for example in examples[:MAX_EXAMPLE_ROWS] if isinstance(examples, list) else []:
        if not isinstance(example, Mapping):
            continue
        facts = example.get("facts") if isinstance(example.get("facts"), Mapping) else {}
        fires = example.get("fires")
        fact_rows = []
        for name, given in list(facts.items())[:MAX_FACT_ROWS]:
            if isinstance(given, Mapping):
                offset = given.get("offset", 0)
                fact_rows.append(
                    {
                        "fact": str(name),
                        "value": "",
                        "param": str(given.get("param", "")),
                        "offset": "" if offset in (0, None) else str(offset),
                    }
                )
            else:
                text = UNKNOWN if given is None else _value_text(given)
                fact_rows.append({"fact": str(name), "value": text, "param": "", "offset": ""})
        rows.append(
            {
                "note": str(example.get("note", "")),
                "fires": "yes" if fires is True else "no" if fires is False else "",
                "facts": fact_rows,
            }
        )
    return rows


class ExamplesEditor(RowsWidget):
    template_name = "admin/advisor/widgets/examples_editor.html"

    class Media:
        js = ("js/example_editor.js",)

    def value_from_datadict(self, data, files, name: str) -> Any:
        if typed := self.typed_json(data, name):
            return typed
        examples = []
        for i in range(self.row_count(data, name, MAX_EXAMPLE_ROWS)):
            prefix = f"{name}-{i}"
            facts = [
                {field: data.get(f"{prefix}-{j}-{field}", "") for field in FACT_FIELDS}
                for j in range(bounded_count(data.get(f"{prefix}-facts"), MAX_FACT_ROWS))
            ]
            examples.append(
                {
                    "note": data.get(f"{prefix}-note", ""),
                    "fires": data.get(f"{prefix}-fires", ""),
                    "delete": data.get(f"{prefix}-delete", ""),
                    "facts": facts,
                }
            )
        return ("rows", examples)

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        typed = ""
        if isinstance(value, tuple) and value[0] == "json":
            typed, examples = value[1], []
        elif isinstance(value, tuple):
            examples = kept_examples(value[1])
        else:
            examples = example_rows(value)
        blank_fact = {"fact": "", "value": "", "param": "", "offset": ""}
        shown = [
            {**e, "facts": [*e["facts"], *({**blank_fact} for _ in range(EXTRA_FACTS))]}
            for e in examples
        ]
        if len(shown) < MAX_EXAMPLES:
            shown.append(
                {
                    "note": "",
                    "fires": "",
                    "facts": [{**blank_fact} for _ in range(NEW_EXAMPLE_FACTS)],
                }
            )
        context["widget"].update(
            {
                "examples": [
                    {
                        **e,
                        "index": i,
                        "number": i + 1,
                        "fact_count": len(e["facts"]),
                        "fact_rows": [
                            {**f, "index": j, "number": j + 1} for j, f in enumerate(e["facts"])
                        ],
                    }
                    for i, e in enumerate(shown)
                ],
                "example_count": len(shown),
                "typed": typed,
                "fires_choices": FIRES,
                "scopes": SCOPE_FACTS,
                "parameters": self.parameters,
                "max_examples": MAX_EXAMPLES,
            }
        )
        return context


class ExamplesField(RowsField):
    """The examples from the rows (blank ones left out), or the JSON typed instead. After
    cleaning, `rows_by_fact` maps each example's facts to their rows, for naming problems."""

    widget = ExamplesEditor
    json_name = "examples"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.rows_by_fact: list[dict[str, int]] | None = None

    def to_python(self, value: Any) -> Any:
        self.rows_by_fact = None
        return super().to_python(value)

    def from_json(self, parsed: Any) -> Any:
        return [] if parsed is None else parsed

    def from_rows(self, rows: list[dict[str, Any]]) -> Any:
        examples, self.rows_by_fact = examples_from_rows(rows)
        return examples


def examples_help() -> str:
    return mark_safe(
        "Fact sets with whether the heuristic must fire on them. Each fact row gives a fact "
        "of the heuristic's scope and either a value (<code>3</code>, <code>7.5</code>, "
        "<code>yes</code>, <code>kanban</code>, or <code>unknown</code>) or a parameter plus "
        "an offset (<code>min_squads</code> and <code>-1</code>: the parameter's value plus "
        "the offset, so an example at or just past a line moves with it). Facts left out are "
        "unknown. Fill in the blank rows to add, tick <em>remove</em> to drop one. A save "
        "that breaks an example is refused, naming it. As JSON, each example is "
        '<code>{"facts": {"squads": {"param": "min_squads", "offset": -1}}, "fires": false, '
        '"note": "just below the line"}</code>.'
    )
