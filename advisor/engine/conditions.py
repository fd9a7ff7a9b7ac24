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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from advisor.engine.facts import CATALOGUE, ENUM_VALUES, Fact, FactType
from advisor.engine.values import describe, described_names, is_number, number_problem
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
# Past this many, a condition's problems are not all listed: the message stays small.
MAX_PROBLEMS = 20


@dataclass(frozen=True)
class ClauseResult:
    """One comparison the evaluator made: the evidence of a finding."""

    fact: str
    value: Any
    op: str
    threshold: Any = None
    param: str | None = None
    result: bool = False
    # The groups the clause sits in, outermost first: ("all", 3) is the fourth member of an
    # `all` group. Empty for a condition that is a single clause.
    path: tuple[tuple[str, int], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "fact": self.fact,
            "value": self.value,
            "op": self.op,
            "threshold": self.threshold,
            "param": self.param,
            "result": self.result,
            "path": [list(step) for step in self.path],
        }


class ConditionError(Exception):
    """A condition that fails validation; `problems` are `path: message` strings."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def value_fits(fact: Fact, value: Any) -> bool:
    """Whether a literal or parameter value can be compared with the fact."""
    if fact.type == FactType.INT:
        return is_number(value)
    if fact.type == FactType.BOOL:
        return isinstance(value, bool)
    return isinstance(value, str) and value in ENUM_VALUES[fact.type]


def _describe_type(fact: Fact) -> str:
    if fact.type == FactType.INT:
        return "a number"
    if fact.type == FactType.BOOL:
        return "true or false"
    return "one of " + ", ".join(ENUM_VALUES[fact.type])


def known_scope(scope: Any) -> Scope | None:
    """The scope a stored value names, or None: any value, never an exception."""
    if isinstance(scope, str) and scope in Scope._value2member_map_:
        return Scope(scope)
    return None


def validate_condition(condition: Any, *, scope: Any, parameters: Any) -> list[str]:
    """Every problem of a condition, each as `path: message`; empty when it is valid.

    Any JSON value may come in (a row written behind validation, an admin's typing):
    the walk is iterative and stops at MAX_DEPTH, at MAX_CLAUSES and after
    MAX_PROBLEMS messages, and each message describes values in bounded words, so
    neither the time nor the messages grow with a hostile condition.
    """
    checked_scope = known_scope(scope)
    if checked_scope is None:
        return [f"condition: no facts for the unknown scope {describe(scope)}"]
    facts = CATALOGUE[checked_scope]
    if not isinstance(parameters, Mapping):
        parameters = {}
    problems: list[str] = []
    clauses = 0
    # Each entry: the children still to visit at one depth, as (node, path) pairs.
    pending: list[tuple[Iterator[tuple[Any, str]], int]] = [(iter([(condition, "condition")]), 0)]
    while pending:
        if len(problems) >= MAX_PROBLEMS:
            problems.append("condition: more problems not listed; fix these first")
            break
        children, depth = pending[-1]
        step = next(children, None)
        if step is None:
            pending.pop()
            continue
        node, path = step
        if not isinstance(node, dict):
            problems.append(f"{path}: must be an object (an all/any group or a clause)")
            continue
        groups = [key for key in ("all", "any") if key in node]
        if groups:
            if len(node) != 1:
                problems.append(f"{path}: a group has exactly one key, all or any")
                continue
            key = groups[0]
            members = node[key]
            if depth >= MAX_DEPTH:
                problems.append(f"{path}: groups nest at most {MAX_DEPTH} deep")
                continue
            if not isinstance(members, list) or not members:
                problems.append(f"{path}.{key}: must be a non-empty list")
                continue
            pending.append((_numbered(members, f"{path}.{key}"), depth + 1))
            continue
        clauses += 1
        if clauses > MAX_CLAUSES:
            problems.append(f"condition: at most {MAX_CLAUSES} clauses")
            break
        problem = _clause_problem(node, facts, checked_scope, parameters)
        if problem:
            problems.append(f"{path}: {problem}")
    return problems


def _numbered(members: list, prefix: str) -> Iterator[tuple[Any, str]]:
    return ((child, f"{prefix}[{i}]") for i, child in enumerate(members))


def _clause_problem(
    node: dict, facts: Mapping[str, Fact], scope: Scope, parameters: Mapping[Any, Any]
) -> str | None:
    unknown_keys = [key for key in node if key not in ("fact", "op", "value", "param")]
    if unknown_keys:
        return f"unknown keys {described_names(sorted(unknown_keys, key=describe))}"
    name = node.get("fact")
    fact = facts.get(name) if isinstance(name, str) else None
    if fact is None:
        return (
            f"unknown fact {describe(name)} for {scope} heuristics "
            f"(known: {', '.join(sorted(facts))})"
        )
    op = node.get("op")
    if not isinstance(op, str) or op not in OPERATORS:
        return f"unknown operator {describe(op)} (use one of {', '.join(OPERATORS)})"
    if op in PRESENCE:
        if "value" in node or "param" in node:
            return f"{op} compares with nothing; remove value/param"
        return None
    if op in ORDERING and fact.type != FactType.INT:
        return f"operator {op} does not fit {name}, which is not a number"
    if ("value" in node) == ("param" in node):
        return "give exactly one of value or param"
    if "param" in node:
        param = node["param"]
        if not isinstance(param, str) or param not in parameters:
            defined = described_names(sorted(p for p in parameters if isinstance(p, str)))
            return f"unknown parameter {describe(param)} (defined: {defined or 'none'})"
        compared, origin = parameters[param], f"parameter {param}"
    else:
        compared, origin = node["value"], "value"
    if not value_fits(fact, compared):
        return (
            f"{origin} {describe(compared)} does not fit {name}, which takes {_describe_type(fact)}"
        )
    if is_number(compared):
        problem = number_problem(compared)
        if problem:
            return f"{origin} {problem}"
    return None


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


def params_named(condition: Any) -> list[str]:
    """The parameter names any condition reads, valid or not, in order of first use: an
    iterative walk that stops after MAX_CLAUSES * 4 nodes, so a hostile stored condition
    costs little and never raises."""
    names: list[str] = []
    pending = [condition]
    visited = 0
    while pending and visited < MAX_CLAUSES * 4:
        node = pending.pop()
        visited += 1
        if not isinstance(node, dict):
            continue
        group = node.get("all", node.get("any"))
        if isinstance(group, list):
            pending.extend(reversed(group))
            continue
        param = node.get("param")
        if isinstance(param, str) and param not in names:
            names.append(param)
    return names


Predicate = Callable[[Mapping[str, Any]], bool]


def compile_condition(condition: Mapping[str, Any], parameters: Mapping[str, Any]) -> Predicate:
    """A fast predicate for a (valid) condition: the same answer as `evaluate`, no trace.

    The engine asks every subject this first and calls `evaluate` only for the
    few where the heuristic fires, to record their evidence; a heuristic compiles
    its condition once (`HeuristicSpec.predicate`), so once per ruleset version.
    Closures over the clause's parts, built from the data: nothing is parsed or
    executed as code. A group of one or two members calls them directly, and each
    operator has a clause of its own, so a subject costs a call or two per clause.
    """
    if "all" in condition or "any" in condition:
        every = "all" in condition
        children = [
            compile_condition(child, parameters) for child in condition["all" if every else "any"]
        ]
        return _group(children, every=every)
    name, op = condition["fact"], condition["op"]
    if op in PRESENCE:
        return _PRESENCE_CLAUSES[op](name)
    param = condition.get("param")
    threshold = parameters[param] if param is not None else condition["value"]
    return _COMPARISON_CLAUSES[op](name, threshold)


def _group(children: list[Predicate], *, every: bool) -> Predicate:
    if len(children) == 1:
        return children[0]
    if len(children) == 2:
        first, second = children
        if every:
            return lambda facts: first(facts) and second(facts)
        return lambda facts: first(facts) or second(facts)
    if every:
        return lambda facts: all(child(facts) for child in children)
    return lambda facts: any(child(facts) for child in children)


# One clause maker per operator: a clause on an unknown value is false.
_PRESENCE_CLAUSES: dict[str, Callable[[str], Predicate]] = {
    "is_unknown": lambda name: lambda facts: facts[name] is None,
    "is_known": lambda name: lambda facts: facts[name] is not None,
}
_COMPARISON_CLAUSES: dict[str, Callable[[str, Any], Predicate]] = {
    "==": lambda name, t: lambda facts: (v := facts[name]) is not None and v == t,
    "!=": lambda name, t: lambda facts: (v := facts[name]) is not None and v != t,
    "<": lambda name, t: lambda facts: (v := facts[name]) is not None and v < t,
    "<=": lambda name, t: lambda facts: (v := facts[name]) is not None and v <= t,
    ">": lambda name, t: lambda facts: (v := facts[name]) is not None and v > t,
    ">=": lambda name, t: lambda facts: (v := facts[name]) is not None and v >= t,
}


Selection = Callable[[Sequence[Mapping[str, Any]]], list[Mapping[str, Any]]]


def compile_selection(condition: Mapping[str, Any], parameters: Mapping[str, Any]) -> Selection:
    """The compiled condition over many subjects at once: of a list of facts, those it holds
    for, in order. The same answer as `compile_condition` (and `evaluate`) for each one,
    asking each clause of the same subjects as it would.

    Each clause is one list comprehension over the subjects still in question, so a
    subject costs no function call at all: an `all` group asks each member of the subjects
    the previous ones kept, an `any` group of those none has taken yet. A heuristic of a
    large organization fires on few of thousands of people; their first clause
    (role == product_manager) leaves the second one a handful to look at.
    """
    if "all" in condition or "any" in condition:
        every = "all" in condition
        children = [
            compile_selection(child, parameters) for child in condition["all" if every else "any"]
        ]
        if len(children) == 1:
            return children[0]
        return _select_all(children) if every else _select_any(children)
    name, op = condition["fact"], condition["op"]
    if op in PRESENCE:
        return _PRESENCE_SELECTIONS[op](name)
    param = condition.get("param")
    threshold = parameters[param] if param is not None else condition["value"]
    return _COMPARISON_SELECTIONS[op](name, threshold)


def _select_all(children: list[Selection]) -> Selection:
    first, rest = children[0], children[1:]

    def select(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        kept = first(rows)
        for child in rest:
            if not kept:
                break
            kept = child(kept)
        return kept

    return select


def _select_any(children: list[Selection]) -> Selection:
    def select(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        # Taken by identity: each row is one subject's facts, whatever their values.
        taken: set[int] = set()
        left = rows
        for child in children:
            hits = child(left)
            if hits:
                taken.update(map(id, hits))
                left = [row for row in left if id(row) not in taken]
                if not left:
                    break
        return [row for row in rows if id(row) in taken] if taken else []

    return select


# One selection maker per operator, each the comprehension of its clause above.
_PRESENCE_SELECTIONS: dict[str, Callable[[str], Selection]] = {
    "is_unknown": lambda name: lambda rows: [r for r in rows if r[name] is None],
    "is_known": lambda name: lambda rows: [r for r in rows if r[name] is not None],
}
_COMPARISON_SELECTIONS: dict[str, Callable[[str, Any], Selection]] = {
    "==": lambda name, t: lambda rows: [r for r in rows if (v := r[name]) is not None and v == t],
    "!=": lambda name, t: lambda rows: [r for r in rows if (v := r[name]) is not None and v != t],
    "<": lambda name, t: lambda rows: [r for r in rows if (v := r[name]) is not None and v < t],
    "<=": lambda name, t: lambda rows: [r for r in rows if (v := r[name]) is not None and v <= t],
    ">": lambda name, t: lambda rows: [r for r in rows if (v := r[name]) is not None and v > t],
    ">=": lambda name, t: lambda rows: [r for r in rows if (v := r[name]) is not None and v >= t],
}


def evaluate(
    condition: Mapping[str, Any], facts: Mapping[str, Any], parameters: Mapping[str, Any]
) -> tuple[bool, tuple[ClauseResult, ...]]:
    """Whether the condition holds for these facts, and every clause compared.

    Every clause is evaluated, even once a group's outcome is settled, so the
    evidence shows the whole picture rather than whichever clause came first.
    """
    trace: list[ClauseResult] = []

    def visit(node: Mapping[str, Any], path: tuple[tuple[str, int], ...]) -> bool:
        for key, combine in (("all", all), ("any", any)):
            if key in node:
                return combine(
                    [visit(child, (*path, (key, i))) for i, child in enumerate(node[key])]
                )
        name, op = node["fact"], node["op"]
        value = facts[name]
        if op == "is_unknown":
            result = value is None
            trace.append(ClauseResult(name, value, op, result=result, path=path))
            return result
        if op == "is_known":
            result = value is not None
            trace.append(ClauseResult(name, value, op, result=result, path=path))
            return result
        param = node.get("param")
        threshold = parameters[param] if param is not None else node["value"]
        result = value is not None and COMPARISONS[op](value, threshold)
        trace.append(ClauseResult(name, value, op, threshold, param, result, path))
        return result

    return visit(condition, ()), tuple(trace)
