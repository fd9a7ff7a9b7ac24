"""Heuristics as editable rows, the staffing settings, and stored assessments."""

import dataclasses
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models, transaction
from django.urls import reverse

from advisor.engine.evaluation import validate_parameters
from advisor.engine.examples import rule_problems
from advisor.engine.ruleset import OFF, ON, SHADOW, heuristic_spec, parameters_read
from advisor.engine.values import text_problem
from advisor.engine.vocabulary import (
    DECISION_ACTION_LABELS,
    DECISION_STATUS_LABELS,
    DISMISS_REASON_LABELS,
    OUTCOME_LABELS,
    SEVERITY_LABELS,
    VERDICT_LABELS,
    DecisionStatus,
    Scope,
    Severity,
)
from advisor.jsonio import pack_document, unpack_document
from orgs.models import Organization, Person, Product, Squad

SCOPE_CHOICES = [(s.value, s.value.title()) for s in Scope]


class Heuristic(models.Model):
    code = models.SlugField(
        max_length=80, unique=True, help_text="Stable id, e.g. split-backlog-overload."
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scope = models.CharField(max_length=10, choices=SCOPE_CHOICES)
    condition = models.JSONField(
        help_text='Nested {"all": [...]} / {"any": [...]} groups of clauses '
        '{"fact": ..., "op": ..., "value": ...} or {"fact": ..., "op": ..., "param": ...}.'
    )
    # Parameters belong to the ruleset (Parameter); this field is what migrations wrote
    # before that, read only to fill a name the table lacks (docs/rulesets.md).
    parameters = models.JSONField(
        default=dict,
        blank=True,
        help_text="Legacy per-heuristic thresholds: the ruleset's Parameter rows come first.",
    )
    outcome = models.CharField(max_length=10, choices=list(OUTCOME_LABELS.items()))
    severity = models.CharField(
        max_length=10,
        choices=list(SEVERITY_LABELS.items()),
        default=Severity.WARNING.value,
    )
    message = models.TextField(
        help_text="The advice; {subject}, {fact} and {parameter} placeholders are filled in."
    )
    sources = models.JSONField(
        default=list,
        help_text='The practitioner texts it rests on: [{"title": the article\'s title, '
        '"quote": the sentence quoted from it, "link": an http(s) address or ""}, ...].',
    )
    examples = models.JSONField(
        default=list,
        blank=True,
        help_text="Fact sets with whether the heuristic must fire on them; a fact is a "
        'literal value or {"param": name, "offset": n} (docs/rulesets.md).',
    )
    enabled = models.BooleanField(default=True)
    shadow = models.BooleanField(
        default=False,
        help_text="Shadow: evaluated and shown to admins with each assessment, never counted "
        "in a verdict or a plan (when enabled).",
    )
    position = models.PositiveIntegerField(default=0, help_text="Order in reports.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        # The ruleset version this change publishes (advisor.rulesets) is written by a
        # post_save receiver: inside this transaction, so both are kept or neither.
        with transaction.atomic():
            super().save(*args, **kwargs)

    def clean(self) -> None:
        """Refuse a heuristic the engine could not evaluate, naming the clause at fault, and
        text that cannot be stored or shown."""
        problems: dict[str, list[str]] = {}
        for name, multiline in (("code", False), ("name", False), ("description", True)):
            value = getattr(self, name)
            problem = text_problem(value, multiline=multiline) if isinstance(value, str) else None
            if problem:
                problems[name] = [f"{name}: {problem}"]
        if self.scope in Scope._value2member_map_:
            table = ruleset_parameter_values(Heuristic, Parameter, exclude=self.pk)
            table.update({k: v for k, v in (self.parameters or {}).items() if k not in table})
            # The whole table, so that a name it lacks is refused naming those it has.
            spec = dataclasses.replace(heuristic_spec(heuristic_entry(self)), parameters=table)
            found = rule_problems(spec, self.examples, table)
            if not self.outcome:
                found.pop("outcome", None)  # the field's own "cannot be blank" says so
            if not self.sources:
                found.pop("sources", None)  # the field's own "cannot be blank" says so
            elif "sources" not in found:
                found.update(_link_problems(self.sources))
            problems.update(found)
        if problems:
            raise ValidationError(problems)


def _link_problems(sources: list[dict[str, str]]) -> dict[str, list[str]]:
    """Links the engine's check lets through that Django's URL validator refuses."""
    validate = URLValidator(schemes=["http", "https"])
    problems = []
    for i, source in enumerate(sources):
        if source.get("link"):
            try:
                validate(source["link"])
            except ValidationError:
                problems.append(f"sources[{i}].link: not a valid web address")
    return {"sources": problems} if problems else {}


def heuristic_entry(row: Any) -> dict[str, Any]:
    """A heuristic row as the ruleset document holds it (advisor.engine.ruleset): its
    parameters are the ruleset's, not its own.

    Reads the row's fields only, so a data migration's historical rows work too.
    """
    return {
        "code": row.code,
        "name": row.name,
        "description": row.description,
        "position": row.position,
        "state": (SHADOW if getattr(row, "shadow", False) else ON) if row.enabled else OFF,
        "scope": row.scope,
        "condition": row.condition,
        "outcome": row.outcome,
        "severity": row.severity,
        "message": row.message,
        "sources": row.sources,
        "examples": _examples_of(row),
    }


def _examples_of(row: Any) -> Any:
    """A row's examples. In a migration state from before rows had them (0003 publishing on
    a new database), those the defaults give its code: 0011 then gives the rows the same,
    so a new database starts with one version (docs/rulesets.md)."""
    if hasattr(row, "examples"):
        return row.examples
    from advisor.defaults import DEFAULT_EXAMPLES

    return DEFAULT_EXAMPLES.get(row.code, [])


class Parameter(models.Model):
    """A named threshold of the ruleset: one value, read by every heuristic that names it
    (`min_squads` is the same line for split and for merge)."""

    name = models.CharField(
        max_length=60,
        unique=True,
        validators=[
            RegexValidator(r"^\w+\Z", "Letters, digits and _ only.", flags=re.ASCII),
        ],
        help_text="As heuristics name it, e.g. min_squads.",
    )
    value = models.JSONField(
        help_text="A number, true/false, or a role or methodology name (e.g. product_owner)."
    )
    description = models.TextField(blank=True, help_text="What the line means, in words.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # As Heuristic.save: the ruleset version it publishes is part of the same change.
        with transaction.atomic():
            super().save(*args, **kwargs)

    def clean(self) -> None:
        """Refuse a value the engine cannot use, and one that breaks a heuristic reading it
        (a role name where a count is compared), naming the heuristic."""
        problems = validate_parameters({self.name or "value": self.value})
        if problems:
            raise ValidationError({"value": [p.split(": ", 1)[-1] for p in problems]})
        table = ruleset_parameter_values(Heuristic, Parameter)
        table[self.name] = self.value
        broken = []
        for row in Heuristic.objects.order_by("position", "code"):
            entry = heuristic_entry(row)
            if self.name not in parameters_read(entry):
                continue
            found = rule_problems(heuristic_spec(entry, table), row.examples, table)
            if found:
                described = "; ".join(m for ms in found.values() for m in ms)
                broken.append(f"{row.code} would break: {described}")
        if broken:
            raise ValidationError({"value": broken[:10]})


def ruleset_parameter_values(
    heuristic_model: Any, parameter_model: Any | None, database: str = "default", exclude=None
) -> dict[str, Any]:
    """The ruleset's parameter table as the next version holds it, by name: the Parameter
    rows, and for a name none holds, the first heuristic (by position, code) that carries
    it in its legacy `parameters` (a migration of before the table; docs/rulesets.md).
    `parameter_model` is None in a migration state from before the table. Reads fields
    only, so a data migration's historical models work too."""
    table: dict[str, Any] = {}
    rows = heuristic_model.objects.using(database).order_by("position", "code")
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    for legacy in rows.values_list("parameters", flat=True):
        if isinstance(legacy, dict):
            for name, value in legacy.items():
                table.setdefault(name, value)
    if parameter_model is not None:
        table.update(parameter_model.objects.using(database).values_list("name", "value"))
    return dict(sorted(table.items()))


class AdvisorSettings(models.Model):
    """The one row of staffing ratios and the votes that settle a person's scope role."""

    pms_per_product = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(10))],
        verbose_name="product managers per product",
    )
    pos_per_scrum_squad = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(10))],
        verbose_name="product owners per Scrum squad",
        help_text="0.5 means one product owner for every two Scrum squads (rounded up).",
    )
    scope_votes_needed = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text="Of the four scope votes, how many one way set a person's scope role.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "advisor settings"
        verbose_name_plural = "advisor settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="advisor_settings_singleton"),
            models.CheckConstraint(
                condition=models.Q(scope_votes_needed__gte=1, scope_votes_needed__lte=4),
                name="advisor_settings_votes_1_4",
            ),
        ]

    def __str__(self) -> str:
        return "Advisor settings"

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        # As Heuristic.save: the ruleset version it publishes is part of the same change.
        with transaction.atomic():
            super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "AdvisorSettings":
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row


def staffing_entry(row: Any) -> dict[str, Any]:
    """The staffing settings as the ruleset document holds them; ratios as text with two
    decimals, as the fields store them. Reads fields only, as heuristic_entry."""
    return {
        "pms_per_product": f"{Decimal(row.pms_per_product):.2f}",
        "pos_per_scrum_squad": f"{Decimal(row.pos_per_scrum_squad):.2f}",
        "scope_votes_needed": row.scope_votes_needed,
    }


class VersionChangeError(Exception):
    """A published ruleset version was about to change: publish a new one instead."""


class RulesetVersion(models.Model):
    """The whole ruleset as it was published: heuristics, title patterns and staffing
    settings as one immutable document (the format of advisor.engine.ruleset).

    A change to any rule publishes a new version (advisor.rulesets); the engine runs
    from a version's document, and every assessment names the version it used.
    """

    number = models.PositiveIntegerField(unique=True, help_text="Shown as v1, v2, ...")
    content = models.JSONField(help_text="The ruleset document.")
    # Not unique: restoring an earlier ruleset publishes the same document again.
    digest = models.CharField(max_length=64, help_text="sha256 of the document's canonical JSON.")
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(blank=True)
    rebuilt = models.BooleanField(
        default=False,
        help_text="Rebuilt by a migration for assessments made before versions were kept: "
        "the rules of that day, not necessarily those the assessments used.",
    )

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"

    def __str__(self) -> str:
        return self.label

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise VersionChangeError(f"Ruleset {self.label} is published and never changes.")
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        return f"v{self.number}"


class AssessmentQuerySet(models.QuerySet):
    def latest_first(self) -> "AssessmentQuerySet":
        return self.order_by("-created_at", "-id")

    def advice(self) -> "AssessmentQuerySet":
        """Assessments of the organization as it stands: projections (an as-of date after
        the day they were made) are never its latest advice nor a comparison's "before"."""
        return self.filter(is_projection=False)

    def with_previous_pk(self) -> "AssessmentQuerySet":
        """Each with `previous_pk`: the id of its organization's advice assessment made just
        before it (by creation time, then id), None for the first. Written as a correlated
        subquery in SQL: the assessment page reads it on every request, and the ORM's
        Subquery costs as much to build as a query of its own. It names the outer table by
        its name, so the queryset is read on its own, never inside another query."""
        table = self.model._meta.db_table
        return self.annotate(
            previous_pk=models.expressions.RawSQL(
                f"SELECT p.id FROM {table} p"
                f" WHERE p.organization_id = {table}.organization_id AND p.is_projection = %s"
                f" AND (p.created_at < {table}.created_at"
                f" OR (p.created_at = {table}.created_at AND p.id < {table}.id))"
                " ORDER BY p.created_at DESC, p.id DESC LIMIT 1",
                (False,),
                output_field=models.IntegerField(),
            )
        )


class RecordedJSONField(models.JSONField):
    """A JSON column of an assessment's rows, written only by advisor.recording as text that
    advisor.jsonio encoded, so valid by construction, and read back as it was written.

    On SQLite a JSONField's column carries CHECK (JSON_VALID(...)), which parses every value
    again as it is inserted: a fifth of the time of writing and committing a 1,000-squad
    assessment's 4,500 subject rows (docs/performance.md). These columns leave it out.

    On PostgreSQL they are `json`, not JSONField's `jsonb`: `json` keeps the text as written
    (checked, not converted), so a subject's facts come back in the engine's order on
    every database (jsonb sorts keys by length), and writing a 1,000-squad assessment's
    rows takes about a third less time. What the pages ask of these columns works on both
    types: a key's text (`KT`), the whole value, the value cast to text. What only jsonb
    has (containment, key-exists lookups, equality for DISTINCT) is never asked of them.
    """

    def db_check(self, connection) -> None:
        return None

    def db_type(self, connection) -> str | None:
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def select_format(self, compiler: Any, sql: str, params: Any) -> tuple[str, Any]:
        # Read as text, as Django reads jsonb, not decoded by psycopg's `json` loader.
        sql, params = super().select_format(compiler, sql, params)
        if compiler.connection.vendor == "postgresql":
            return f"({sql})::text", params
        return sql, params


class Assessment(models.Model):
    """One run of the engine, kept as it was: a row per product, person and squad it assessed
    (AssessedSubject) and per finding (AssessedFinding), beside the archived document."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="assessments"
    )
    as_of = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
    )
    ruleset = models.ForeignKey(
        RulesetVersion,
        on_delete=models.PROTECT,
        related_name="assessments",
        help_text="The ruleset version the assessment was judged by.",
    )
    archive = models.BinaryField(
        editable=False,
        help_text="The assessment document as the command line prints it, archived as "
        "compressed JSON (advisor.jsonio; read it as `report`); the pages read the rows of "
        "its subjects and findings.",
    )
    errors = models.JSONField(
        default=list, blank=True, help_text="What of the ruleset the engine could not use."
    )
    shadow_findings = models.JSONField(
        default=list,
        blank=True,
        help_text="Findings of the heuristics in shadow, each with its subject: shown to "
        "admins, never counted.",
    )
    finding_count = models.PositiveIntegerField(default=0)
    is_projection = models.BooleanField(
        default=False,
        help_text="Made for an as-of date after the day it was made: a projection, never the "
        "organization's latest advice.",
    )
    scheduled_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day `manage.py reassess_due` ran it; blank when a person did. At most "
        "one scheduled assessment of an organization a day.",
    )
    due_notified_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the owners were told that the re-assessment after this one is due.",
    )

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"])]
        constraints = [
            # Two `reassess_due` at once: the second insert of the day fails.
            models.UniqueConstraint(
                fields=["organization", "scheduled_on"],
                condition=models.Q(scheduled_on__isnull=False),
                name="assessment_scheduled_once_a_day",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization} as of {self.as_of}"

    def get_absolute_url(self) -> str:
        return reverse(
            "advisor:assessment_detail",
            kwargs={"slug": self.organization.slug, "pk": self.pk},
        )

    @property
    def report(self) -> dict[str, Any]:
        """The archived assessment document, as `manage.py assess --format json` printed it."""
        return unpack_document(self.archive)

    @report.setter
    def report(self, document: dict[str, Any]) -> None:
        self.archive = pack_document(document)


def staffing_counts(product_managers: int | None, product_owners: int | None) -> dict:
    """A product's staffing, now or recommended, as the pages and comparisons read it."""
    return {"product_managers": product_managers, "product_owners": product_owners}


class AssessedSubject(models.Model):
    """A product, person or squad as one assessment saw it: the name it had, the facts the
    engine computed for it and, for a product, its verdict and staffing.

    The link to the live subject keeps the id it had whatever happens to the subject
    since: a renamed product is the same product in the history, and a deleted one leaves
    its past assessments as they were (no database constraint, nothing done on deletion;
    the pages link only to subjects that still exist).
    """

    # Indexed by the place constraint, which begins with it.
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="subjects", db_index=False
    )
    scope = models.CharField(max_length=10, choices=SCOPE_CHOICES)
    position = models.PositiveIntegerField(
        help_text="Its place among the assessment's subjects of its scope, from 1, in the "
        "order of the assessment document."
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    squad = models.ForeignKey(
        Squad,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(max_length=200, help_text="The name it had when assessed.")
    facts = RecordedJSONField(
        default=dict, blank=True, help_text="The facts the engine computed for it."
    )
    finding_count = models.PositiveIntegerField(default=0)
    missing_facts = RecordedJSONField(
        default=list,
        blank=True,
        help_text="Its unknown facts a heuristic needed: [{fact, field, meaning}].",
    )
    missing_count = models.PositiveIntegerField(default=0)
    # Products: the verdict, the staffing now and recommended, the plan's actions.
    verdict = models.CharField(max_length=10, blank=True, choices=list(VERDICT_LABELS.items()))
    current_pms = models.PositiveIntegerField(null=True, blank=True)
    current_pos = models.PositiveIntegerField(null=True, blank=True)
    recommended_pms = models.PositiveIntegerField(null=True, blank=True)
    recommended_pos = models.PositiveIntegerField(null=True, blank=True)
    actions = RecordedJSONField(default=list, blank=True)
    hires = RecordedJSONField(
        default=list,
        blank=True,
        help_text="Products: each hire's profile {role, title, squads, reports_to, "
        "responsibilities}.",
    )
    what_would_change = RecordedJSONField(
        default=list,
        blank=True,
        help_text="Products: [{fact, from, to, verdict, heuristic}], the nearest change of "
        "each fact that changes the verdict.",
    )
    nearest_misses = RecordedJSONField(
        default=list,
        blank=True,
        help_text="Products kept as they are: what each verdict heuristic lacked, in words.",
    )
    # People: the role their title gives, the role their work shows, the votes that set it,
    # and the squads they serve (the squads-per-product-manager chart orders by it).
    role = models.CharField(max_length=20, blank=True)
    scope_role = models.CharField(max_length=20, blank=True)
    votes = RecordedJSONField(default=list, blank=True)
    squads_served = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "scope", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "scope", "position"], name="assessed_subject_place"
            ),
            models.CheckConstraint(
                condition=models.Q(scope__in=[s.value for s in Scope]),
                name="assessed_subject_scope",
            ),
        ]
        # A subject's history across assessments; each row has one of the three, so
        # each index holds the rows of its scope only.
        indexes = [
            models.Index(
                fields=[kind],
                condition=models.Q(**{f"{kind}__isnull": False}),
                name=f"assessed_{kind}",
            )
            for kind in ("product", "person", "squad")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.name}"

    @property
    def subject_id(self) -> int | None:
        """The live subject's id as it was when assessed."""
        return {
            Scope.PRODUCT: self.product_id,
            Scope.PERSON: self.person_id,
            Scope.SQUAD: self.squad_id,
        }[Scope(self.scope)]

    @property
    def current(self) -> dict[str, int | None]:
        return staffing_counts(self.current_pms, self.current_pos)

    @property
    def recommended(self) -> dict[str, int | None]:
        return staffing_counts(self.recommended_pms, self.recommended_pos)


class AssessedFinding(models.Model):
    """One heuristic that fired on one subject of an assessment, with its evidence."""

    # Indexed by the (assessment, heuristic) index, which begins with it.
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="findings", db_index=False
    )
    # Indexed by the place constraint, which begins with it.
    subject = models.ForeignKey(
        AssessedSubject, on_delete=models.CASCADE, related_name="findings", db_index=False
    )
    position = models.PositiveIntegerField(help_text="Its place among its subject's findings.")
    heuristic = models.CharField(max_length=80, help_text="The heuristic's code.")
    name = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=10, choices=list(OUTCOME_LABELS.items()))
    severity = models.CharField(max_length=10, choices=list(SEVERITY_LABELS.items()))
    message = models.TextField()
    evidence = RecordedJSONField(default=dict, blank=True, help_text="Fact → value it read.")
    thresholds = RecordedJSONField(
        default=dict, blank=True, help_text="Parameter → value it compared with."
    )
    trace = RecordedJSONField(
        default=list, blank=True, help_text="Each clause it compared, with its result."
    )
    sources = RecordedJSONField(default=list, blank=True)
    outranked = models.BooleanField(
        default=False, help_text="A product finding whose outcome lost to a higher verdict."
    )

    class Meta:
        ordering = ["subject", "position"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "position"], name="assessed_finding_place")
        ]
        indexes = [models.Index(fields=["assessment", "heuristic"])]

    def __str__(self) -> str:
        return f"{self.heuristic} on {self.subject}"


class Decision(models.Model):
    """A member's decision on one piece of advice: a heuristic's finding on one subject
    (product, person or squad, by the id it keeps through renames), whatever assessment
    shows it. One row per piece of advice holds where it stands; its DecisionEvent rows are
    the history (advisor.decisions)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="decisions"
    )
    scope = models.CharField(max_length=10, choices=SCOPE_CHOICES)
    subject_id = models.PositiveBigIntegerField(
        help_text="The product's, person's or squad's id: it survives renames."
    )
    subject_name = models.CharField(max_length=200, help_text="Its name when last decided.")
    heuristic = models.CharField(max_length=80, help_text="The heuristic's code.")
    status = models.CharField(
        max_length=10,
        choices=list(DECISION_STATUS_LABELS.items()),
        default=DecisionStatus.OPEN.value,
    )
    reason = models.CharField(
        max_length=20, blank=True, choices=list(DISMISS_REASON_LABELS.items())
    )
    note = models.TextField(blank=True)
    until = models.DateField(null=True, blank=True, help_text="A snooze's last day.")
    evidence = models.JSONField(
        default=list,
        blank=True,
        help_text="The finding's trace when decided: what later assessments are held to.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Why it is open again, when an assessment reopened it.
    reopened_because = models.TextField(blank=True)
    event_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["organization", "scope", "subject_id", "heuristic"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "scope", "subject_id", "heuristic"],
                name="decision_one_per_advice",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in DecisionStatus]),
                name="decision_status_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=DecisionStatus.SNOOZED.value)
                | models.Q(until__isnull=False),
                name="decision_snooze_has_end",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.heuristic} on {self.scope} {self.subject_name}: {self.status}"


class DecisionEvent(models.Model):
    """One line of a decision's history: who decided what and when, or which assessment
    reopened it and why."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=list(DECISION_ACTION_LABELS.items()))
    reason = models.CharField(
        max_length=20, blank=True, choices=list(DISMISS_REASON_LABELS.items())
    )
    note = models.TextField(blank=True)
    until = models.DateField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The assessment it was decided on, or that reopened it.",
    )
    explanation = models.TextField(blank=True, help_text="Why an assessment reopened it.")

    class Meta:
        ordering = ["decision", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.decision}"
