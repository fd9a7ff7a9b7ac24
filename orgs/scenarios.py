"""What-if scenarios: copy an organization, change the copy, apply it to the live one.

A scenario is an Organization of its own whose `scenario_of` is the live organization: its
own products, squads and people, so the same pages and forms change it, and the advisor
assesses it as any organization. It has no members: the live organization's members reach
it with their role there (orgs.access). It is never listed as an organization
(`Organization.objects.live()`), and its assessments are its own, never the live
organization's advice.

Copying keeps the live organization's interchange document (orgs.interchange) and its
fingerprint (`Scenario`). Applying, by an owner, in one transaction: refused, listing what
changed, when the live organization's fingerprint is no longer the one copied; otherwise the
live organization takes the scenario's content, products, squads and people matched by
name updated in place (their ids, and so their history and decisions, continue), the new
created and the removed deleted. A scenario applies once.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from orgs.interchange import export_document, write_contents
from orgs.models import TIME_BUCKETS, Organization, Scenario

PRODUCT_FIELDS = (
    "markets",
    "personas",
    "roadmap_updated_on",
    "last_customer_interview_on",
    "roadmap_reviews_cancelled",
)
SQUAD_FIELDS = ("product", "engineers", "methodology")
PERSON_FIELDS = (
    "title",
    "role",
    "reports_to",
    "squads",
    "time",
    "owns_roadmap",
    "does_market_research",
    "sets_pricing",
)
SETTINGS_FIELDS = ("methodology", "reassess_every_days")


class ScenarioError(Exception):
    """A scenario that cannot be applied; `changes` are what changed in the live organization."""

    def __init__(self, message: str, changes: tuple["Change", ...] = ()):
        super().__init__(message)
        self.message = message
        self.changes = changes


@dataclass(frozen=True)
class Change:
    """One product, squad or person added, removed or changed, or the settings changed."""

    kind: str  # "organization", "product", "squad" or "person"
    name: str
    action: str  # "added", "removed" or "changed"
    fields: tuple[tuple[str, str, str], ...] = ()  # (field, from, to), in words

    def __str__(self) -> str:
        if self.action != "changed":
            return f"{self.kind.capitalize()} {self.name} {self.action}"
        moved = "; ".join(f"{field} {before} → {after}" for field, before, after in self.fields)
        return f"{self.kind.capitalize()} {self.name}: {moved}"


def fingerprint(document: Mapping[str, Any]) -> str:
    """sha256 of an organization's content: its settings (not its name), products, squads and
    people, as the export writes them (sorted, so the same content gives the same print)."""
    content = {
        "settings": {k: document["organization"].get(k) for k in SETTINGS_FIELDS},
        "products": document.get("products", []),
        "people": document.get("people", []),
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def copy_organization(live: Organization, *, name: str, user=None) -> Organization:
    """A new scenario of the live organization: a copy of its products, squads and people."""
    if live.scenario_of_id is not None:
        raise ScenarioError("A scenario cannot be copied into another scenario.")
    document = export_document(live)
    scenario = Organization(
        name=name,
        methodology=live.methodology,
        reassess_every_days=live.reassess_every_days,
        scenario_of=live,
    )
    # The slug is picked on save, which takes another if a scenario of the same name is
    # made at the same moment.
    scenario.slug_base = f"{live.slug} {name}"
    scenario.save()
    write_contents(scenario, document, replace=False)
    Scenario.objects.create(
        organization=scenario, base=document, fingerprint=fingerprint(document), created_by=user
    )
    return scenario


def _words(value: Any) -> str:
    if value is None or value == [] or value == "":
        return "unknown" if value is None or value == [] else "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return " / ".join(f"{k} {v}%" for k, v in value.items() if v) or "unknown"
    return str(value)


def _squads(document: Mapping[str, Any]) -> dict[str, dict]:
    return {
        squad["name"]: {**squad, "product": product["name"]}
        for product in document.get("products", [])
        for squad in product.get("squads") or []
    }


def _time_entered(time: Mapping[str, Any] | None) -> bool:
    """Whether a person's time was entered: not null, missing or all zeros (DOMAIN.md)."""
    return bool(time) and any(time.get(b) for b in TIME_BUCKETS)


def _time_words(time: Mapping[str, Any] | None) -> str:
    if not _time_entered(time):
        return "not entered"
    return " / ".join(f"{b} {time[b]}%" for b in TIME_BUCKETS if time.get(b))


def _time_moves(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list:
    """A person's time, before and after, in words: each share that moved when both were
    entered (a share left out of an entered time is 0); else the whole time, one side
    "not entered", never every share as 0%."""
    if _time_entered(old) and _time_entered(new):
        return [
            (f"{b} share", f"{old.get(b) or 0}%", f"{new.get(b) or 0}%")
            for b in TIME_BUCKETS
            if (old.get(b) or 0) != (new.get(b) or 0)
        ]
    if _time_entered(old) or _time_entered(new):
        return [("time", _time_words(old), _time_words(new))]
    return []


def _compare(kind: str, before: dict, after: dict, fields: tuple[str, ...]) -> list[Change]:
    changes = [Change(kind, name, "added") for name in after if name not in before]
    changes += [Change(kind, name, "removed") for name in before if name not in after]
    for name, row in after.items():
        if name not in before:
            continue
        moved = []
        for field in fields:
            if field == "time":
                moved += _time_moves(before[name].get("time"), row.get("time"))
            elif before[name].get(field) != row.get(field):
                label = field.replace("_", " ")
                moved.append((label, _words(before[name].get(field)), _words(row.get(field))))
        if moved:
            changes.append(Change(kind, name, "changed", tuple(moved)))
    return changes


def differences(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[Change, ...]:
    """What changed from one document of an organization to another: settings, then the
    products, squads and people added, removed and changed (matched by name)."""
    changes = _compare(
        "organization",
        {"settings": before["organization"]},
        {"settings": after["organization"]},
        SETTINGS_FIELDS,
    )
    products = (
        [{"name": p["name"], **{f: p.get(f) for f in PRODUCT_FIELDS}} for p in before["products"]],
        [{"name": p["name"], **{f: p.get(f) for f in PRODUCT_FIELDS}} for p in after["products"]],
    )
    changes += _compare(
        "product",
        {p["name"]: p for p in products[0]},
        {p["name"]: p for p in products[1]},
        PRODUCT_FIELDS,
    )
    changes += _compare("squad", _squads(before), _squads(after), SQUAD_FIELDS)
    changes += _compare(
        "person",
        {p["name"]: p for p in before.get("people", [])},
        {p["name"]: p for p in after.get("people", [])},
        PERSON_FIELDS,
    )
    return tuple(changes)


def changes_made(scenario: Organization) -> tuple[Change, ...]:
    """What was changed in the scenario since it was copied."""
    return differences(scenario.scenario.base, export_document(scenario))


def apply_scenario(scenario: Organization, *, user=None) -> tuple[Change, ...]:
    """Make the live organization what the scenario is, in one transaction; returns the
    changes applied. Refused (ScenarioError, with what changed) when the live organization
    changed since the copy, or the scenario was applied already."""
    with transaction.atomic():
        live = Organization.objects.select_for_update().get(pk=scenario.scenario_of_id)
        record = Scenario.objects.select_for_update().get(pk=scenario.pk)
        if record.applied_at is not None:
            raise ScenarioError(f"This scenario was applied on {record.applied_at:%Y-%m-%d}.")
        now = export_document(live)
        if fingerprint(now) != record.fingerprint:
            raise ScenarioError(
                f"{live.name} changed since this scenario was copied; nothing was applied. "
                "Copy it again to start from what it is now.",
                differences(record.base, now),
            )
        target = export_document(scenario)
        applied = differences(now, target)
        _write_in_place(live, target)
        record.applied_at = timezone.now()
        record.applied_by = user
        record.save(update_fields=["applied_at", "applied_by"])
    return applied


def _write_in_place(live: Organization, document: Mapping[str, Any]) -> None:
    """The live organization's content made the document's: rows matched by name are
    updated in place (their ids, history and decisions continue), the new created, the
    removed deleted; a fixed number of queries (orgs.interchange.write_contents)."""
    live.methodology = document["organization"]["methodology"]
    live.reassess_every_days = document["organization"]["reassess_every_days"]
    # The contents are written in bulk, which marks nothing changed by itself.
    live.changed_at = timezone.now()
    live.save(update_fields=["methodology", "reassess_every_days", "updated_at", "changed_at"])
    write_contents(live, dict(document), replace=True)
