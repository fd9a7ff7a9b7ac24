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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
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
# The fact that bounds another's trial values: a product has no more Scrum squads than squads.
BOUNDED_BY: dict[str, str] = {"squads": "scrum_squads", "scrum_squads": "squads"}
# How many nearest misses a product lists.
MOST_MISSES = 3
# An answer not worked out yet (None is an answer: nothing changes the verdict).
_NOT_YET = object()
# A fact a product lacks, told apart from one it has as None: a heuristic reading it fails.
_ABSENT = object()


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


@dataclass(slots=True)
class _Slot:
    """One numeric fact of the products in one situation (`Sensitivity._situation`): what
    its answer depends on besides its own value and bound, and the answers by those."""

    at: int  # the fact's place in Sensitivity.read
    fact: str
    bound: str | None  # the fact bounding its trial values (BOUNDED_BY), if any
    context: tuple  # what the heuristics see of the other facts its readers read
    before: int  # the heuristics that fire
    others: int  # those of them that do not read the fact
    verdict: str
    # By the fact's value, or (value, value of `bound`): its nearest change, if any.
    answers: dict[Any, Change | None]


class _Trials:
    """The candidates worth trying for one fact, value and bound, nearest first, each with
    its sides (`Sensitivity._trials`): a candidate's sides cost a comparison with every
    threshold on the fact, so they are worked out only as far as a search goes, never for
    all the candidates at once (an admin's fifty thresholds on one fact would make that
    quadratic), and kept for every later search of the same value."""

    __slots__ = ("_candidates", "_made", "_sides_of", "_tried")

    def __init__(
        self, candidates: list[int], sides_of: Callable[[Any], tuple[bool, ...]], own: tuple
    ) -> None:
        self._candidates = iter(candidates)
        self._sides_of = sides_of
        self._tried = {own}
        self._made: list[tuple[int, tuple[bool, ...]]] = []

    def __iter__(self) -> Iterator[tuple[int, tuple[bool, ...]]]:
        made = self._made
        i = 0
        while True:
            if i < len(made):
                yield made[i]
                i += 1
                continue
            for candidate in self._candidates:
                sides = self._sides_of(candidate)
                if sides not in self._tried:
                    self._tried.add(sides)
                    made.append((candidate, sides))
                    break
            else:
                return


class Sensitivity:
    """What would change a verdict, for one set of verdict heuristics: the facts they read,
    the thresholds on each and the heuristics reading each, worked out once; products in the
    same situation share the work.

    A heuristic sees a number only through its comparisons with numeric thresholds (a
    comparison with anything else, and a presence test, come out the same for every
    number), so what the heuristics make of a product is fixed by what they see of each
    fact: a number's sides, where it falls on each comparison on its fact (`_sides`), and
    anything else as it is. Hence:

    - products that look the same to the heuristics are in one situation: the same
      heuristics fire, and for each fact, the same context and other heuristics
      (`_situation`, worked out once per situation);
    - a trial value is evaluated only when it moves one of the fact's comparisons to a side
      not tried yet (`_trials`), and what the heuristics reading the fact make of it is
      kept for every product whose other facts they read look the same (`_tried`);
    - the answer for a fact is shared by every product with the same value of it, the same
      bound on its trial values and the same view of everything else its answer depends on
      (`_Slot.answers`).

    At 1,000 squads the products differ in their backlog shares, ages and counts far more
    than in their sides (250 products, 18 situations): a product mostly costs a look-up
    per fact.

    A set of heuristics (those that fire, those reading a fact) is an int with bit `1 << i`
    for `specs[i]`: cheap to combine and to key a cache with."""

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
        self._bits = [(1 << i, spec) for i, spec in enumerate(self.specs)]
        self._reader_bits = {
            fact: [(bit, spec) for bit, spec in self._bits if fact in spec.facts_read]
            for fact in self.read
        }
        # The heuristics that are not "others" to a fact: its readers, and any heuristic
        # sharing a reader's code.
        self._not_others = {
            fact: sum(
                bit
                for bit, spec in self._bits
                if spec.code in {reader.code for reader in self.readers[fact]}
            )
            for fact in self.read
        }
        at = {name: i for i, name in enumerate(self.read)}
        self._context_at = {
            fact: tuple(at[name] for name in self.context[fact]) for fact in self.read
        }
        # What an answer depends on: the facts the heuristics read, then those bounding
        # their trial values.
        bounds = (BOUNDED_BY[fact] for fact in self.read if fact in BOUNDED_BY)
        self._depends_on = tuple(dict.fromkeys((*self.read, *bounds)))
        self._known: dict[tuple, tuple[Change, ...]] = {}
        self._situations: dict[tuple, list[_Slot]] = {}
        self._answers: dict[tuple, dict[Any, Change | None]] = {}
        self._tried: dict[tuple, int] = {}
        self._verdicts: dict[int, str] = {}
        # Pure functions of their arguments, asked again and again across a large
        # organization's products: worked out once each. `_views[i]`: what the heuristics
        # see of each value of fact `read[i]`.
        self._views: tuple[dict[Any, Any], ...] = tuple({} for _ in self.read)
        self._side_cache: dict[tuple[str, Any], tuple[bool, ...]] = {}
        self._trial_cache: dict[tuple, _Trials] = {}

    def _sides(self, fact: str, value: Any) -> tuple[bool, ...]:
        """Where a number falls on each comparison on the fact."""
        key = (fact, value)
        sides = self._side_cache.get(key)
        if sides is None:
            sides = self._side_cache[key] = tuple(
                compare(value, threshold) for compare, threshold in self.comparisons[fact]
            )
        return sides

    def _view(self, at: int, value: Any) -> Any:
        """What the heuristics see of a value of fact `read[at]`: a number's sides, anything
        else (None, a text, yes or no: never a tuple) as it is."""
        views = self._views[at]
        if value not in views:
            views[value] = self._sides(self.read[at], value) if is_number(value) else value
        return views[value]

    def _trials(self, fact: str, value: Any, facts: Mapping[str, Any]) -> _Trials:
        """(candidate, its sides) of the candidates worth trying, nearest first: each the
        nearest on sides other than the value's, the only ones that can give another verdict.
        Worked out only as far as they are asked for (a search mostly stops at the first),
        and kept for the next product with the same value and bound."""
        bound = BOUNDED_BY.get(fact)
        key = (fact, value, facts.get(bound) if bound else None)
        trials = self._trial_cache.get(key)
        if trials is None:
            trials = self._trial_cache[key] = _Trials(
                _candidates(fact, value, facts, self.thresholds[fact]),
                partial(self._sides, fact),
                self._sides(fact, value),
            )
        return trials

    def _specs(self, fired: int) -> list[HeuristicSpec]:
        return [spec for bit, spec in self._bits if fired & bit]

    def _verdict(self, fired: int) -> str:
        verdict = self._verdicts.get(fired)
        if verdict is None:
            verdict = self._verdicts[fired] = verdict_of(s.outcome for s in self._specs(fired))
        return verdict

    @staticmethod
    def _fired(facts: Mapping[str, Any], specs: Sequence[tuple[int, HeuristicSpec]]) -> int:
        """The specs that fire on these facts, as bits (fired_specs)."""
        fired = 0
        for bit, spec in specs:
            try:
                if spec.predicate(facts):
                    fired |= bit
            except Exception:  # an error finding never sets a verdict
                continue
        return fired

    def changes(self, facts: Mapping[str, Any]) -> tuple[Change, ...]:
        values = tuple(facts.get(name, _ABSENT) for name in self._depends_on)
        known = self._known.get(values)
        if known is None:
            known = self._known[values] = self._changes(facts, values)
        return known

    def _changes(self, facts: Mapping[str, Any], values: tuple) -> tuple[Change, ...]:
        # What the heuristics see of the facts they read (`map` stops at the end of `read`).
        seen = tuple(map(self._view, range(len(self.read)), values))
        situation = self._situations.get(seen)
        if situation is None:
            situation = self._situations[seen] = self._situation(facts, values, seen)
        changes = []
        for slot in situation:
            value = values[slot.at]
            key = value if slot.bound is None else (value, facts.get(slot.bound))
            change = slot.answers.get(key, _NOT_YET)
            if change is _NOT_YET:
                change = slot.answers[key] = self._nearest(slot, value, facts)
            if change is not None:
                changes.append(change)
        return tuple(changes)

    def _situation(self, facts: Mapping[str, Any], values: tuple, seen: tuple) -> list[_Slot]:
        """A slot for each numeric fact of the products that look like these facts."""
        before = self._fired(facts, self._bits)
        verdict = self._verdict(before)
        slots = []
        # `values` goes on with the facts bounding trial values: only the read ones here.
        for at, (fact, value) in enumerate(zip(self.read, values, strict=False)):
            if not is_number(value):
                continue
            context = tuple(seen[i] for i in self._context_at[fact])
            others = before & ~self._not_others[fact]
            # Products in other situations may share the answers for this fact: besides its
            # value and bound, those depend only on what its readers see and what fires.
            answers = self._answers.setdefault((fact, context, before), {})
            bound = BOUNDED_BY.get(fact)
            slots.append(_Slot(at, fact, bound, context, before, others, verdict, answers))
        return slots

    def _nearest(self, slot: _Slot, value: Any, facts: Mapping[str, Any]) -> Change | None:
        fact = slot.fact
        for candidate, sides in self._trials(fact, value, facts):
            key = (fact, sides, slot.context)
            now = self._tried.get(key)
            if now is None:
                trial = {**facts, fact: candidate}
                now = self._tried[key] = self._fired(trial, self._reader_bits[fact])
            new = self._verdict(slot.others | now)
            if new == slot.verdict:
                continue
            if new == KEEP:
                still = {s.code for s in self._specs(now)}
                decider = next(s for s in self._specs(slot.before) if s.code not in still)
            else:
                after = {s.code for s in self._specs(slot.others | now)}
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
