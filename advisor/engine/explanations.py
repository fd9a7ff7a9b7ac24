"""The advice in words: values as people read them, messages filled in, conditions in words.

Conditions in words, so members can read the rules behind the advice:

    {"any": [{"fact": "squads", "op": ">=", "param": "min_squads"}, ...]}
    → "squads ≥ min_squads (3) or pm_squads ≥ min_squads (3)"

Plain functions over a condition that `advisor.engine.conditions.validate_condition`
accepts; nested groups are put in parentheses.
"""

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from advisor.engine.conditions import validate_condition
from advisor.engine.vocabulary import ROLE_LABELS, Scope

_PLACEHOLDER = re.compile(r"\{(\w+)\}")

OPERATOR_SYMBOLS: dict[str, str] = {
    "==": "=",
    "!=": "≠",
    "<": "<",
    "<=": "≤",
    ">": ">",
    ">=": "≥",
    "is_unknown": "is unknown",
    "is_known": "is known",
}
_JOINERS = {"all": " and ", "any": " or "}


def operator_symbol(op: str) -> str:
    """The operator as a person writes it (≥ for >=)."""
    return OPERATOR_SYMBOLS.get(op, op)


def describe_clause(clause: Mapping[str, Any], parameters: Mapping[str, Any]) -> str:
    """One clause: `fact op threshold`, with a parameter's name and value."""
    fact, op = clause["fact"], clause["op"]
    if op in ("is_unknown", "is_known"):
        return f"{fact} {operator_symbol(op)}"
    if "param" in clause:
        param = clause["param"]
        shown = format_value(fact, parameters[param]) if param in parameters else "not set"
        return f"{fact} {operator_symbol(op)} {param} ({shown})"
    return f"{fact} {operator_symbol(op)} {format_value(fact, clause['value'])}"


def describe_condition(condition: Mapping[str, Any], parameters: Mapping[str, Any]) -> str:
    """The whole condition in one line of words and symbols."""

    def visit(node: Mapping[str, Any], nested: bool) -> str:
        for key, joiner in _JOINERS.items():
            if key in node:
                children = node[key]
                text = joiner.join(visit(child, len(children) > 1) for child in children)
                return f"({text})" if nested and len(children) > 1 else text
        return describe_clause(node, parameters)

    return visit(condition, False)


def condition_in_words(condition: Any, *, scope: Scope | str, parameters: Mapping[str, Any]) -> str:
    """The condition in words, or what is wrong with it when the engine would skip it."""
    problems = validate_condition(condition, scope=scope, parameters=parameters)
    if problems:
        return "Not valid, so the assessment skips it: " + "; ".join(problems)
    return describe_condition(condition, parameters)


def format_value(name: str, value: Any) -> str:
    """A fact or parameter value as a person reads it."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        # A computed share (merged_backlog_share) is not rounded; people read one decimal.
        value = round(value, 1)
        if value.is_integer():
            value = int(value)
    if name.endswith("_share"):
        return f"{value}%"
    if name.endswith("role") and value in ROLE_LABELS:
        return ROLE_LABELS[value].lower()
    return str(value)


def message_placeholders(template: str) -> list[str]:
    return _PLACEHOLDER.findall(template)


def render_message(
    template: str, *, subject: str, facts: Mapping[str, Any], parameters: Mapping[str, Any]
) -> str:
    """Fill `{fact}`, `{parameter}` and `{subject}` placeholders; nothing else is interpreted."""
    parts = _template_parts(template)
    filled = [parts[0]]
    # parts alternate: text, placeholder name, text, ..., text.
    for i in range(1, len(parts), 2):
        name = parts[i]
        if name == "subject":
            filled.append(subject)
        elif name in parameters:
            filled.append(format_value(name, parameters[name]))
        else:
            filled.append(format_value(name, facts[name]))
        filled.append(parts[i + 1])
    return "".join(filled)


@lru_cache(maxsize=256)
def _template_parts(template: str) -> tuple[str, ...]:
    """A message template cut at its placeholders, once per template (a finding is made
    for each subject a heuristic fires on, from one of a ruleset's few templates): the
    same pieces `_PLACEHOLDER.sub` would put the filled-in values between."""
    return tuple(_PLACEHOLDER.split(template))


GROUP_WORDS = {"all": "all of these", "any": "any one of these"}


def evidence_outline(trace: list[Mapping[str, Any]]) -> list[tuple[int, str, Any, bool]]:
    """A finding's trace (as JSON) with the all/any groups of its condition, in order:
    (depth, "all"/"any", None, holds) for a group's heading, (depth, "clause", clause, holds)
    for a clause, so that a ✗ inside an `any` that held reads as what it is. A trace kept
    before groups were recorded (no `path`) is its clauses at depth 0."""
    root: dict[str, Any] = {"kind": None, "children": [], "keys": {}}
    for clause in trace:
        node = root
        for kind, index in clause.get("path") or ():
            key = (kind, index)
            child = node["keys"].get(key)
            if child is None:
                child = {"kind": None, "children": [], "keys": {}}
                node["keys"][key] = child
                node["children"].append(child)
            node["kind"] = kind
            node = child
        node["clause"] = clause

    def holds(node: dict[str, Any]) -> bool:
        if "clause" in node:
            return bool(node["clause"]["result"])
        results = [holds(child) for child in node["children"]]
        return all(results) if node["kind"] == "all" else any(results)

    rows: list[tuple[int, str, Any, bool]] = []

    def visit(node: dict[str, Any], depth: int) -> None:
        if "clause" in node:
            rows.append((depth, "clause", node["clause"], bool(node["clause"]["result"])))
            return
        if node["kind"] is None:
            return
        rows.append((depth, node["kind"], None, holds(node)))
        for child in node["children"]:
            visit(child, depth + 1)

    if root["kind"] is None:
        # No groups: a single clause, or a trace kept without paths.
        return [(0, "clause", c, bool(c["result"])) for c in trace]
    visit(root, 0)
    return rows
