"""The admin where site admins tune the heuristics and the staffing settings.

Conditions and parameters are edited as JSON; `Heuristic.clean` refuses what
the engine could not evaluate, naming the clause at fault. Assessments are a
record of what was advised and stay read-only.
"""

import json

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from advisor.engine.conditions import OPERATORS
from advisor.engine.explanations import condition_in_words
from advisor.engine.facts import CATALOGUE
from advisor.models import AdvisorSettings, Assessment, Heuristic


def condition_help() -> str:
    """The facts of each scope and the operators, for the condition field's help text."""
    scopes = format_html_join(
        "",
        "<li><strong>{}</strong>: {}</li>",
        (
            (
                scope.value,
                format_html_join(
                    ", ",
                    '<abbr title="{}">{}</abbr> ({})',
                    ((fact.meaning, fact.name, fact.type.value) for fact in facts.values()),
                ),
            )
            for scope, facts in CATALOGUE.items()
        ),
    )
    return format_html(
        "Nested {} / {} groups of clauses {} or {}."
        "<br>Facts by scope:<ul>{}</ul>Operators: {}. "
        "<code>is_unknown</code> and <code>is_known</code> take neither value nor param; "
        "a clause on an unknown fact is false.",
        '{"all": [...]}',
        '{"any": [...]}',
        '{"fact": ..., "op": ..., "value": ...}',
        '{"fact": ..., "op": ..., "param": "name of a parameter"}',
        scopes,
        format_html_join(", ", "<code>{}</code>", ((op,) for op in OPERATORS)),
    )


class HeuristicForm(forms.ModelForm):
    class Meta:
        model = Heuristic
        fields = (
            "code",
            "name",
            "description",
            "position",
            "enabled",
            "scope",
            "condition",
            "parameters",
            "outcome",
            "severity",
            "message",
            "source",
        )
        widgets = {
            "condition": forms.Textarea(attrs={"rows": 14, "cols": 80, "class": "vLargeTextField"}),
            "parameters": forms.Textarea(attrs={"rows": 5, "cols": 80}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["condition"].help_text = condition_help()
        self.fields["parameters"].help_text = (
            'Named thresholds the condition and message use, e.g. {"min_squads": 3}: '
            "changing one changes the next assessment, with no code change."
        )


@admin.register(Heuristic)
class HeuristicAdmin(admin.ModelAdmin):
    form = HeuristicForm
    list_display = ("position", "code", "name", "scope", "outcome", "severity", "enabled")
    list_display_links = ("code",)
    list_editable = ("enabled",)
    list_filter = ("scope", "outcome", "severity", "enabled")
    search_fields = ("code", "name", "description", "source")
    ordering = ("position", "code")
    readonly_fields = ("condition_in_words", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "name", "description", "position", "enabled")}),
        (
            "Rule",
            {
                "fields": (
                    "scope",
                    "condition",
                    "parameters",
                    "condition_in_words",
                    "outcome",
                    "severity",
                )
            },
        ),
        ("Advice", {"fields": ("message", "source", "updated_at")}),
    )

    @admin.display(description="condition in words")
    def condition_in_words(self, obj: Heuristic) -> str:
        if obj.pk is None:
            return "—"
        return condition_in_words(obj.condition, scope=obj.scope, parameters=obj.parameters)


@admin.register(AdvisorSettings)
class AdvisorSettingsAdmin(admin.ModelAdmin):
    list_display = ("__str__", "pms_per_product", "pos_per_scrum_squad", "scope_votes_needed")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row holds the settings: AdvisorSettings.save always writes pk 1.
        return not AdvisorSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: AdvisorSettings | None = None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = (
        "organization",
        "as_of",
        "created_at",
        "created_by",
        "ruleset_version",
        "finding_count",
    )
    list_filter = ("organization", "as_of", "ruleset_version")
    list_select_related = ("organization", "created_by")
    search_fields = ("organization__name", "ruleset_version")
    date_hierarchy = "as_of"
    fields = (
        "organization",
        "as_of",
        "created_at",
        "created_by",
        "ruleset_version",
        "finding_count",
        "verdicts",
        "report_json",
        "facts_json",
    )
    readonly_fields = fields

    @admin.display(description="report")
    def report_json(self, obj: Assessment) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.report, indent=2, ensure_ascii=False))

    @admin.display(description="facts")
    def facts_json(self, obj: Assessment) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.facts, indent=2, ensure_ascii=False))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Assessment | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Assessment | None = None) -> bool:
        return False
