"""How sure a verdict is: what would change it, and how near the heuristics that did not fire
came (DOMAIN.md, "what would change its verdict").

`what_would_change`: for every known fact a product heuristic reads, the nearest whole value
at which the verdict would differ, all other facts equal, and what it would become. A
verdict is a function of each fact that only changes where a clause on that fact changes,
so the values to try are the few around each threshold on the fact, nearest first: the
first that gives another verdict is the nearest such value there is.

`nearest_misses`: for a product where nothing fired, each verdict heuristic with what it
lacked ("squads 2 of 3", "pm backlog share 35%, split above 40%"), nearest first.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from advisor.engine.conditions import COMPARISONS
from advisor.engine.evaluation import HeuristicSpec
from advisor.engine.explanations import format_value
from advisor.engine.plan import verdict_of
from advisor.engine.values import is_number
from advisor.engine.vocabulary import KEEP, VERDICT_PRECEDENCE, Scope

# The least and most each product fact can be: every product serves at least one market
# and persona, a product manager serves at least one squad, a share is a percentage.
LOWEST: dict[str, int] = {"markets": 1, "personas": 1, "pm_squads": 1}
HIGHEST: dict[str, int] = {"pm_backlog_share": 100}
# How many nearest misses a product lists.
MOST_MISSES = 3


@dataclass(frozen=True)
class Change:
    """Set `fact` from `from_` to `to` and the verdict becomes `verdict`; `heuristic` decides
    the new verdict, or, when it is keep, is the one that ceased to fire."""

    fact: str
    from_: Any
    to: int
    verdict: str
    heuristic: str

    @property
    def close(self) -> bool:
        """One step from the threshold."""
        return abs(self.to - self.from_) <= 1

    def to_json(self) -> dict[str, Any]:
        return {
            "fact": self.fact,
            "from": self.from_,
            "to": self.to,
            "verdict": self.verdict,
            "heuristic": self.heuristic,
        }


def verdict_specs(heuristics: Sequence[HeuristicSpec]) -> list[HeuristicSpec]:
    """The (usable) product heuristics whose outcome is a verdict."""
    return [s for s in heuristics if s.scope == Scope.PRODUCT and s.outcome in VERDICT_PRECEDENCE]


def fired_specs(facts: Mapping[str, Any], specs: Sequence[HeuristicSpec]) -> list[HeuristicSpec]:
    fired = []
    for spec in specs:
        try:
            if spec.predicate(facts):
                fired.append(spec)
        except Exception:  # an error finding never sets a verdict
            continue
    return fired


def verdict_for(facts: Mapping[str, Any], specs: Sequence[HeuristicSpec]) -> str:
    """The verdict the verdict heuristics give these facts."""
    return verdict_of(s.outcome for s in fired_specs(facts, specs))


def _comparisons(
    condition: Mapping[str, Any], parameters: Mapping[str, Any], fact: str
) -> list[tuple[str, Any]]:
    """(operator, threshold) of each comparison of the fact with a number in the condition."""
    found = []

    def visit(node: Mapping[str, Any]) -> None:
        for key in ("all", "any"):
            if key in node:
                for child in node[key]:
                    visit(child)
                return
        if node["fact"] != fact or node["op"] in ("is_unknown", "is_known"):
            return
        value = parameters[node["param"]] if "param" in node else node["value"]
        if is_number(value):
            found.append((node["op"], value))

    visit(condition)
    return found


def _candidates(fact: str, value: Any, facts: Mapping[str, Any], thresholds: list) -> list[int]:
    lowest = LOWEST.get(fact, 0)
    if fact == "squads" and isinstance(facts.get("scrum_squads"), int):
        lowest = max(lowest, facts["scrum_squads"])
    highest = HIGHEST.get(fact)
    if fact == "scrum_squads" and isinstance(facts.get("squads"), int):
        highest = facts["squads"]
    values = {lowest}
    for t in thresholds:
        values.update(range(math.floor(t) - 1, math.ceil(t) + 2))
    if highest is not None:
        values.add(highest)
    return sorted(
        (v for v in values if v >= lowest and (highest is None or v <= highest) and v != value),
        key=lambda v: (abs(v - value), -v),
    )


class Sensitivity:
    """What would change a verdict, for one set of verdict heuristics: the facts they read,
    the thresholds on each and the heuristics reading each, worked out once; products with
    the same values of those facts share one answer.

    A trial value is evaluated only when it moves one of the fact's comparisons to a side
    not tried yet (the verdict depends on the value through those comparisons alone), and
    what the heuristics reading the fact make of such a trial is kept, for every product
    whose other facts they read are the same."""

    def __init__(self, specs: Sequence[HeuristicSpec]) -> None:
        self.specs = list(specs)
        self.read = tuple(dict.fromkeys(name for spec in specs for name in spec.facts_read))
        self.readers = {
            fact: [spec for spec in specs if fact in spec.facts_read] for fact in self.read
        }
        # (operator, threshold) of each comparison of each fact, its readers' in order.
        found = {
            fact: [
                pair
                for spec in self.readers[fact]
                for pair in _comparisons(spec.condition, spec.parameters, fact)
            ]
            for fact in self.read
        }
        self.thresholds = {fact: [t for _, t in pairs] for fact, pairs in found.items()}
        self.comparisons = {
            fact: [(COMPARISONS[op], t) for op, t in pairs] for fact, pairs in found.items()
        }
        self.context = {
            fact: tuple(
                name
                for name in dict.fromkeys(n for spec in self.readers[fact] for n in spec.facts_read)
                if name != fact
            )
            for fact in self.read
        }
        self.reader_codes = {
            fact: frozenset(spec.code for spec in readers) for fact, readers in self.readers.items()
        }
        self._known: dict[tuple, tuple[Change, ...]] = {}
        self._tried: dict[tuple, tuple[HeuristicSpec, ...]] = {}
        self._answers: dict[tuple, Change | None] = {}
        # Pure functions of their arguments, asked again and again across a large
        # organization's products: worked out once each.
        self._side_cache: dict[tuple[str, Any], tuple[bool, ...]] = {}
        self._candidate_cache: dict[tuple, list[int]] = {}

    def _sides(self, fact: str, value: Any) -> tuple[bool, ...]:
        key = (fact, value)
        sides = self._side_cache.get(key)
        if sides is None:
            sides = self._side_cache[key] = tuple(
                compare(value, threshold) for compare, threshold in self.comparisons[fact]
            )
        return sides

    def _candidates(self, fact: str, value: Any, facts: Mapping[str, Any]) -> list[int]:
        key = (fact, value, facts.get("squads"), facts.get("scrum_squads"))
        candidates = self._candidate_cache.get(key)
        if candidates is None:
            candidates = self._candidate_cache[key] = _candidates(
                fact, value, facts, self.thresholds[fact]
            )
        return candidates

    def changes(self, facts: Mapping[str, Any]) -> tuple[Change, ...]:
        key = tuple(facts.get(name) for name in self.read)
        known = self._known.get(key)
        if known is None:
            known = self._known[key] = self._changes(facts)
        return known

    def _changes(self, facts: Mapping[str, Any]) -> tuple[Change, ...]:
        before = fired_specs(facts, self.specs)
        verdict = verdict_of(s.outcome for s in before)
        changes = []
        for fact in self.read:
            value = facts.get(fact)
            if not is_number(value):
                continue
            reader_codes = self.reader_codes[fact]
            others = tuple(s for s in before if s.code not in reader_codes)
            context = tuple(facts.get(name) for name in self.context[fact])
            # Everything the answer for this fact depends on: its value, the other facts its
            # heuristics read, what the other heuristics make of the product, the bounds.
            key = (
                fact,
                value,
                context,
                tuple(s.code for s in others),
                facts.get("squads"),
                facts.get("scrum_squads"),
            )
            if key not in self._answers:
                self._answers[key] = self._nearest(fact, value, facts, before, others, verdict)
            change = self._answers[key]
            if change is not None:
                changes.append(change)
        return tuple(changes)

    def _nearest(
        self,
        fact: str,
        value: Any,
        facts: Mapping[str, Any],
        before: Sequence[HeuristicSpec],
        others: Sequence[HeuristicSpec],
        verdict: str,
    ) -> Change | None:
        readers = self.readers[fact]
        context = tuple(facts.get(name) for name in self.context[fact])
        tried = {self._sides(fact, value)}
        trial = dict(facts)
        for candidate in self._candidates(fact, value, facts):
            sides = self._sides(fact, candidate)
            if sides in tried:
                continue
            tried.add(sides)
            key = (fact, sides, context)
            now = self._tried.get(key)
            if now is None:
                trial[fact] = candidate
                now = self._tried[key] = tuple(fired_specs(trial, readers))
            new = verdict_of(s.outcome for s in (*others, *now))
            if new == verdict:
                continue
            if new == KEEP:
                still = {s.code for s in now}
                decider = next(s for s in before if s.code not in still)
            else:
                after = {s.code for s in (*others, *now)}
                decider = next(s for s in self.specs if s.code in after and s.outcome == new)
            return Change(fact, value, candidate, new, decider.code)
        return None


def what_would_change(
    facts: Mapping[str, Any], specs: Sequence[HeuristicSpec]
) -> tuple[Change, ...]:
    """For each known fact the verdict heuristics read, the nearest whole value that changes
    the verdict, all other facts equal (`specs`: the verdict heuristics, verdict_specs)."""
    return Sensitivity(specs).changes(facts)


# --- Words ------------------------------------------------------------------

_COUNT_NOUNS: dict[str, tuple[str, str]] = {
    "squads": ("squad", "squads"),
    "scrum_squads": ("Scrum squad", "Scrum squads"),
    "engineers": ("engineer", "engineers"),
    "markets": ("market", "markets"),
    "personas": ("persona", "personas"),
    "reviews_cancelled": ("roadmap review cancelled", "roadmap reviews cancelled"),
    "product_managers": ("product manager", "product managers"),
    "product_owners": ("product owner", "product owners"),
    "roadmap_owners": ("roadmap owner", "roadmap owners"),
}
_STATES: dict[str, str] = {
    "roadmap_age_days": "the roadmap is {} days old",
    "interview_age_days": "the last customer interview was {} days ago",
    "pm_squads": "its busiest product manager serves {} squad(s)",
    "pm_backlog_share": "its product manager's backlog share is {}",
    "merged_backlog_share": "with the product owners' backlog work one product manager "
    "would carry {}",
}
_VERDICT_WORDS = {
    "split": "split",
    "merge": "merge",
    "pm_only": "PM only",
    "keep": "keep (nothing would fire)",
}


def change_in_words(change: Mapping[str, Any]) -> str:
    """A what_would_change entry (as JSON) in words: "with 3 squads this would be split";
    "the roadmap is 85 days old: at 91 this becomes split"."""
    fact, to = change["fact"], change["to"]
    verdict = _VERDICT_WORDS.get(change["verdict"], change["verdict"])
    if fact in _COUNT_NOUNS:
        one, many = _COUNT_NOUNS[fact]
        return f"with {to} {one if to == 1 else many} this would be {verdict}"
    state = _STATES.get(fact, fact.replace("_", " ") + " is {}")
    if fact == "pm_squads":
        state = state.replace("squad(s)", "squad" if change["from"] == 1 else "squads")
    return (
        f"{state.format(format_value(fact, change['from']))}: at {format_value(fact, to)} "
        f"this becomes {verdict}"
    )


def _need(node: Mapping[str, Any], facts: Mapping[str, Any], params: Mapping[str, Any]):
    """(cost, clauses to change) to make the node hold, or None when numbers cannot."""
    for key in ("all", "any"):
        if key in node:
            parts = [_need(child, facts, params) for child in node[key]]
            if key == "all":
                if any(p is None for p in parts):
                    return None
                return (sum(p[0] for p in parts), [c for p in parts for c in p[1]])
            possible = [p for p in parts if p is not None]
            return min(possible, key=lambda p: (len(p[1]), p[0]), default=None)
    fact, op = node["fact"], node["op"]
    value = facts.get(fact)
    if op == "is_unknown":
        return (0.0, []) if value is None else None
    if op == "is_known":
        return (0.0, []) if value is not None else None
    if value is None or not is_number(value):
        return None
    threshold = params[node["param"]] if "param" in node else node["value"]
    if not is_number(threshold):
        return None
    target = {
        ">=": math.ceil(threshold),
        ">": math.floor(threshold) + 1,
        "<=": math.floor(threshold),
        "<": math.ceil(threshold) - 1,
        "==": threshold,
        "!=": value + 1,
    }[op]
    if COMPARISONS[op](value, threshold):
        return (0.0, [])
    cost = abs(target - value) / max(abs(threshold), 1)
    return (cost, [(fact, op, value, threshold)])


def _miss_in_words(outcome: str, fact: str, op: str, value: Any, threshold: Any) -> str:
    name = fact.replace("_", " ")
    shown, limit = format_value(fact, value), format_value(fact, threshold)
    verdict = _VERDICT_WORDS.get(outcome, outcome)
    return {
        ">=": f"{name} {shown} of {limit}",
        ">": f"{name} {shown}, {verdict} above {limit}",
        "<": f"{name} {shown}, {verdict} below {limit}",
        "<=": f"{name} {shown}, {verdict} at {limit} or less",
        "==": f"{name} {shown}, {verdict} at {limit}",
        "!=": f"{name} {shown}, {verdict} at any other value",
    }[op]


def nearest_misses(
    facts: Mapping[str, Any], specs: Sequence[HeuristicSpec], *, most: int = MOST_MISSES
) -> tuple[str, ...]:
    """For each verdict heuristic that did not fire, what it lacked, nearest first:
    "Three or more squads: squads 2 of 3"."""
    misses = []
    for spec in specs:
        need = _need(spec.condition, facts, spec.parameters)
        if need is None or not need[1]:
            continue
        cost, clauses = need
        words = "; ".join(_miss_in_words(spec.outcome, *clause) for clause in clauses)
        misses.append((len(clauses), cost, f"{spec.name or spec.code}: {words}"))
    misses.sort(key=lambda m: (m[0], m[1]))
    return tuple(text for _, _, text in misses[:most])
