"""The advice in words: values as people read them, messages filled in, conditions in words.

Conditions in words, so members can read the rules behind the advice:

    {"any": [{"fact": "squads", "op": ">=", "param": "min_squads"}, ...]}
    → "squads ≥ min_squads (3) or pm_squads ≥ min_squads (3)"

Plain functions over a condition that `advisor.engine.conditions.validate_condition`
accepts; nested groups are put in parentheses.
"""

import re
from collections.abc import Mapping
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
    if isinstance(value, float) and value.is_integer():
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

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "subject":
            return subject
        if name in parameters:
            return format_value(name, parameters[name])
        return format_value(name, facts[name])

    return _PLACEHOLDER.sub(fill, template)
