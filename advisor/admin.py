"""The admin where site admins tune the heuristics, parameters, title patterns and staffing.

Conditions and sources are edited as rows (advisor.condition_editor; JSON typed instead
is read by `advisor.forms.parse_rule_json`, which refuses what cannot be read or stored, by path),
examples as rows too (advisor.example_editor), parameters as one table of the ruleset;
`Heuristic.clean` refuses what the engine could not evaluate or what breaks an example.
An edit or a deletion is previewed before it is published (advisor.admin_preview); the
confirmed save publishes a ruleset version credited to the admin, with their note or the
change message (advisor.rulesets).
Versions and assessments are records and stay read-only; a version can be restored.
"""

import json
import math
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

import orgs.admin
from advisor.admin_preview import (
    NOTE,
    PreviewBeforePublishing,
    RestoreViews,
    can_publish,
    is_previewing,
    publishing_once,
    register_note,
)
from advisor.condition_editor import ConditionField, SourcesField, problems_by_row, row_help
from advisor.engine.conditions import OPERATORS
from advisor.engine.evaluation import usable_heuristics
from advisor.engine.explanations import condition_in_words
from advisor.engine.facts import CATALOGUE
from advisor.engine.overlaps import opposing_overlaps
from advisor.engine.ruleset import parameters_read
from advisor.engine.vocabulary import Scope
from advisor.example_editor import ExamplesField, examples_help, problems_by_example
from advisor.models import (
    AdvisorSettings,
    Assessment,
    Heuristic,
    Parameter,
    RulesetVersion,
    ruleset_parameter_values,
)
from advisor.ruleset_documents import shown_changes, version_diff
from advisor.rulesets import MAX_NOTE, current_ruleset, parsed_ruleset, publishing_as
from orgs.models import TitlePattern


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


class PublishingAdmin(PreviewBeforePublishing, admin.ModelAdmin):
    """Saves and deletes publish their ruleset version as the admin, with the change message
    or the note the admin gave when confirming the preview (advisor.admin_preview). Only
    staff with the permission to change heuristics edit any rule."""

    def save_model(self, request: HttpRequest, obj: Model, form: forms.Form, change: bool):
        message = self.construct_change_message(request, form, None, add=not change)
        described = LogEntry(change_message=json.dumps(message)).get_change_message()
        note = f"{self._named(obj)}: {described}"
        register_note(request, note)
        if is_previewing():
            super().save_model(request, obj, form, change)
            return
        note = request.POST.get(NOTE, "").strip() or note
        with publishing_as(user=request.user, note=note[:MAX_NOTE]):
            super().save_model(request, obj, form, change)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return super().has_add_permission(request, *args) and can_publish(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_change_permission(request, obj) and can_publish(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return super().has_delete_permission(request, obj) and can_publish(request)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        # Previewed, then published once with the admin's note (PreviewBeforePublishing).
        register_note(request, f"{self._named(obj)}: Deleted.")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        names = ", ".join(str(obj) for obj in queryset[:10])
        count = queryset.count()
        more = f" and {count - 10} more" if count > 10 else ""
        register_note(request, f"Deleted {count} {self.opts.verbose_name_plural}: {names}{more}.")
        super().delete_queryset(request, queryset)

    def _named(self, obj: Model) -> str:
        return f"{str(self.opts.verbose_name).capitalize()} “{obj}”"


def overlap_warnings(*, involving: str | None = None) -> list[str]:
    """Opposite outcomes that now fire on the same facts, in the version in force
    (advisor.engine.overlaps), each naming both heuristics and where they meet."""
    ruleset = parsed_ruleset(current_ruleset())
    usable, _ = usable_heuristics(ruleset.heuristics)
    return [str(o) for o in opposing_overlaps(usable, involving=involving)]


def rule_reference(scope: str | None) -> str:
    """Every fact (name, type, meaning, scope, the input that fills it) and every parameter
    (value, meaning, the heuristics reading it), and the placeholders a message may use:
    shown beside the heuristic form. The heuristic's own scope first."""
    scopes = sorted(CATALOGUE, key=lambda s: s.value != scope)
    facts = format_html_join(
        "",
        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                fact.name,
                fact.type.value,
                scope_.value,
                fact.meaning,
                fact.input_field or "computed",
            )
            for scope_ in scopes
            for fact in CATALOGUE[scope_].values()
        ),
    )
    readers = parameter_readers()
    parameters = format_html_join(
        "",
        "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (p.name, parameter_text(p.value), p.description, ", ".join(readers.get(p.name, [])))
            for p in Parameter.objects.order_by("name")
        ),
    )
    own = CATALOGUE[Scope(scope)] if scope in Scope._value2member_map_ else {}
    placeholders = ", ".join(
        ["{subject}", *(f"{{{name}}}" for name in own), *(f"{{{n}}}" for n in readers)]
    )
    return format_html(
        '<table class="rule-reference"><caption>Facts</caption><thead><tr><th>fact</th>'
        "<th>type</th><th>scope</th><th>meaning</th><th>filled in by</th></tr></thead>"
        "<tbody>{}</tbody></table>"
        '<table class="rule-reference"><caption>Parameters</caption><thead><tr>'
        "<th>parameter</th><th>value</th><th>meaning</th><th>read by</th></tr></thead>"
        "<tbody>{}</tbody></table>"
        "<p>Placeholders the message may use{}: <code>{}</code>. Any parameter may be "
        "named too.</p>",
        facts,
        parameters,
        f" for a {scope} heuristic" if own else "",
        placeholders if own else "{subject}, a fact of the heuristic's scope, a parameter",
    )


class WarnOverlapsMixin:
    """After a save, warn of split and merge heuristics that now meet."""

    def warn_overlaps(self, request: HttpRequest, obj: Model) -> None:
        if is_previewing() or publishing_once(request):
            return  # the preview lists them before anything is saved
        involving = obj.code if isinstance(obj, Heuristic) else None
        for warning in overlap_warnings(involving=involving):
            messages.warning(
                request,
                f"Saved, but {warning}: a product there would be told to split and to merge.",
            )

    def save_model(self, request: HttpRequest, obj: Model, form: forms.Form, change: bool):
        super().save_model(request, obj, form, change)
        self.warn_overlaps(request, obj)


class HeuristicForm(forms.ModelForm):
    condition = ConditionField(label="Condition")
    sources = SourcesField(label="Sources")
    examples = ExamplesField(label="Examples")

    class Meta:
        model = Heuristic
        fields = (
            "code",
            "name",
            "description",
            "position",
            "enabled",
            "shadow",
            "scope",
            "condition",
            "outcome",
            "severity",
            "message",
            "sources",
            "examples",
        )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["condition"].widget.parameters = tuple(
            Parameter.objects.order_by("name").values_list("name", flat=True)
        )
        fields["condition"].help_text = format_html("{} {}", row_help(), condition_help())
        fields["examples"].widget.parameters = fields["condition"].widget.parameters
        fields["examples"].help_text = examples_help()
        fields["sources"].help_text = format_html(
            "The practitioner texts it rests on, one a row: the article's title, the "
            "sentence quoted from it, and a web address (http or https) or no link. Fill in "
            "a blank row to add one; as JSON, each is {}.",
            '{"title": "...", "quote": "...", "link": ""}',
        )

    def _post_clean(self) -> None:
        super()._post_clean()
        # The model names a condition's problems by JSON path; rows are what the admin sees.
        paths = self.fields["condition"].paths
        if paths and "condition" in self._errors:
            self._errors["condition"] = self.error_class(
                problems_by_row(list(self._errors["condition"]), paths)
            )

        # Examples' problems likewise, by example and fact row.
        rows_by_fact = self.fields["examples"].rows_by_fact
        if rows_by_fact is not None and "examples" in self._errors:
            self._errors["examples"] = self.error_class(
                problems_by_example(list(self._errors["examples"]), rows_by_fact)
            )


@admin.register(Heuristic)
class HeuristicAdmin(WarnOverlapsMixin, PublishingAdmin):
    form = HeuristicForm
    list_display = (
        "position",
        "code",
        "name",
        "scope",
        "outcome",
        "severity",
        "enabled",
        "shadow",
    )
    list_display_links = ("code",)
    list_editable = ("enabled",)
    list_filter = ("scope", "outcome", "severity", "enabled")
    search_fields = ("code", "name", "description")
    ordering = ("position", "code")
    readonly_fields = ("condition_in_words", "updated_at", "reference")
    fieldsets = (
        (None, {"fields": ("code", "name", "description", "position", "enabled", "shadow")}),
        (
            "Rule",
            {
                "fields": (
                    "scope",
                    "condition",
                    "condition_in_words",
                    "outcome",
                    "severity",
                )
            },
        ),
        ("Advice", {"fields": ("message", "sources", "updated_at")}),
        ("Examples", {"fields": ("examples",)}),
        ("Reference: facts, parameters and placeholders", {"fields": ("reference",)}),
    )

    @admin.display(description="reference")
    def reference(self, obj: Heuristic | None = None) -> str:
        return rule_reference(obj.scope if obj is not None and obj.pk else None)

    @admin.display(description="condition in words")
    def condition_in_words(self, obj: Heuristic) -> str:
        if obj.pk is None:
            return "—"
        table = ruleset_parameter_values(Heuristic, Parameter)
        return condition_in_words(obj.condition, scope=obj.scope, parameters=table)


class ParameterForm(forms.ModelForm):
    value = forms.CharField(
        label="Value",
        max_length=60,
        help_text="A number (3, 40, 12.5), true or false, or a role or methodology name "
        "(product_owner, scrum).",
    )

    class Meta:
        model = Parameter
        fields = ("name", "value", "description")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["value"] = parameter_text(self.instance.value)

    def clean_value(self) -> Any:
        return parameter_value(self.cleaned_data["value"])


def parameter_text(value: Any) -> str:
    """A parameter's value as the form shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parameter_value(text: str) -> Any:
    """The value an admin typed: a whole or decimal number, true/false, or a name."""
    text = text.strip()
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    if not math.isfinite(number):
        raise forms.ValidationError(f"{text} is not a finite number.")
    return number


@admin.register(Parameter)
class ParameterAdmin(WarnOverlapsMixin, PublishingAdmin):
    """The ruleset's named thresholds: one value per name, whichever heuristics read it."""

    form = ParameterForm
    list_display = ("name", "shown_value", "read_by", "description")
    search_fields = ("name", "description")
    readonly_fields = ("read_by", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Parameter | None = None):
        # Heuristics name a parameter: renaming one would leave them reading nothing.
        return ("name", *self.readonly_fields) if obj is not None else self.readonly_fields

    @admin.display(description="value")
    def shown_value(self, obj: Parameter) -> str:
        return parameter_text(obj.value)

    def get_changelist_instance(self, request: HttpRequest):
        # Who reads each parameter, read once for the page rather than once a row.
        changelist = super().get_changelist_instance(request)
        readers = parameter_readers()
        for obj in changelist.result_list:
            obj.readers = readers.get(obj.name, [])
        return changelist

    @admin.display(description="read by")
    def read_by(self, obj: Parameter) -> str:
        readers = getattr(obj, "readers", None)
        if readers is None:
            readers = parameter_readers().get(obj.name, [])
        return ", ".join(readers) or "no heuristic"

    def get_deleted_objects(self, objs, request: HttpRequest):
        # A parameter a heuristic reads is protected, as a foreign key would be.
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        readers = parameter_readers()
        for obj in objs:
            protected.extend(
                f"Heuristic “{code}” reads {obj.name}" for code in readers.get(obj.name, [])
            )
        return deleted, counts, perms, protected


def parameter_readers() -> dict[str, list[str]]:
    """Each parameter's name → the codes of the heuristics whose condition or message names
    it, in the heuristics' order: one query."""
    readers: dict[str, list[str]] = {}
    for row in Heuristic.objects.only("code", "condition", "message").order_by("position", "code"):
        for name in parameters_read({"condition": row.condition, "message": row.message}):
            readers.setdefault(name, []).append(row.code)
    return readers


@admin.register(AdvisorSettings)
class AdvisorSettingsAdmin(PublishingAdmin):
    list_display = ("__str__", "pms_per_product", "pos_per_scrum_squad", "scope_votes_needed")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row holds the settings: AdvisorSettings.save always writes pk 1.
        return not AdvisorSettings.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: AdvisorSettings | None = None):
        return False


# orgs registers its admin without the advisor; the advisor's side adds the publishing.
admin.site.unregister(TitlePattern)


@admin.register(TitlePattern)
class TitlePatternAdmin(PublishingAdmin, orgs.admin.TitlePatternAdmin):
    pass


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record: listed and shown, never added, changed or deleted in the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(RulesetVersion)
class RulesetVersionAdmin(RestoreViews, ReadOnlyAdmin):
    change_list_template = "admin/advisor/rulesetversion/change_list.html"
    list_display = ("__str__", "published_at", "published_by", "note", "rebuilt", "digest_start")
    list_filter = ("rebuilt",)
    list_select_related = ("published_by",)
    search_fields = ("note", "digest")
    fields = (
        "number",
        "published_at",
        "published_by",
        "note",
        "rebuilt",
        "digest",
        "restore",
        "changes",
        "content_json",
    )
    readonly_fields = fields

    @admin.display(description="restore")
    def restore(self, obj: RulesetVersion) -> str:
        url = reverse("admin:advisor_rulesetversion_restore", args=[obj.pk])
        return format_html(
            '<a class="button" href="{}">Preview restoring {}</a> as a new publication',
            url,
            obj.label,
        )

    @admin.display(description="changes from the version before")
    def changes(self, obj: RulesetVersion) -> str:
        before = (
            RulesetVersion.objects.filter(number__lt=obj.number)
            .order_by("-number")
            .values_list("content", flat=True)
            .first()
        )
        rows = shown_changes(version_diff(before, obj.content))
        if not rows:
            return "No change from the version before."
        return format_html(
            '<table class="ruleset-changes"><thead><tr><th>What</th><th>Field</th>'
            "<th>Before</th><th>After</th></tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                ((r["subject"], r["field"], r["old"], r["new"]) for r in rows),
            ),
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The list shows no document, and decoding one a row would be most of its cost;
        # the page of one version reads its document when it shows it.
        return super().get_queryset(request).defer("content")

    @admin.display(description="digest")
    def digest_start(self, obj: RulesetVersion) -> str:
        return obj.digest[:12]

    @admin.display(description="ruleset document")
    def content_json(self, obj: RulesetVersion) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.content, indent=2, ensure_ascii=False))


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("organization", "as_of", "created_at", "created_by", "ruleset", "finding_count")
    list_filter = ("organization", "as_of")
    list_select_related = ("organization", "created_by", "ruleset")
    search_fields = ("organization__name",)
    date_hierarchy = "as_of"
    fields = (
        "organization",
        "as_of",
        "created_at",
        "created_by",
        "ruleset",
        "finding_count",
        "errors",
        "report_json",
    )
    readonly_fields = fields

    @admin.display(description="report")
    def report_json(self, obj: Assessment) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.report, indent=2, ensure_ascii=False))

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The list shows no archive; the change page reads it in a query of its own.
        return super().get_queryset(request).defer("archive", "ruleset__content")
