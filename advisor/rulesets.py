"""Publishing the ruleset: every change to a rule makes a new immutable version, in the
same transaction, and the engine runs from the latest version's document.

What publishes: saving or deleting a Heuristic, a Parameter, an orgs TitlePattern or the
AdvisorSettings row, through the admin, a form, the model API or anything else that
calls `save()`/`delete()` (receivers connected in `AdvisorConfig.ready`). What does
not: `QuerySet.update()`, `bulk_create()` and raw SQL, which send no signals; no
code of ours writes rule rows that way, and a data migration calls
`publish_from(RuleModels.of(apps), ...)` itself after writing them.

See docs/rulesets.md.
"""

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model

from advisor.engine.ruleset import FORMAT, Ruleset, ruleset_from_content
from advisor.models import (
    AdvisorSettings,
    Heuristic,
    Parameter,
    RulesetVersion,
    heuristic_entry,
    ruleset_parameter_values,
    staffing_entry,
)
from orgs.models import TitlePattern

# A note is a line or two; what an admin's change message adds beyond is cut.
MAX_NOTE = 1000
# Parsed documents kept: versions never change, so a parse is valid for good.
CACHED_VERSIONS = 16


@dataclass(frozen=True)
class RuleModels:
    """The models a ruleset is built from: today's, or a data migration's historical ones."""

    heuristic: type[Model]
    title_pattern: type[Model]
    settings: type[Model]
    version: type[Model]
    database: str = "default"
    # None in a migration's state from before parameters belonged to the ruleset.
    parameter: type[Model] | None = None

    @classmethod
    def live(cls) -> "RuleModels":
        return cls(Heuristic, TitlePattern, AdvisorSettings, RulesetVersion, parameter=Parameter)

    @classmethod
    def of(cls, apps: Any, database: str = "default") -> "RuleModels":
        """The historical models of a migration's state."""
        return cls(
            apps.get_model("advisor", "Heuristic"),
            apps.get_model("orgs", "TitlePattern"),
            apps.get_model("advisor", "AdvisorSettings"),
            apps.get_model("advisor", "RulesetVersion"),
            database,
            _model_or_none(apps, "advisor", "Parameter"),
        )


def _model_or_none(apps: Any, app_label: str, name: str) -> type[Model] | None:
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def build_content(models: RuleModels, settings_row: Any | None = None) -> dict[str, Any]:
    """The ruleset document of the rows as they are (five queries; four when the settings
    row is given). A missing settings row reads as the fields' defaults."""
    db = models.database
    if settings_row is None:
        settings_row = models.settings.objects.using(db).filter(pk=1).first()
    return {
        "format": FORMAT,
        "parameters": ruleset_parameter_values(models.heuristic, models.parameter, db),
        "heuristics": [
            heuristic_entry(row)
            for row in models.heuristic.objects.using(db).order_by("position", "code")
        ],
        "title_patterns": [
            {"pattern": pattern, "role": role}
            for pattern, role in models.title_pattern.objects.using(db)
            .order_by("position", "id")
            .values_list("pattern", "role")
        ],
        "staffing": staffing_entry(settings_row or models.settings()),
    }


def content_digest(content: dict[str, Any]) -> str:
    """sha256 of the document's canonical JSON: sorted keys, no spaces, UTF-8."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def publish_from(
    models: RuleModels, *, user: Any = None, note: str = "", rebuilt: bool = False
) -> Any:
    """Publish the rows as they are as a new version, unless the latest version already holds
    exactly them and neither it nor this one is rebuilt. Returns the version in force.

    Publications are serialized on the settings row, so two at once never take the same
    number; on SQLite, writes are serialized anyway.
    """
    db = models.database
    with transaction.atomic(using=db):
        settings_row = models.settings.objects.using(db).select_for_update().filter(pk=1).first()
        content = build_content(models, settings_row)
        digest = content_digest(content)
        latest = (
            models.version.objects.using(db)
            .order_by("-number")
            .only("number", "digest", "rebuilt")
            .first()
        )
        # A rebuilt version stands for earlier assessments; new ones get a version of their own.
        if latest is not None and latest.digest == digest and not (rebuilt or latest.rebuilt):
            return latest
        return models.version.objects.using(db).create(
            number=latest.number + 1 if latest else 1,
            content=content,
            digest=digest,
            published_by=user,
            note=note[:MAX_NOTE],
            rebuilt=rebuilt,
        )


@dataclass(frozen=True)
class _Publisher:
    user: Any
    note: str


_publisher: ContextVar[_Publisher | None] = ContextVar("ruleset_publisher", default=None)


@contextmanager
def publishing_as(*, user: Any, note: str) -> Iterator[None]:
    """Versions published inside are credited to the user, with the note (the admin's
    change message)."""
    token = _publisher.set(_Publisher(user, note))
    try:
        yield
    finally:
        _publisher.reset(token)


_suspended: ContextVar[bool] = ContextVar("ruleset_publishing_suspended", default=False)


@contextmanager
def publishing_suspended() -> Iterator[None]:
    """Rows saved inside publish nothing: for writing a whole ruleset (an import, a
    restore), which then publishes once."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


# What a note may not hold: control characters but tab and line breaks, and lone
# surrogates (a command line's undecodable bytes).
_NOTE_REFUSED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def note_problem(note: str) -> str | None:
    """What is wrong with a version's note as given, in words; None when nothing is. A note
    is free text, but NUL (which PostgreSQL refuses in text), other control characters
    than tabs and line breaks, and text that is not Unicode are refused, not stored."""
    found = _NOTE_REFUSED.search(note)
    if found is None:
        return None
    code, place = ord(found.group()), found.start() + 1
    if 0xD800 <= code <= 0xDFFF:
        return f"is not valid text (character {place})"
    return f"must not contain control characters (U+{code:04X} at character {place})"


def publish_ruleset(*, user: Any = None, note: str = "") -> RulesetVersion:
    """Publish today's rows as a new version if they differ from the latest one."""
    return publish_from(RuleModels.live(), user=user, note=note)


def current_ruleset() -> RulesetVersion:
    """The latest version, without its document (one query). When none was ever published
    (a database flushed by a test), today's rows are published first."""
    latest = RulesetVersion.objects.order_by("-number").defer("content").first()
    return latest if latest is not None else publish_ruleset(note="First publication.")


_parsed: OrderedDict[tuple[int, str], Ruleset] = OrderedDict()


def parsed_ruleset(version: RulesetVersion) -> Ruleset:
    """The engine's ruleset of a version, parsed once: a version never changes. Keyed by
    digest as well as id, since a test database gives ids out again."""
    key = (version.pk, version.digest)
    if key in _parsed:
        _parsed.move_to_end(key)
        return _parsed[key]
    content = RulesetVersion.objects.values_list("content", flat=True).get(pk=version.pk)
    ruleset = ruleset_from_content(content)
    _parsed[key] = ruleset
    while len(_parsed) > CACHED_VERSIONS:
        _parsed.popitem(last=False)
    return ruleset


def rule_changed(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    """post_save / post_delete receiver: publish the change, inside its transaction."""
    if kwargs.get("raw") or _suspended.get():
        return  # loaddata brings its own versions; a whole ruleset written publishes once
    publisher = _publisher.get()
    if publisher is not None:
        publish_ruleset(user=publisher.user, note=publisher.note)
        return
    verb = "deleted" if "created" not in kwargs else ("added" if kwargs["created"] else "changed")
    publish_ruleset(note=f"{sender._meta.verbose_name} {instance} {verb}.")


RULE_MODELS = (Heuristic, Parameter, TitlePattern, AdvisorSettings)
