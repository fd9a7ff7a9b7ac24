"""Heuristics as editable rows, the staffing settings, and stored assessments."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from advisor.engine import HeuristicSpec, StaffingRules, heuristic_problems
from advisor.engine.vocabulary import OUTCOME_LABELS, SEVERITY_LABELS, Scope, Severity
from orgs.models import Organization


class HeuristicQuerySet(models.QuerySet):
    def enabled(self) -> "HeuristicQuerySet":
        return self.filter(enabled=True)


class Heuristic(models.Model):
    code = models.SlugField(
        max_length=80, unique=True, help_text="Stable id, e.g. split-backlog-overload."
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scope = models.CharField(max_length=10, choices=[(s.value, s.value.title()) for s in Scope])
    condition = models.JSONField(
        help_text='Nested {"all": [...]} / {"any": [...]} groups of clauses '
        '{"fact": ..., "op": ..., "value": ...} or {"fact": ..., "op": ..., "param": ...}.'
    )
    parameters = models.JSONField(default=dict, blank=True, help_text="Named thresholds.")
    outcome = models.CharField(max_length=10, choices=list(OUTCOME_LABELS.items()))
    severity = models.CharField(
        max_length=10,
        choices=list(SEVERITY_LABELS.items()),
        default=Severity.WARNING.value,
    )
    message = models.TextField(
        help_text="The advice; {subject}, {fact} and {parameter} placeholders are filled in."
    )
    source = models.TextField(help_text="The practitioner text the heuristic rests on.")
    enabled = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0, help_text="Order in reports.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = HeuristicQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        """Refuse a heuristic the engine could not evaluate, naming the clause at fault."""
        if self.scope not in Scope._value2member_map_:
            return  # the field's own choices validation says so
        problems = heuristic_problems(self.to_spec())
        if not self.outcome:
            problems.pop("outcome", None)  # the field's own "cannot be blank" says so
        if problems:
            raise ValidationError(problems)

    def to_spec(self) -> HeuristicSpec:
        return HeuristicSpec(
            code=self.code,
            name=self.name,
            scope=Scope(self.scope),
            condition=self.condition,
            outcome=self.outcome,
            parameters=self.parameters,
            severity=self.severity,
            message=self.message,
            source=self.source,
            description=self.description,
            enabled=self.enabled,
        )

    def ruleset_entry(self) -> dict[str, Any]:
        """What of this row changes the advice, for the ruleset version."""
        return {
            "code": self.code,
            "scope": self.scope,
            "condition": self.condition,
            "parameters": self.parameters,
            "outcome": self.outcome,
            "severity": self.severity,
            "message": self.message,
            "source": self.source,
            "enabled": self.enabled,
        }


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
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "AdvisorSettings":
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row

    def to_rules(self) -> StaffingRules:
        return StaffingRules(
            pms_per_product=self.pms_per_product,
            pos_per_scrum_squad=self.pos_per_scrum_squad,
            scope_votes_needed=self.scope_votes_needed,
        )


class AssessmentQuerySet(models.QuerySet):
    def latest_first(self) -> "AssessmentQuerySet":
        return self.order_by("-created_at", "-id")


class Assessment(models.Model):
    """One run of the engine, kept as it was: facts, findings and plan."""

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
    ruleset_version = models.CharField(max_length=64)
    facts = models.JSONField(help_text="The facts as they were when assessed.")
    report = models.JSONField(help_text="The assessment document: findings and staffing plan.")
    verdicts = models.JSONField(
        default=dict, help_text="Product name → verdict, for lists and comparisons."
    )
    finding_count = models.PositiveIntegerField(default=0)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.organization} as of {self.as_of}"

    def get_absolute_url(self) -> str:
        return reverse(
            "advisor:assessment_detail",
            kwargs={"slug": self.organization.slug, "pk": self.pk},
        )
