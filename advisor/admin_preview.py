"""Preview before publishing, in the admin: a rule edit is first shown with what it would change,
and published only when the admin confirms.

The first submit of a change form saves the edit inside a transaction that is rolled back
(no version is published, nothing is logged), builds the ruleset document the edit would
publish, and shows: the difference from the version in force (heuristic, field, old, new),
split and merge heuristics that would meet, and for each organization's latest assessed
facts the products whose verdict or findings would change. The confirmation page posts
the same form again with `_publish` and a note: that second submit saves and publishes.
Restoring a version or the defaults goes through the same page (`RestoreViews`).
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse

from advisor.engine.evaluation import usable_heuristics
from advisor.engine.overlaps import opposing_overlaps
from advisor.engine.ruleset import ruleset_from_content
from advisor.models import RulesetVersion
from advisor.ruleset_documents import (
    Change,
    current_form,
    defaults_document,
    preview,
    publish_document,
    restore_version,
    version_diff,
)
from advisor.rulesets import MAX_NOTE, RuleModels, build_content, publishing_suspended

PUBLISH = "_publish"
NOTE = "_note"
# The permission that lets a staff member edit and publish the rules.
EDIT_RULES = "advisor.change_heuristic"
# Values of a difference longer than this are cut on the page.
SHOWN_VALUE = 300

_previewing: ContextVar[bool] = ContextVar("ruleset_previewing", default=False)


@contextmanager
def previewing() -> Iterator[None]:
    token = _previewing.set(True)
    try:
        yield
    finally:
        _previewing.reset(token)


def is_previewing() -> bool:
    return _previewing.get()


def shown(value: Any) -> str:
    """A value of a difference as the page shows it: JSON, cut."""
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= SHOWN_VALUE else text[:SHOWN_VALUE] + "…"


def shown_changes(changes: list[Change]) -> list[dict[str, str]]:
    return [
        {"subject": c.subject, "field": c.field, "old": shown(c.old), "new": shown(c.new)}
        for c in changes
    ]


def in_force() -> RulesetVersion | None:
    return RulesetVersion.objects.order_by("-number").first()


def what_it_would_change(candidate: dict[str, Any]) -> dict[str, Any]:
    """The preview of a candidate ruleset document against the version in force."""
    current = in_force()
    usable, _ = usable_heuristics(ruleset_from_content(candidate).heuristics)
    return {
        "version": current,
        "changes": shown_changes(version_diff(current.content if current else None, candidate)),
        "overlaps": [str(o) for o in opposing_overlaps(usable)],
        "organizations": preview(candidate),
    }


def can_publish(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.is_staff and request.user.has_perm(EDIT_RULES)


class PreviewBeforePublishing:
    """For a ModelAdmin whose saves publish the ruleset: the save is previewed first."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST" or PUBLISH in request.POST:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic():
            with publishing_suspended(), previewing():
                response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()  # an invalid form, shown again while its rows still are
            transaction.set_rollback(True)
        return response

    def _preview_page(self, request: HttpRequest, obj: Model) -> HttpResponse:
        candidate = build_content(RuleModels.live())
        context = {
            **self.admin_site.each_context(request),
            **what_it_would_change(candidate),
            "title": f"Preview: {obj}",
            "opts": self.opts,
            "subject": obj,
            "fields": [
                (name, value)
                for name, values in request.POST.lists()
                if name not in ("csrfmiddlewaretoken", PUBLISH, NOTE)
                for value in values
            ],
            "note": self._change_note(request, obj),
            "action": request.get_full_path(),
        }
        return render(request, "admin/advisor/preview_publication.html", context)

    def _change_note(self, request: HttpRequest, obj: Model) -> str:
        return getattr(request, "_ruleset_change_note", "") or f"{obj} changed."

    def response_add(self, request: HttpRequest, obj: Model, *args, **kwargs):
        if is_previewing():
            return self._preview_page(request, obj)
        return super().response_add(request, obj, *args, **kwargs)

    def response_change(self, request: HttpRequest, obj: Model):
        if is_previewing():
            return self._preview_page(request, obj)
        return super().response_change(request, obj)


class RestoreViews:
    """Restore an earlier version, or the defaults, as a new publication: the same preview
    first, then a POST with `_publish` publishes. For the RulesetVersion admin."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/restore/",
                wrap(self.restore_version_view),
                name="advisor_rulesetversion_restore",
            ),
            path(
                "restore-defaults/",
                wrap(self.restore_defaults_view),
                name="advisor_rulesetversion_restore_defaults",
            ),
            *super().get_urls(),
        ]

    def restore_version_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(RulesetVersion, pk=pk)
        return self._restore(
            request,
            current_form(version.content),
            title=f"Restore {version.label}",
            note=f"Restored {version.label}.",
            publish=lambda user, note: restore_version(version, user=user, note=note),
        )

    def restore_defaults_view(self, request: HttpRequest) -> HttpResponse:
        document = defaults_document()
        return self._restore(
            request,
            document,
            title="Restore the defaults",
            note="Restored the defaults.",
            publish=lambda user, note: publish_document(document, user=user, note=note),
        )

    def _restore(self, request, document, *, title, note, publish) -> HttpResponse:
        if not can_publish(request):
            raise PermissionDenied
        if request.method == "POST" and PUBLISH in request.POST:
            given = request.POST.get(NOTE, "").strip()[:MAX_NOTE]
            version = publish(request.user, given or note)
            messages.success(request, f"Published ruleset {version.label}: {version.note}")
            return HttpResponseRedirect(
                reverse("admin:advisor_rulesetversion_change", args=[version.pk])
            )
        context = {
            **self.admin_site.each_context(request),
            **what_it_would_change(document),
            "title": title,
            "opts": self.opts,
            "subject": title,
            "fields": [],
            "note": note,
            "action": request.get_full_path(),
        }
        return render(request, "admin/advisor/preview_publication.html", context)


def register_note(request: HttpRequest, note: str) -> None:
    """The change message of the edit being previewed, offered as the version's note."""
    request._ruleset_change_note = note
