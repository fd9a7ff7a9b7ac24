"""A heuristic's condition edited as rows, not JSON: nested all/any groups of clause rows.

Each row has a level, a kind (a clause, "all of" or "any of"), and for a clause the fact,
the operator and a value or a parameter, each chosen from lists. Rows are read in order:
the first is the condition at level 0; a row one level below a group belongs to it, until
a row at the group's level or above. The form posts as plain fields
(`condition-3-fact`...), with a few blank rows to fill in, so it works without script;
static/js/condition_editor.js adds and removes rows and narrows the fact and operator
lists to the scope and the fact's type. A condition typed as JSON in the "as JSON" box
instead is read as before (advisor.forms.parse_rule_json).

Problems are named by row ("row 3: unknown fact 'sqauds' ..."), mapped from the
validator's JSON paths.
"""

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from advisor.engine.conditions import MAX_CLAUSES, MAX_DEPTH, OPERATORS, PRESENCE
from advisor.engine.explanations import operator_symbol
from advisor.engine.facts import CATALOGUE, ENUM_VALUES, FactType
from advisor.forms import parse_rule_json

KINDS = (("clause", "clause"), ("all", "all of"), ("any", "any of"))
# Blank rows offered below the condition's, to add to it without script.
EXTRA_ROWS = 3
MAX_ROWS = MAX_CLAUSES + 20
ROW_FIELDS = ("level", "kind", "fact", "op", "value", "param", "delete")

# Each fact name's type, whatever its scope (a name means one type in every scope).
FACT_TYPES: dict[str, FactType] = {
    name: fact.type for facts in CATALOGUE.values() for name, fact in facts.items()
}


def condition_rows(condition: Any) -> list[dict[str, str]]:
    """A stored condition as rows, in order (an invalid one gives what it can)."""
    rows: list[dict[str, str]] = []

    def visit(node: Any, level: int) -> None:
        if len(rows) >= MAX_ROWS or not isinstance(node, Mapping):
            return
        for key in ("all", "any"):
            if isinstance(node.get(key), list):
                rows.append({"level": str(level), "kind": key})
                for child in node[key]:
                    visit(child, level + 1)
                return
        value = node.get("value")
        rows.append(
            {
                "level": str(level),
                "kind": "clause",
                "fact": str(node.get("fact", "")),
                "op": str(node.get("op", "")),
                "value": "" if "value" not in node else _value_text(value),
                "param": str(node.get("param", "")),
            }
        )

    visit(condition, 0)
    return rows


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _typed_value(fact: str, text: str) -> tuple[Any, str | None]:
    """A clause's value as the fact's type reads it, or the problem."""
    fact_type = FACT_TYPES.get(fact)
    if fact_type == FactType.BOOL:
        words = {"true": True, "yes": True, "false": False, "no": False}
        if text.lower() not in words:
            return None, f"{fact} is yes or no, not {text!r}"
        return words[text.lower()], None
    if fact_type == FactType.INT:
        try:
            return int(text), None
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None, f"{fact} is a number, not {text[:40]!r}"
            return number, None
    return text, None


class RowsError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def condition_from_rows(rows: list[dict[str, str]]) -> tuple[dict, dict[str, int]]:
    """The condition the rows describe and, for each JSON path in it, the row it came from
    (numbered from 1 as the form shows them again: blank and removed rows left out);
    RowsError naming the rows at fault."""
    kept = list(
        enumerate((row for row in rows if row.get("kind") and not row.get("delete")), start=1)
    )
    if not kept:
        raise RowsError(["add at least one row: a clause, or a group of clauses"])
    problems: list[str] = []
    paths: dict[str, int] = {}
    root: dict | None = None
    stack: list[tuple[int, str, list]] = []  # (level, path, members) of the open groups
    for number, row in kept:
        try:
            level = int(row.get("level") or 0)
        except ValueError:
            problems.append(f"row {number}: the level is a number")
            continue
        node, problem = _node(row)
        if problem:
            problems.append(f"row {number}: {problem}")
            continue
        if root is None:
            if level != 0:
                problems.append(f"row {number}: the first row is at level 0")
                continue
            root, path = node, "condition"
        else:
            while stack and stack[-1][0] >= level:
                stack.pop()
            if not stack:
                problems.append(
                    f"row {number}: only one row is at level 0; put this one inside a group"
                )
                continue
            parent_level, parent_path, members = stack[-1]
            if level != parent_level + 1:
                problems.append(
                    f"row {number}: at level {level}, but its group is at level {parent_level}"
                )
                continue
            path = f"{parent_path}[{len(members)}]"
            members.append(node)
        paths[path] = number
        if row["kind"] in ("all", "any"):
            if level >= MAX_DEPTH:
                problems.append(f"row {number}: groups nest at most {MAX_DEPTH} deep")
                continue
            stack.append((level, f"{path}.{row['kind']}", node[row["kind"]]))
    if problems:
        raise RowsError(problems)
    return root, paths


def _node(row: dict[str, str]) -> tuple[dict | None, str | None]:
    kind = row.get("kind")
    if kind in ("all", "any"):
        return {kind: []}, None
    if kind != "clause":
        return None, f"unknown kind {kind!r}"
    fact, op = row.get("fact", ""), row.get("op", "")
    if not fact:
        return None, "choose a fact"
    if op not in OPERATORS:
        return None, "choose an operator"
    value, param = row.get("value", "").strip(), row.get("param", "")
    if op in PRESENCE:
        if value or param:
            return (
                None,
                f"{operator_symbol(op)} compares with nothing: leave value and parameter empty",
            )
        return {"fact": fact, "op": op}, None
    if bool(value) == bool(param):
        return None, "give a value or choose a parameter (one of them)"
    if param:
        return {"fact": fact, "op": op, "param": param}, None
    typed, problem = _typed_value(fact, value)
    if problem:
        return None, problem
    return {"fact": fact, "op": op, "value": typed}, None


def problems_by_row(messages: list[str], paths: dict[str, int]) -> list[str]:
    """The validator's `condition.all[1]: ...` messages with the row named instead."""
    by_length = sorted(paths, key=len, reverse=True)
    named = []
    for message in messages:
        where, _, text = message.partition(": ")
        row = next((paths[p] for p in by_length if where == p or where.startswith(p + ".")), None)
        named.append(f"row {row}: {text}" if row is not None and text else message)
    return named


def bounded_count(text: Any, limit: int) -> int:
    """A count a form posted, as a number from 0 to `limit`; anything else is 0."""
    try:
        return max(0, min(int(text or 0), limit))
    except (TypeError, ValueError):
        return 0


class RowsWidget(forms.Widget):
    """A rule field edited as rows, from the project's templates, with a box to type JSON
    instead: text typed there wins over the rows."""

    def __init__(self, *args, parameters: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.parameters = parameters

    def _render(self, template_name: str, context: dict, renderer: Any = None) -> str:
        # The project's templates, not the form renderer's (which reads only apps' and
        # Django's form templates).
        return mark_safe(render_to_string(template_name, context))

    @staticmethod
    def typed_json(data: Mapping[str, Any], name: str) -> tuple[str, str] | None:
        typed = data.get(name, "")
        return ("json", typed) if isinstance(typed, str) and typed.strip() else None

    @staticmethod
    def row_count(data: Mapping[str, Any], name: str, limit: int) -> int:
        """How many rows the form says it posted, at most `limit`."""
        return bounded_count(data.get(f"{name}-rows"), limit)

    def value_omitted_from_data(self, data, files, name: str) -> bool:
        return name not in data and f"{name}-rows" not in data


class ConditionEditor(RowsWidget):
    template_name = "admin/advisor/widgets/condition_editor.html"

    class Media:
        js = ("js/condition_editor.js",)
        css = {"all": ("css/condition_editor.css",)}

    def value_from_datadict(self, data, files, name: str) -> Any:
        if typed := self.typed_json(data, name):
            return typed
        count = self.row_count(data, name, MAX_ROWS)
        rows = [
            {field: data.get(f"{name}-{i}-{field}", "") for field in ROW_FIELDS}
            for i in range(count)
        ]
        return ("rows", rows)

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        typed = ""
        if isinstance(value, tuple) and value[0] == "json":
            typed, rows = value[1], []
        elif isinstance(value, tuple):
            rows = [r for r in value[1] if r.get("kind") and not r.get("delete")]
        else:
            rows = condition_rows(value)
            if len(rows) + EXTRA_ROWS > MAX_ROWS:
                # More rows than a save reads back (groups take rows too): the condition is
                # shown, and so saved, whole in the JSON box instead of cut short.
                typed, rows = json.dumps(value, indent=2, ensure_ascii=False), []
        blank = {"level": "1", "kind": "", "fact": "", "op": "", "value": "", "param": ""}
        rows = [*rows, *({**blank} for _ in range(EXTRA_ROWS))]
        context["widget"].update(
            {
                "rows": [{**row, "index": i, "number": i + 1} for i, row in enumerate(rows)],
                "row_count": len(rows),
                "typed": typed,
                "kinds": KINDS,
                "levels": range(MAX_DEPTH + 1),
                "scopes": SCOPE_FACTS,
                "operators": [(op, operator_symbol(op)) for op in OPERATORS],
                "parameters": self.parameters,
            }
        )
        return context


def _type_words(fact_type: FactType) -> str:
    if fact_type == FactType.INT:
        return "a number"
    if fact_type == FactType.BOOL:
        return "yes or no"
    return "one of " + ", ".join(ENUM_VALUES[fact_type])


# The facts of each scope with their type, as the editors' scripts narrow the lists by.
SCOPE_FACTS = [
    (scope.value, [(f.name, f.type.value, _type_words(f.type)) for f in facts.values()])
    for scope, facts in CATALOGUE.items()
]


class RowsField(forms.Field, ABC):
    """A rule's part edited as rows (RowsWidget), or typed as JSON instead; named by
    `json_name` in the JSON's problems. A subclass reads its rows (`from_rows`, which each
    must define) and says what nothing given means (`empty`)."""

    json_name = ""

    def empty(self) -> Any:
        return []

    def from_json(self, parsed: Any) -> Any:
        return parsed

    @abstractmethod
    def from_rows(self, rows: list[dict[str, str]]) -> Any:
        """The value the rows spell; raises RowsError naming the rows at fault."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return self.empty()
        if not isinstance(value, tuple):  # already a value: the initial one
            return value
        mode, content = value
        if mode == "json":
            parsed, problems = parse_rule_json(content, name=self.json_name)
            if problems:
                raise forms.ValidationError(problems)
            return self.from_json(parsed)
        try:
            return self.from_rows(content)
        except RowsError as e:
            raise forms.ValidationError(e.problems) from None

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != (self.empty() if initial is None else initial)
        except forms.ValidationError:
            return True


class ConditionField(RowsField):
    """The condition from the rows (or the JSON typed instead), as the model stores it.
    After cleaning, `paths` maps each JSON path of a condition read from rows to its row."""

    widget = ConditionEditor
    json_name = "condition"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.paths: dict[str, int] = {}

    def empty(self) -> Any:
        raise forms.ValidationError("add at least one row: a clause, or a group of clauses")

    def to_python(self, value: Any) -> Any:
        self.paths = {}
        value = super().to_python(value)
        return dict(value) if isinstance(value, Mapping) else value

    def from_rows(self, rows: list[dict[str, str]]) -> Any:
        condition, self.paths = condition_from_rows(rows)
        return condition


def row_help() -> str:
    return mark_safe(
        "One row a line: the first at level 0; a row one level below an <em>all of</em> or "
        "<em>any of</em> group belongs to it. A clause compares a fact with a value or a "
        "parameter; <code>is unknown</code> and <code>is known</code> take neither. A "
        "clause on an unknown fact is false. Fill in the blank rows to add, tick "
        "<em>remove</em> to drop one."
    )


# Sources as rows: the article's title, the sentence quoted, a link.
SOURCE_FIELDS = ("title", "quote", "link", "delete")
EXTRA_SOURCES = 2
MAX_SOURCE_ROWS = 12


class SourcesEditor(RowsWidget):
    """A heuristic's sources as rows of title, quote and link, plus blank rows to add; a
    list typed as JSON instead is read as before."""

    template_name = "admin/advisor/widgets/sources_editor.html"

    def value_from_datadict(self, data, files, name: str) -> Any:
        if typed := self.typed_json(data, name):
            return typed
        count = self.row_count(data, name, MAX_SOURCE_ROWS)
        return (
            "rows",
            [
                {field: data.get(f"{name}-{i}-{field}", "") for field in SOURCE_FIELDS}
                for i in range(count)
            ],
        )

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        typed, rows = "", []
        if isinstance(value, tuple) and value[0] == "json":
            typed = value[1]
        elif isinstance(value, tuple):
            rows = [r for r in value[1] if not r.get("delete")]
        elif isinstance(value, list):
            rows = [
                {key: str(source.get(key, "")) for key in ("title", "quote", "link")}
                for source in value[:MAX_SOURCE_ROWS]
                if isinstance(source, Mapping)
            ]
        rows = [r for r in rows if any(r.get(k) for k in ("title", "quote", "link"))]
        rows += [{"title": "", "quote": "", "link": ""} for _ in range(EXTRA_SOURCES)]
        context["widget"].update(
            {
                "rows": [{**r, "index": i, "number": i + 1} for i, r in enumerate(rows)],
                "row_count": len(rows),
                "typed": typed,
            }
        )
        return context


class SourcesField(RowsField):
    """The sources from the rows (blank rows left out), or the JSON typed instead."""

    widget = SourcesEditor
    json_name = "sources"

    def from_rows(self, rows: list[dict[str, str]]) -> Any:
        return [
            {key: row.get(key, "").strip() for key in ("title", "quote", "link")}
            for row in rows
            if not row.get("delete")
            and any(row.get(k, "").strip() for k in ("title", "quote", "link"))
        ]

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
