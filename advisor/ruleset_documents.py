"""The whole ruleset as one document: exported, validated whole by JSON path, previewed against
every organization's latest facts, and published in one transaction; earlier versions and
the defaults restored the same way.

The document is the ruleset version format (advisor.engine.ruleset, docs/rulesets.md):
`export_ruleset` prints it, `import_ruleset FILE [--dry-run]` reads it. A version published
before parameters belonged to the ruleset (parameters per heuristic, no examples) is first
brought to today's form (`current_form`), so restoring one works like importing it.
"""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery

from advisor.defaults import (
    DEFAULT_EXAMPLES,
    DEFAULT_HEURISTICS,
    DEFAULT_PARAMETERS,
    NOTE_HEURISTICS,
    PARAMETER_DESCRIPTIONS,
)
from advisor.engine import verdict_of
from advisor.engine.evaluation import (
    MAX_PARAMETERS,
    HeuristicSpec,
    usable_heuristics,
    validate_parameters,
)
from advisor.engine.examples import rule_problems
from advisor.engine.facts import CATALOGUE
from advisor.engine.ruleset import (
    FORMAT,
    OFF,
    ON,
    RATIO_RANGE,
    SHADOW,
    STATES,
    VOTES_RANGE,
    heuristic_spec,
    ruleset_from_content,
)
from advisor.engine.values import text_problem
from advisor.engine.vocabulary import Role, Scope
from advisor.models import (
    AdvisorSettings,
    AssessedSubject,
    Assessment,
    Heuristic,
    Parameter,
    RulesetVersion,
)
from advisor.rulesets import (
    RuleModels,
    build_content,
    parsed_ruleset,
    publish_ruleset,
    publishing_suspended,
)
from orgs.interchange import MAX_PROBLEMS, InterchangeError, Omitted, Problem
from orgs.models import TitlePattern
from orgs.titles import DEFAULT_TITLE_PATTERNS, TitlePatternError, compile_pattern

TOP_KEYS = ("format", "parameters", "heuristics", "title_patterns", "staffing")
HEURISTIC_KEYS = (
    "code",
    "name",
    "description",
    "position",
    "state",
    "scope",
    "condition",
    "outcome",
    "severity",
    "message",
    "sources",
    "examples",
)
REQUIRED_HEURISTIC_KEYS = ("code", "name", "scope", "condition", "outcome", "message", "sources")
MAX_HEURISTICS = 500
MAX_TITLE_PATTERNS = 500
_CODE = re.compile(r"[-a-zA-Z0-9_]+")


def export_ruleset() -> dict[str, Any]:
    """The ruleset as the rows hold it: the document the next publication would hold."""
    return build_content(RuleModels.live())


def current_form(content: Mapping[str, Any]) -> dict[str, Any]:
    """A version's document in today's form: a version published before parameters
    belonged to the ruleset has each heuristic's parameters moved to one table (the first
    heuristic, by position, to carry a name gives its value) and no examples."""
    document = dict(content)
    entries = document.get("heuristics")
    if not isinstance(entries, list) or "parameters" in document:
        return document
    table: dict[str, Any] = {}
    heuristics = []
    for entry in entries:
        if isinstance(entry, Mapping):
            own = entry.get("parameters")
            for name, value in own.items() if isinstance(own, Mapping) else ():
                table.setdefault(name, value)
            entry = {k: v for k, v in entry.items() if k != "parameters"}
            entry.setdefault("examples", [])
        heuristics.append(entry)
    document["heuristics"] = heuristics
    document["parameters"] = dict(sorted(table.items()))
    return document


def defaults_document() -> dict[str, Any]:
    """The ruleset the project ships: default heuristics, examples, parameters, title
    patterns and staffing settings."""
    return {
        "format": FORMAT,
        "parameters": dict(DEFAULT_PARAMETERS),
        "heuristics": [
            {
                **{k: v for k, v in row.items() if k != "parameters"},
                "scope": str(row["scope"]),
                "position": (i + 1) * 10,
                "state": ON,
                "examples": DEFAULT_EXAMPLES.get(row["code"], []),
            }
            for i, row in enumerate((*DEFAULT_HEURISTICS, *NOTE_HEURISTICS))
        ],
        "title_patterns": [
            {"pattern": pattern, "role": str(role)} for pattern, role in DEFAULT_TITLE_PATTERNS
        ],
        "staffing": {
            "pms_per_product": "1.00",
            "pos_per_scrum_squad": "1.00",
            "scope_votes_needed": 3,
        },
    }


# Validating


class _Problems:
    def __init__(self) -> None:
        self.found: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.found.append(Problem(path, message))

    def add_prefixed(self, prefix: str, field: str, message: str) -> None:
        """A message of the engine's validation, `condition.any[1]: unknown fact ...` or
        `examples[0] “note” (...): must fire`, put under the heuristic's path."""
        match = re.match(rf"({re.escape(field)}(?:\.\w+|\[\d+\])*):? ?(.*)$", message, re.S)
        if match:
            self.add(f"{prefix}.{match.group(1)}", match.group(2))
        else:
            self.add(f"{prefix}.{field}", message)

    def result(self) -> list[Problem]:
        if len(self.found) <= MAX_PROBLEMS:
            return self.found
        more = len(self.found) - MAX_PROBLEMS
        return [*self.found[:MAX_PROBLEMS], Omitted("", f"and {more:,} more problems", more)]


def validate_ruleset(data: Any) -> list[Problem]:
    """Every problem of a ruleset document, by JSON path; empty when it can be published.
    A heuristic is checked as the admin checks it (its condition, outcome, message and
    sources as the engine needs them) and must honour its own examples."""
    problems = _Problems()
    if not isinstance(data, Mapping):
        problems.add("", "the ruleset must be a JSON object")
        return problems.result()
    if data.get("format") != FORMAT:
        problems.add("format", f'must be "{FORMAT}"')
    for key in data:
        if key not in TOP_KEYS:
            problems.add(str(key), f"unknown key (the keys are {', '.join(TOP_KEYS)})")
    table = _check_parameters(data.get("parameters"), problems)
    _check_heuristics(data.get("heuristics"), table, problems)
    _check_title_patterns(data.get("title_patterns"), problems)
    _check_staffing(data.get("staffing"), problems)
    return problems.result()


def _check_parameters(table: Any, problems: _Problems) -> dict[str, Any]:
    if not isinstance(table, Mapping):
        problems.add("parameters", "must be an object of name: value")
        return {}
    if len(table) > MAX_PARAMETERS:
        problems.add("parameters", f"at most {MAX_PARAMETERS} parameters, not {len(table):,}")
        return {}
    for name, value in table.items():
        for message in validate_parameters({name: value}):
            problems.add(f"parameters.{name}", message.split(": ", 1)[-1])
    return dict(table)


def _text_field(
    entry: Mapping, key: str, path: str, problems: _Problems, *, most: int, multiline: bool
) -> None:
    value = entry.get(key, "")
    if not isinstance(value, str):
        problems.add(f"{path}.{key}", "must be text")
    elif len(value) > most:
        problems.add(f"{path}.{key}", f"at most {most:,} characters, not {len(value):,}")
    elif text_problem(value, multiline=multiline):
        problems.add(f"{path}.{key}", text_problem(value, multiline=multiline))


def _check_heuristics(entries: Any, table: Mapping[str, Any], problems: _Problems) -> None:
    if not isinstance(entries, list):
        problems.add("heuristics", "must be a list")
        return
    if len(entries) > MAX_HEURISTICS:
        problems.add("heuristics", f"at most {MAX_HEURISTICS}, not {len(entries):,}")
        return
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        path = f"heuristics[{i}]"
        if not isinstance(entry, Mapping):
            problems.add(path, "must be an object")
            continue
        unknown = [k for k in entry if k not in HEURISTIC_KEYS]
        missing = [k for k in REQUIRED_HEURISTIC_KEYS if k not in entry]
        for key in unknown:
            problems.add(f"{path}.{key}", "unknown key")
        for key in missing:
            problems.add(f"{path}.{key}", "missing")
        if unknown or missing:
            continue
        code = entry["code"]
        if not isinstance(code, str) or not _CODE.fullmatch(code) or len(code) > 80:
            problems.add(f"{path}.code", "letters, digits, - and _, at most 80")
        elif code in seen:
            problems.add(f"{path}.code", f'"{code}" is also heuristics[{seen[code]}]')
        else:
            seen[code] = i
        _text_field(entry, "name", path, problems, most=200, multiline=False)
        _text_field(entry, "description", path, problems, most=10_000, multiline=True)
        position = entry.get("position", 0)
        if (
            not isinstance(position, int)
            or isinstance(position, bool)
            or not 0 <= position <= 2**31 - 1
        ):
            problems.add(f"{path}.position", "must be a whole number from 0")
        if entry.get("state", ON) not in STATES:
            problems.add(f"{path}.state", f"must be one of {', '.join(STATES)}")
        found = rule_problems(heuristic_spec(entry, table), entry.get("examples", []), table)
        for field, messages in found.items():
            for message in messages:
                problems.add_prefixed(path, field, message)


def _check_title_patterns(entries: Any, problems: _Problems) -> None:
    if not isinstance(entries, list):
        problems.add("title_patterns", "must be a list")
        return
    if len(entries) > MAX_TITLE_PATTERNS:
        problems.add("title_patterns", f"at most {MAX_TITLE_PATTERNS}, not {len(entries):,}")
        return
    max_length = TitlePattern._meta.get_field("pattern").max_length
    for i, entry in enumerate(entries):
        path = f"title_patterns[{i}]"
        if not isinstance(entry, Mapping) or set(entry) != {"pattern", "role"}:
            problems.add(path, "must be an object {pattern, role}")
            continue
        pattern, role = entry["pattern"], entry["role"]
        if not isinstance(pattern, str) or not pattern or len(pattern) > max_length:
            problems.add(f"{path}.pattern", f"must be text of 1 to {max_length} characters")
        else:
            try:
                compile_pattern(pattern)
            except TitlePatternError as e:
                problems.add(f"{path}.pattern", str(e))
        if not isinstance(role, str) or role not in Role._value2member_map_:
            problems.add(f"{path}.role", f"must be one of {', '.join(Role)}")


def _check_staffing(staffing: Any, problems: _Problems) -> None:
    if not isinstance(staffing, Mapping):
        problems.add("staffing", "must be an object")
        return
    keys = ("pms_per_product", "pos_per_scrum_squad", "scope_votes_needed")
    for key in staffing:
        if key not in keys:
            problems.add(f"staffing.{key}", "unknown key")
    low, high = RATIO_RANGE
    for key in keys[:2]:
        value = staffing.get(key)
        try:
            ratio = Decimal(str(value)) if isinstance(value, str | int | float) else None
        except InvalidOperation:
            ratio = None
        if (
            isinstance(value, bool)
            or ratio is None
            or not ratio.is_finite()
            or not low <= ratio <= high
            or ratio != ratio.quantize(Decimal("0.01"))
        ):
            problems.add(
                f"staffing.{key}", f"must be a ratio from {low} to {high}, two decimals at most"
            )
    votes = staffing.get("scope_votes_needed")
    low_votes, high_votes = VOTES_RANGE
    if (
        not isinstance(votes, int)
        or isinstance(votes, bool)
        or not low_votes <= votes <= high_votes
    ):
        problems.add(
            "staffing.scope_votes_needed",
            f"must be a whole number from {low_votes} to {high_votes}",
        )


# Previewing


@dataclass(frozen=True)
class ProductChange:
    name: str
    verdict_from: str
    verdict_to: str
    appeared: tuple[str, ...]
    resolved: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "verdict": {"from": self.verdict_from, "to": self.verdict_to},
            "appeared": list(self.appeared),
            "resolved": list(self.resolved),
        }


@dataclass(frozen=True)
class OrganizationChanges:
    slug: str
    name: str
    assessment: Assessment
    products: tuple[ProductChange, ...]

    def to_json(self) -> dict[str, Any]:
        return {"slug": self.slug, "products": [p.to_json() for p in self.products]}


def latest_assessments() -> list[Assessment]:
    """Each organization's latest assessment that is not a projection (Assessment.objects
    .advice()), in one query."""
    latest = (
        Assessment.objects.advice()
        .filter(organization=OuterRef("organization"))
        .latest_first()
        .values("pk")[:1]
    )
    return list(
        Assessment.objects.filter(pk=Subquery(latest))
        .select_related("organization")
        .defer("archive")
        .order_by("organization__name", "organization_id")
    )


def _product_codes(heuristics, facts: Mapping[str, Any]) -> dict[str, str]:
    """The product heuristics that fire on these facts: code → outcome."""
    full = dict.fromkeys(CATALOGUE[Scope.PRODUCT])
    full.update({k: v for k, v in facts.items() if k in full})
    fired = {}
    for spec in heuristics:
        if spec.scope == Scope.PRODUCT and not spec.shadow:
            try:
                if spec.predicate(full):
                    fired[spec.code] = spec.outcome
            except Exception:
                continue
    return fired


def preview(
    document: Mapping[str, Any],
    *,
    current: RulesetVersion | None = None,
    after: Sequence[HeuristicSpec] | None = None,
) -> list[OrganizationChanges]:
    """For each organization's latest assessment, the products whose verdict or findings
    would change if the document replaced the ruleset in force: both rulesets run on the
    facts that assessment stored, so only the edit's effect shows. `current` (the version
    in force) and `after` (the document's usable heuristics) are worked out here when the
    caller has not already."""
    current = current or RulesetVersion.objects.order_by("-number").defer("content").first()
    before, _ = usable_heuristics(parsed_ruleset(current).heuristics if current else ())
    if after is None:
        after, _ = usable_heuristics(ruleset_from_content(document).heuristics)
    assessments = latest_assessments()
    products: dict[int, list[tuple[str, dict]]] = {a.pk: [] for a in assessments}
    for assessment_id, name, facts in (
        AssessedSubject.objects.filter(assessment__in=list(products), scope=Scope.PRODUCT)
        .order_by("assessment_id", "position")
        .values_list("assessment_id", "name", "facts")
    ):
        products[assessment_id].append((name, facts))
    found = []
    for assessment in assessments:
        changes = []
        for name, facts in products[assessment.pk]:
            old, new = _product_codes(before, facts), _product_codes(after, facts)
            if old == new:
                continue
            changes.append(
                ProductChange(
                    name,
                    verdict_of(old.values()),
                    verdict_of(new.values()),
                    tuple(code for code in new if code not in old),
                    tuple(code for code in old if code not in new),
                )
            )
        if changes:
            org = assessment.organization
            found.append(OrganizationChanges(org.slug, org.name, assessment, tuple(changes)))
    return found


def preview_json(changes: list[OrganizationChanges]) -> dict[str, Any]:
    return {"organizations": [c.to_json() for c in changes]}


# Publishing


def publish_document(document: Mapping[str, Any], *, user: Any = None, note: str) -> RulesetVersion:
    """Write the rows of a valid document (validate_ruleset empty) and publish them as one
    version, in one transaction; InterchangeError if it is not valid."""
    problems = validate_ruleset(document)
    if problems:
        raise InterchangeError(problems)
    with transaction.atomic():
        with publishing_suspended():
            _write_parameters(document["parameters"])
            _write_heuristics(document["heuristics"])
            _write_title_patterns(document["title_patterns"])
            _write_staffing(document["staffing"])
        return publish_ruleset(user=user, note=note)


def _write_parameters(table: Mapping[str, Any]) -> None:
    Parameter.objects.exclude(name__in=list(table)).delete()
    existing = {p.name: p for p in Parameter.objects.all()}
    for name, value in table.items():
        row = existing.get(name) or Parameter(
            name=name, description=PARAMETER_DESCRIPTIONS.get(name, "")
        )
        if row.pk is None or row.value != value:
            row.value = value
            row.save()


def _write_heuristics(entries: list[Mapping[str, Any]]) -> None:
    codes = [entry["code"] for entry in entries]
    Heuristic.objects.exclude(code__in=codes).delete()
    existing = {h.code: h for h in Heuristic.objects.all()}
    for i, entry in enumerate(entries):
        row = existing.get(entry["code"]) or Heuristic(code=entry["code"])
        row.name = entry["name"]
        row.description = entry.get("description", "")
        row.position = entry.get("position", (i + 1) * 10)
        row.enabled = entry.get("state", ON) != OFF
        row.shadow = entry.get("state", ON) == SHADOW
        row.scope = entry["scope"]
        row.condition = entry["condition"]
        row.parameters = {}
        row.outcome = entry["outcome"]
        row.severity = entry.get("severity", "warning")
        row.message = entry["message"]
        row.sources = entry["sources"]
        row.examples = entry.get("examples", [])
        row.save()


def _write_title_patterns(entries: list[Mapping[str, str]]) -> None:
    wanted = [(entry["pattern"], entry["role"]) for entry in entries]
    existing = list(TitlePattern.objects.order_by("position", "id").values_list("pattern", "role"))
    if existing == wanted:
        return
    TitlePattern.objects.all().delete()
    TitlePattern.objects.bulk_create(
        TitlePattern(position=(i + 1) * 10, pattern=pattern, role=role)
        for i, (pattern, role) in enumerate(wanted)
    )


def _write_staffing(staffing: Mapping[str, Any]) -> None:
    row = AdvisorSettings.load()
    row.pms_per_product = Decimal(str(staffing["pms_per_product"]))
    row.pos_per_scrum_squad = Decimal(str(staffing["pos_per_scrum_squad"]))
    row.scope_votes_needed = staffing["scope_votes_needed"]
    row.save()


def restore_version(version: RulesetVersion, *, user: Any = None, note: str = "") -> RulesetVersion:
    """Publish an earlier version's rules again, as a new version."""
    document = current_form(version.content)
    return publish_document(document, user=user, note=note or f"Restored {version.label}.")


def restore_defaults(*, user: Any = None, note: str = "") -> RulesetVersion:
    return publish_document(defaults_document(), user=user, note=note or "Restored the defaults.")


# Differences


@dataclass(frozen=True)
class Change:
    """One difference between two versions: what (a heuristic's code, `parameters`,
    `title_patterns` or `staffing`), which field, and the old and new values (None when
    it was not there)."""

    subject: str
    field: str
    old: Any
    new: Any


# Values of a difference longer than this are cut on the pages.
SHOWN_VALUE = 300


def shown(value: Any) -> str:
    """A value of a difference as the pages show it: JSON, cut."""
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN_VALUE else text[:SHOWN_VALUE] + "…"


def shown_changes(changes: list[Change]) -> list[dict[str, str]]:
    return [
        {"subject": c.subject, "field": c.field, "old": shown(c.old), "new": shown(c.new)}
        for c in changes
    ]


def version_diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[Change]:
    """What changed from one version's document to the next, heuristic by heuristic and
    field by field, then the parameters, title patterns and staffing."""
    old = old if isinstance(old, Mapping) else {}
    changes: list[Change] = []
    before = _by_code(old.get("heuristics"))
    after = _by_code(new.get("heuristics"))
    for code in [*after, *(c for c in before if c not in after)]:
        a, b = before.get(code), after.get(code)
        if a is None:
            changes.append(Change(code, "heuristic", None, "added"))
            continue
        if b is None:
            changes.append(Change(code, "heuristic", "present", None))
            continue
        for field in dict.fromkeys([*b, *a]):
            if field != "code" and a.get(field) != b.get(field):
                changes.append(Change(code, field, a.get(field), b.get(field)))
    old_table, new_table = old.get("parameters") or {}, new.get("parameters") or {}
    if isinstance(old_table, Mapping) and isinstance(new_table, Mapping):
        for name in dict.fromkeys([*new_table, *old_table]):
            if old_table.get(name) != new_table.get(name) or (name in old_table) != (
                name in new_table
            ):
                changes.append(Change("parameters", name, old_table.get(name), new_table.get(name)))
    if old.get("title_patterns") != new.get("title_patterns"):
        changes.append(
            Change(
                "title_patterns", "patterns", old.get("title_patterns"), new.get("title_patterns")
            )
        )
    old_staffing, new_staffing = old.get("staffing") or {}, new.get("staffing") or {}
    if isinstance(old_staffing, Mapping) and isinstance(new_staffing, Mapping):
        for key in dict.fromkeys([*new_staffing, *old_staffing]):
            if old_staffing.get(key) != new_staffing.get(key):
                changes.append(
                    Change("staffing", key, old_staffing.get(key), new_staffing.get(key))
                )
    return changes


def _by_code(entries: Any) -> dict[str, Mapping[str, Any]]:
    found = {}
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, Mapping) and isinstance(entry.get("code"), str):
            found.setdefault(entry["code"], entry)
    return found
