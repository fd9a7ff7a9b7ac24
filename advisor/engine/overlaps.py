"""Where heuristics with opposite outcomes meet: split and merge on the same line.

Two heuristics with opposite outcomes (split and merge) may both fire on a product for
different reasons (a stale roadmap splits a product small enough to merge: the verdict
ranks them). What must not happen is both firing on the same facts: a product told to
split and to merge on the same threshold ("A parameter name means one thing",
DOMAIN.md). `opposing_overlaps` finds, for each pair of such heuristics, the facts both
constrain and values of them on which both fire.

A condition is read as alternatives (its disjunctive form, at most MAX_ALTERNATIVES of
them): each alternative is clauses that must all hold. Two alternatives meet where, fact
by fact, one value satisfies every clause of both; the values tried are the thresholds
compared with, a step either side, and unknown. Only alternatives that constrain a fact
in common count: on disjoint facts the two heuristics answer different questions.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from advisor.engine.conditions import COMPARISONS
from advisor.engine.evaluation import HeuristicSpec
from advisor.engine.facts import CATALOGUE, ENUM_VALUES, FactType

# Outcome pairs that contradict each other about one product.
OPPOSITES: tuple[tuple[str, str], ...] = (("split", "merge"),)
# A condition whose disjunctive form grows past this is not examined (no warning).
MAX_ALTERNATIVES = 256

Clause = Mapping[str, Any]


@dataclass(frozen=True)
class Overlap:
    """Two heuristics with opposite outcomes that both fire where `facts` hold."""

    first: str
    first_outcome: str
    second: str
    second_outcome: str
    facts: tuple[tuple[str, Any], ...]

    def __str__(self) -> str:
        where = ", ".join(f"{name} {_shown(value)}" for name, value in self.facts)
        return (
            f"{self.first} ({self.first_outcome}) and {self.second} ({self.second_outcome}) "
            f"both fire where {where}"
        )


def _shown(value: Any) -> str:
    if value is None:
        return "is unknown"
    if isinstance(value, bool):
        return "is yes" if value else "is no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"is {value}"


def alternatives(condition: Mapping[str, Any]) -> list[list[Clause]] | None:
    """The condition as alternatives of clauses that must all hold, or None when there
    would be more than MAX_ALTERNATIVES (a valid condition only)."""
    if "all" in condition:
        combined: list[list[Clause]] = [[]]
        for child in condition["all"]:
            options = alternatives(child)
            if options is None or len(combined) * len(options) > MAX_ALTERNATIVES:
                return None
            combined = [a + b for a in combined for b in options]
        return combined
    if "any" in condition:
        found: list[list[Clause]] = []
        for child in condition["any"]:
            options = alternatives(child)
            if options is None or len(found) + len(options) > MAX_ALTERNATIVES:
                return None
            found.extend(options)
        return found
    return [[condition]]


def _holds(clause: Clause, value: Any, parameters: Mapping[str, Any]) -> bool:
    op = clause["op"]
    if op == "is_unknown":
        return value is None
    if op == "is_known":
        return value is not None
    if value is None:
        return False
    threshold = parameters[clause["param"]] if "param" in clause else clause["value"]
    try:
        return COMPARISONS[op](value, threshold)
    except TypeError:
        return False


def _candidates(fact_type: FactType, thresholds: list[Any]) -> list[Any]:
    if fact_type == FactType.BOOL:
        return [True, False, None]
    if fact_type != FactType.INT:
        return [*ENUM_VALUES[fact_type], None]
    values: list[Any] = []
    for t in thresholds:
        for v in (t, t - 1, t + 1, t - 0.5, t + 0.5):
            if v not in values:
                values.append(v)
    return [*(values or [0]), None]


def _meeting(
    first: list[Clause],
    first_params: Mapping[str, Any],
    second: list[Clause],
    second_params: Mapping[str, Any],
    facts: Mapping[str, Any],
) -> tuple[tuple[str, Any], ...] | None:
    """Values of the facts both alternatives constrain on which both hold; None if they
    share no fact or cannot both hold."""
    shared = [
        name
        for name in dict.fromkeys(c["fact"] for c in first)
        if name in {c["fact"] for c in second}
    ]
    if not shared:
        return None
    meeting = []
    for name in dict.fromkeys(c["fact"] for c in first + second):
        mine = [(c, first_params) for c in first if c["fact"] == name]
        mine += [(c, second_params) for c in second if c["fact"] == name]
        thresholds = [
            params[c["param"]] if "param" in c else c["value"]
            for c, params in mine
            if c["op"] in COMPARISONS
        ]
        found = next(
            (
                v
                for v in _candidates(facts[name].type, thresholds)
                if all(_holds(c, v, params) for c, params in mine)
            ),
            _NONE,
        )
        if found is _NONE:
            return None
        if name in shared:
            meeting.append((name, found))
    return tuple(meeting)


_NONE = object()


def opposing_overlaps(
    specs: Sequence[HeuristicSpec], *, involving: str | None = None
) -> list[Overlap]:
    """Each pair of enabled heuristics of one scope with opposite outcomes that fire on the
    same facts, with one meeting point; only pairs with `involving` when given. The specs
    must be valid (`heuristic_problems` empty)."""
    found = []
    for one, other in OPPOSITES:
        for a in specs:
            if not a.enabled or a.shadow or a.outcome != one:
                continue
            for b in specs:
                if not b.enabled or b.shadow or b.outcome != other or b.scope != a.scope:
                    continue
                if involving is not None and involving not in (a.code, b.code):
                    continue
                overlap = _pair_overlap(a, b)
                if overlap is not None:
                    found.append(overlap)
    return found


def _pair_overlap(a: HeuristicSpec, b: HeuristicSpec) -> Overlap | None:
    first, second = alternatives(a.condition), alternatives(b.condition)
    if first is None or second is None:
        return None
    facts = CATALOGUE[a.scope]
    for x in first:
        for y in second:
            meeting = _meeting(x, a.parameters, y, b.parameters, facts)
            if meeting is not None:
                return Overlap(a.code, a.outcome, b.code, b.outcome, meeting)
    return None
