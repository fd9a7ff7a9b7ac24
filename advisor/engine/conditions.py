"""Heuristic conditions: structured clauses, validated and evaluated by our own small evaluator.

A condition is JSON data, never text to parse:

    {"any": [
        {"fact": "squads", "op": ">=", "param": "min_squads"},
        {"fact": "pm_squads", "op": ">=", "param": "min_squads"}
    ]}

A node is an `all` group, an `any` group, or a clause. A clause names a fact of
the heuristic's scope, an operator from `OPERATORS`, and what it compares with:
a literal `value` or the name of a `param`. `is_unknown` and `is_known` take
neither. Nothing here is ever passed to eval or exec.

A clause on an unknown fact value is false (only `is_unknown` matches it).
Evaluation records every clause it compared, in order: that trace is a
finding's evidence.
"""

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from advisor.engine.facts import CATALOGUE, ENUM_VALUES, Fact, FactType
from advisor.engine.vocabulary import Scope

COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
PRESENCE = ("is_unknown", "is_known")
OPERATORS = (*COMPARISONS, *PRESENCE)
ORDERING = ("<", "<=", ">", ">=")

# The largest condition an admin may write: deep enough for any real rule,
# small enough that evaluation can never run away.
MAX_DEPTH = 6
MAX_CLAUSES = 50


@dataclass(frozen=True)
class ClauseResult:
    """One comparison the evaluator made: the evidence of a finding."""

    fact: str
    value: Any
    op: str
    threshold: Any = None
    param: str | None = None
    result: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "fact": self.fact,
            "value": self.value,
            "op": self.op,
            "threshold": self.threshold,
            "param": self.param,
            "result": self.result,
        }


class ConditionError(Exception):
    """A condition that fails validation; `problems` are `path: message` strings."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def value_fits(fact: Fact, value: Any) -> bool:
    """Whether a literal or parameter value can be compared with the fact."""
    if fact.type == FactType.INT:
        return _is_number(value)
    if fact.type == FactType.BOOL:
        return isinstance(value, bool)
    return isinstance(value, str) and value in ENUM_VALUES[fact.type]


def _describe_type(fact: Fact) -> str:
    if fact.type == FactType.INT:
        return "a number"
    if fact.type == FactType.BOOL:
        return "true or false"
    return "one of " + ", ".join(ENUM_VALUES[fact.type])


def validate_condition(
    condition: Any, *, scope: Scope | str, parameters: Mapping[str, Any]
) -> list[str]:
    """Every problem of a condition, each as `path: message`; empty when it is valid."""
    facts = CATALOGUE[Scope(scope)]
    problems: list[str] = []
    clauses = 0

    def visit(node: Any, path: str, depth: int) -> None:
        nonlocal clauses
        if not isinstance(node, dict):
            problems.append(f"{path}: must be an object (an all/any group or a clause)")
            return
        groups = [key for key in ("all", "any") if key in node]
        if groups:
            if len(node) != 1:
                problems.append(f"{path}: a group has exactly one key, all or any")
                return
            key = groups[0]
            children = node[key]
            if depth >= MAX_DEPTH:
                problems.append(f"{path}: groups nest at most {MAX_DEPTH} deep")
                return
            if not isinstance(children, list) or not children:
                problems.append(f"{path}.{key}: must be a non-empty list")
                return
            for i, child in enumerate(children):
                visit(child, f"{path}.{key}[{i}]", depth + 1)
            return
        clauses += 1
        unknown_keys = sorted(set(node) - {"fact", "op", "value", "param"})
        if unknown_keys:
            problems.append(f"{path}: unknown keys {', '.join(unknown_keys)}")
            return
        name = node.get("fact")
        fact = facts.get(name) if isinstance(name, str) else None
        if fact is None:
            problems.append(
                f"{path}: unknown fact {name!r} for {scope} heuristics "
                f"(known: {', '.join(sorted(facts))})"
            )
            return
        op = node.get("op")
        if op not in OPERATORS:
            problems.append(f"{path}: unknown operator {op!r} (use one of {', '.join(OPERATORS)})")
            return
        if op in PRESENCE:
            if "value" in node or "param" in node:
                problems.append(f"{path}: {op} compares with nothing; remove value/param")
            return
        if op in ORDERING and fact.type != FactType.INT:
            problems.append(f"{path}: operator {op} does not fit {name}, which is not a number")
            return
        if ("value" in node) == ("param" in node):
            problems.append(f"{path}: give exactly one of value or param")
            return
        if "param" in node:
            param = node["param"]
            if not isinstance(param, str) or param not in parameters:
                problems.append(
                    f"{path}: unknown parameter {param!r} "
                    f"(defined: {', '.join(sorted(parameters)) or 'none'})"
                )
                return
            compared, origin = parameters[param], f"parameter {param}"
        else:
            compared, origin = node["value"], "value"
        if not value_fits(fact, compared):
            problems.append(
                f"{path}: {origin} {compared!r} does not fit {name}, which takes "
                f"{_describe_type(fact)}"
            )

    visit(condition, "condition", 0)
    if clauses > MAX_CLAUSES:
        problems.append(f"condition: at most {MAX_CLAUSES} clauses")
    return problems


def facts_named(condition: Any) -> list[str]:
    """The facts a (valid) condition reads, in order of first use."""
    names: list[str] = []

    def visit(node: Any) -> None:
        for key in ("all", "any"):
            if key in node:
                for child in node[key]:
                    visit(child)
                return
        if node["fact"] not in names:
            names.append(node["fact"])

    visit(condition)
    return names


def compile_condition(
    condition: Mapping[str, Any], parameters: Mapping[str, Any]
) -> Callable[[Mapping[str, Any]], bool]:
    """A fast predicate for a (valid) condition: the same answer as `evaluate`, no trace.

    The engine asks every subject this first and calls `evaluate` only for the
    few where the heuristic fires, to record their evidence. Closures over the
    clause's parts, built from the data: nothing is parsed or executed as code.
    """
    if "all" in condition:
        children = [compile_condition(child, parameters) for child in condition["all"]]
        return lambda facts: all(child(facts) for child in children)
    if "any" in condition:
        children = [compile_condition(child, parameters) for child in condition["any"]]
        return lambda facts: any(child(facts) for child in children)
    name, op = condition["fact"], condition["op"]
    if op == "is_unknown":
        return lambda facts: facts[name] is None
    if op == "is_known":
        return lambda facts: facts[name] is not None
    param = condition.get("param")
    threshold = parameters[param] if param is not None else condition["value"]
    compare = COMPARISONS[op]

    def clause(facts: Mapping[str, Any]) -> bool:
        value = facts[name]
        return value is not None and compare(value, threshold)

    return clause


def evaluate(
    condition: Mapping[str, Any], facts: Mapping[str, Any], parameters: Mapping[str, Any]
) -> tuple[bool, tuple[ClauseResult, ...]]:
    """Whether the condition holds for these facts, and every clause compared.

    Every clause is evaluated, even once a group's outcome is settled, so the
    evidence shows the whole picture rather than whichever clause came first.
    """
    trace: list[ClauseResult] = []

    def visit(node: Mapping[str, Any]) -> bool:
        if "all" in node:
            return all([visit(child) for child in node["all"]])
        if "any" in node:
            return any([visit(child) for child in node["any"]])
        name, op = node["fact"], node["op"]
        value = facts[name]
        if op == "is_unknown":
            result = value is None
            trace.append(ClauseResult(name, value, op, result=result))
            return result
        if op == "is_known":
            result = value is not None
            trace.append(ClauseResult(name, value, op, result=result))
            return result
        param = node.get("param")
        threshold = parameters[param] if param is not None else node["value"]
        result = value is not None and COMPARISONS[op](value, threshold)
        trace.append(ClauseResult(name, value, op, threshold, param, result))
        return result

    return visit(condition), tuple(trace)
