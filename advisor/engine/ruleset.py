"""A published ruleset's document as the engine runs it: heuristics, staffing rules, title rules.

A ruleset version (`advisor.models.RulesetVersion`) holds the whole ruleset as one
JSON document; the engine reads that document, never the live rows, so an
assessment is judged by exactly the version it names. The document:

    {"format": "team-structure-advisor/ruleset/v1",
     "parameters": {"min_squads": 3, "max_backlog_share": 40, ...},
     "heuristics": [{"code", "name", "description", "position", "state", "scope",
                     "condition", "outcome", "severity", "message",
                     "sources": [{"title", "quote", "link"}], "examples": [...]}, ...],
     "title_patterns": [{"pattern", "role"}, ...],
     "staffing": {"pms_per_product": "1.00", "pos_per_scrum_squad": "1.00",
                  "scope_votes_needed": 3}}

Parameters belong to the ruleset: one value per name, read by every heuristic that
names it. Versions published before that hold `parameters` per heuristic and no
document-level table; a heuristic entry that carries its own `parameters` is read
with them, so old versions run as they did.

A document may carry what the engine cannot use (a row written behind
validation, then published): such a heuristic or title pattern is left out with
a note, which the assessment lists with its errors; nothing here raises.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from advisor.engine.conditions import known_scope, params_named
from advisor.engine.evaluation import MAX_PARAMETERS, HeuristicSpec, validate_parameters
from advisor.engine.explanations import message_placeholders
from advisor.engine.plan import StaffingRules
from advisor.engine.values import describe
from advisor.engine.vocabulary import Role
from orgs.titles import TitlePatternError, TitleRule, compile_pattern

FORMAT = "team-structure-advisor/ruleset/v1"
# A heuristic's state: `on` counts; `shadow` is evaluated and shown to admins, never
# counted in a verdict or plan; `off` is kept in the ruleset but not evaluated.
ON, SHADOW, OFF = "on", "shadow", "off"
STATES = (ON, SHADOW, OFF)
# The staffing settings' bounds, as the settings form enforces them.
RATIO_RANGE = (Decimal("0.01"), Decimal(10))
VOTES_RANGE = (1, 4)


@dataclass(frozen=True)
class Ruleset:
    heuristics: tuple[HeuristicSpec, ...]
    staffing: StaffingRules
    title_rules: tuple[TitleRule, ...]
    # What of the document was left out, and why: shown with the assessment's errors.
    notes: tuple[str, ...] = ()
    # The ruleset's parameter table (empty for a version published before it existed).
    parameters: Mapping[str, Any] = field(default_factory=dict)


def _text(entry: Mapping[str, Any], key: str) -> Any:
    return entry.get(key, "")


def parameters_read(entry: Mapping[str, Any]) -> list[str]:
    """The parameter names a heuristic entry reads, in its condition and its message, in
    order of first use; any value gives names, never an exception."""
    names = params_named(entry.get("condition"))
    message = entry.get("message")
    if isinstance(message, str):
        names.extend(name for name in message_placeholders(message) if name not in names)
    return names


def entry_parameters(entry: Mapping[str, Any], parameters: Mapping[str, Any]) -> Any:
    """The parameters a heuristic runs with: its own, in a version published before
    parameters belonged to the ruleset; otherwise those of the ruleset's table it reads
    (a name it reads that the table lacks is left out, and `heuristic_problems` names it)."""
    if "parameters" in entry:
        return entry["parameters"]
    return {name: parameters[name] for name in parameters_read(entry) if name in parameters}


def heuristic_spec(
    entry: Mapping[str, Any], parameters: Mapping[str, Any] | None = None
) -> HeuristicSpec:
    """One heuristic of the document as the engine reads it, with the ruleset's
    `parameters`; `heuristic_problems` says whether it can be used. The state decides
    `enabled`."""
    code = entry.get("code")
    return HeuristicSpec(
        code=code if isinstance(code, str) else describe(code),
        name=_text(entry, "name"),
        scope=known_scope(entry.get("scope")) or entry.get("scope"),
        condition=entry.get("condition"),
        outcome=entry.get("outcome"),
        parameters=entry_parameters(entry, parameters or {}),
        severity=entry.get("severity"),
        message=_text(entry, "message"),
        sources=entry.get("sources", []),
        description=_text(entry, "description"),
        enabled=entry.get("state") in (ON, SHADOW),
        shadow=entry.get("state") == SHADOW,
    )


def ruleset_parameters(content: Mapping[str, Any], notes: list[str] | None = None) -> dict:
    """The document's parameter table: the valid entries, a note for each one left out. A
    version published before the table existed has none (its heuristics carry their own)."""
    table = content.get("parameters")
    if table is None:
        return {}
    if not isinstance(table, Mapping):
        if notes is not None:
            notes.append(f"parameters: skipped, not a table of names but {describe(table)}")
        return {}
    kept = {}
    if len(table) > MAX_PARAMETERS and notes is not None:
        notes.append(f"parameters: only the first {MAX_PARAMETERS} of {len(table)} are read")
    for name, value in list(table.items())[:MAX_PARAMETERS]:
        problems = validate_parameters({name: value})
        if problems:
            if notes is not None:
                notes.append(f"{problems[0]}; skipped")
            continue
        kept[name] = value
    return kept


def _heuristics(
    entries: Any, parameters: Mapping[str, Any], notes: list[str]
) -> list[HeuristicSpec]:
    specs = []
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, Mapping):
            notes.append(f"heuristics[{i}]: skipped, not a heuristic but {describe(entry)}")
            continue
        state = entry.get("state")
        if not (isinstance(state, str) and state in STATES):
            spec = heuristic_spec(entry, parameters)
            notes.append(
                f"{spec.code}: skipped, its state {describe(state)} is not one of "
                f"{', '.join(STATES)}"
            )
            continue
        specs.append(heuristic_spec(entry, parameters))
    return specs


def _title_rules(entries: Any, notes: list[str]) -> list[TitleRule]:
    rules = []
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        pattern = entry.get("pattern") if isinstance(entry, Mapping) else None
        role = entry.get("role") if isinstance(entry, Mapping) else None
        if not isinstance(pattern, str) or not (
            isinstance(role, str) and role in Role._value2member_map_
        ):
            notes.append(f"title_patterns[{i}]: skipped, not a pattern and a role")
            continue
        try:
            compile_pattern(pattern)
        except TitlePatternError as e:
            notes.append(f"title_patterns[{i}]: skipped, {describe(pattern)} is {e}")
            continue
        rules.append(TitleRule(pattern, role))
    return rules


def _ratio(value: Any) -> Decimal | None:
    try:
        ratio = Decimal(value) if isinstance(value, str) and len(value) <= 12 else None
    except InvalidOperation:
        return None
    low, high = RATIO_RANGE
    return ratio if ratio is not None and ratio.is_finite() and low <= ratio <= high else None


def _staffing(settings: Any, notes: list[str]) -> StaffingRules:
    settings = settings if isinstance(settings, Mapping) else {}
    default = StaffingRules()
    values: dict[str, Any] = {}
    for key in ("pms_per_product", "pos_per_scrum_squad"):
        ratio = _ratio(settings.get(key))
        if ratio is None:
            notes.append(
                f"staffing.{key}: {describe(settings.get(key))} is not a ratio; "
                f"{getattr(default, key)} is used"
            )
        values[key] = ratio if ratio is not None else getattr(default, key)
    votes = settings.get("scope_votes_needed")
    low, high = VOTES_RANGE
    if isinstance(votes, int) and not isinstance(votes, bool) and low <= votes <= high:
        values["scope_votes_needed"] = votes
    else:
        notes.append(
            f"staffing.scope_votes_needed: {describe(votes)} is not {low} to {high}; "
            f"{default.scope_votes_needed} is used"
        )
        values["scope_votes_needed"] = default.scope_votes_needed
    return StaffingRules(**values)


def ruleset_from_content(content: Any) -> Ruleset:
    """The engine's ruleset from a version's document, with a note for each part left out."""
    content = content if isinstance(content, Mapping) else {}
    notes: list[str] = []
    parameters = ruleset_parameters(content, notes)
    heuristics = _heuristics(content.get("heuristics"), parameters, notes)
    title_rules = _title_rules(content.get("title_patterns"), notes)
    staffing = _staffing(content.get("staffing"), notes)
    return Ruleset(tuple(heuristics), staffing, tuple(title_rules), tuple(notes), parameters)
