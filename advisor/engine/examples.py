"""A heuristic's examples: fact sets with whether it must fire on them.

    {"facts": {"squads": {"param": "min_squads", "offset": -1}, "pm_squads": 1},
     "fires": false}

A fact of an example is a literal value (a number, true/false, a role or
methodology name, or null for unknown), or a parameter plus an offset, so that
the examples at and just past a threshold move with it while a literal example
pins behaviour that must hold whatever the threshold. Facts an example leaves
out are unknown. An optional `note` says what the example is about.

`example_problems` says, for each example, what is wrong with it or what the
heuristic gave instead, by path (`examples[1]`); the admin refuses an edit that
breaks one, and so does the ruleset import. Any JSON value may come in: the
walk is bounded and never raises.
"""

from collections.abc import Mapping
from typing import Any

from advisor.engine.conditions import evaluate, value_fits
from advisor.engine.evaluation import HeuristicSpec, heuristic_problems
from advisor.engine.explanations import format_value
from advisor.engine.facts import CATALOGUE
from advisor.engine.values import describe, is_number, number_problem, text_problem

MAX_EXAMPLES = 20
MAX_NOTE = 200
EXAMPLE_KEYS = ("facts", "fires", "note")


def at(param: str, offset: int | float = 0) -> dict[str, Any]:
    """A fact of an example: the parameter's value plus an offset."""
    return {"param": param, "offset": offset}


def _fact_value(
    spec: HeuristicSpec, name: str, given: Any, parameters: Mapping[str, Any], path: str
) -> tuple[Any, str | None]:
    """The value an example gives a fact, or the problem with it."""
    fact = CATALOGUE[spec.scope].get(name) if isinstance(name, str) else None
    if fact is None:
        return None, f"{path}: unknown fact {describe(name)} for {spec.scope} heuristics"
    if isinstance(given, dict):
        if set(given) - {"param", "offset"} or "param" not in given:
            return None, f'{path}: a parameter reference is {{"param": name, "offset": n}}'
        param, offset = given["param"], given.get("offset", 0)
        if not isinstance(param, str) or param not in parameters:
            return None, f"{path}: unknown parameter {describe(param)}"
        base = parameters[param]
        if not is_number(offset) or number_problem(offset):
            return None, f"{path}.offset: must be a number, not {describe(offset)}"
        if offset and not is_number(base):
            return None, f"{path}: {param} is {describe(base)}, which takes no offset"
        value = base + offset if offset else base
    else:
        value = given
    if value is None:
        return None, None
    if is_number(value) and number_problem(value):
        return None, f"{path}: {number_problem(value)}"
    if not value_fits(fact, value):
        return None, f"{path}: {describe(value)} does not fit {name}"
    return value, None


def resolved_facts(
    spec: HeuristicSpec, example: Mapping[str, Any], parameters: Mapping[str, Any], path: str
) -> tuple[dict[str, Any], list[str]]:
    """Every fact of the heuristic's scope as the example sets it (unknown when left out)."""
    facts: dict[str, Any] = dict.fromkeys(CATALOGUE[spec.scope])
    problems = []
    given = example.get("facts")
    if not isinstance(given, Mapping):
        return facts, [f"{path}.facts: must be an object of fact: value"]
    if len(given) > len(facts):
        return facts, [f"{path}.facts: at most {len(facts)} facts"]
    for name, value in given.items():
        facts_path = f"{path}.facts.{name}" if isinstance(name, str) else f"{path}.facts"
        value, problem = _fact_value(spec, name, value, parameters, facts_path)
        if problem:
            problems.append(problem)
        else:
            facts[name] = value
    return facts, problems


def describe_example(example: Mapping[str, Any], parameters: Mapping[str, Any]) -> str:
    """The facts an example sets, as a person reads them: `squads min_squads - 1 (2)`."""
    parts = []
    given = example.get("facts") if isinstance(example, Mapping) else None
    for name, value in (given if isinstance(given, Mapping) else {}).items():
        if isinstance(value, dict) and isinstance(value.get("param"), str):
            param, offset = value["param"], value.get("offset", 0)
            shift = f" {'+' if offset > 0 else '-'} {abs(offset)}" if is_number(offset) else ""
            shift = shift if offset else ""
            base = parameters.get(param)
            total = base + offset if is_number(base) and is_number(offset) else base
            parts.append(f"{name} {param}{shift} ({format_value(name, total)})")
        else:
            parts.append(f"{name} {format_value(name, value)}")
    return ", ".join(parts) or "every fact unknown"


def example_problems(
    spec: HeuristicSpec, examples: Any, parameters: Mapping[str, Any]
) -> list[str]:
    """Each example that is malformed or that the heuristic (with these parameters) does not
    honour, by path: `examples[1] (squads min_squads - 1 (2)): must not fire, but fires`.
    The spec must be valid (`heuristic_problems` empty)."""
    if examples in (None, []):
        return []
    if not isinstance(examples, list):
        return ["examples: must be a list of {facts, fires}"]
    if len(examples) > MAX_EXAMPLES:
        return [f"examples: at most {MAX_EXAMPLES}, not {len(examples):,}"]
    problems = []
    for i, example in enumerate(examples):
        path = f"examples[{i}]"
        if not isinstance(example, Mapping):
            problems.append(f"{path}: must be an object {{facts, fires}}")
            continue
        unknown = [key for key in example if key not in EXAMPLE_KEYS]
        if unknown:
            problems.append(f"{path}: unknown key {describe(unknown[0])}")
            continue
        if not isinstance(example.get("fires"), bool):
            problems.append(f"{path}.fires: must be true or false")
            continue
        note = example.get("note", "")
        if not isinstance(note, str) or len(note) > MAX_NOTE or text_problem(note):
            problems.append(f"{path}.note: one line of at most {MAX_NOTE} characters")
            continue
        facts, found = resolved_facts(spec, example, parameters, path)
        if found:
            problems.extend(found)
            continue
        fired, _ = evaluate(spec.condition, facts, parameters)
        if fired != example["fires"]:
            expected = "fire" if example["fires"] else "not fire"
            gave = "fires" if fired else "does not fire"
            shown = describe_example(example, parameters)
            label = f" “{note}”" if note else ""
            problems.append(f"{path}{label} ({shown}): must {expected}, but {gave}")
    return problems


def rule_problems(
    spec: HeuristicSpec, examples: Any, parameters: Mapping[str, Any]
) -> dict[str, list[str]]:
    """What is wrong with a heuristic, by field: its definition (heuristic_problems) and,
    when that is sound, the examples it breaks under `examples`. Empty: it can be used."""
    found = heuristic_problems(spec)
    if not found:
        broken = example_problems(spec, examples, parameters)
        if broken:
            found["examples"] = broken
    return found
