"""Preview before publishing, in the admin: a rule edit is first shown with what it would change,
and published only when the admin confirms.

The first submit of a change form saves the edit inside a transaction that is rolled back
(no version is published, nothing is logged), builds the ruleset document the edit would
publish, and shows: the difference from the version in force (heuristic, field, old, new),
split and merge heuristics that would meet, and for each organization's latest assessed
facts the products whose verdict or findings would change. The confirmation page posts
the same form again with `_publish` and a note: that second submit saves and publishes.
Deleting (one object, or the changelist's "delete selected" action) and the changelist's
editable columns go through the same page: their first submit runs rolled back and is
previewed; confirmed, they publish exactly one version, with the note.
Restoring a version or the defaults goes through the same page (`RestoreViews`).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib import messages
from django.contrib.admin.options import IS_POPUP_VAR
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
    current_form,
    defaults_document,
    preview,
    publish_document,
    restore_version,
    shown_changes,
    validate_ruleset,
    version_diff,
)
from advisor.rulesets import (
    MAX_NOTE,
    RuleModels,
    build_content,
    content_digest,
    note_problem,
    publish_ruleset,
    publishing_suspended,
)

# Problems named when a restore is refused; the rest are counted.
MOST_PROBLEMS_SHOWN = 5

PUBLISH = "_publish"
NOTE = "_note"
# The permission that lets a staff member edit and publish the rules.
EDIT_RULES = "advisor.change_heuristic"

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


def in_force() -> RulesetVersion | None:
    return RulesetVersion.objects.order_by("-number").first()


def what_it_would_change(
    candidate: dict[str, Any], current: RulesetVersion | None = None
) -> dict[str, Any]:
    """The preview of a candidate ruleset document against the version in force (`current`,
    read here when not given)."""
    current = current or in_force()
    usable, _ = usable_heuristics(ruleset_from_content(candidate).heuristics)
    return {
        "version": current,
        "changes": shown_changes(version_diff(current.content if current else None, candidate)),
        "overlaps": [str(o) for o in opposing_overlaps(usable)],
        "organizations": preview(candidate, current=current, after=usable),
    }


def can_publish(request: HttpRequest) -> bool:
    return request.user.is_active and request.user.is_staff and request.user.has_perm(EDIT_RULES)


# The number of the version in force when a preview was shown, posted back with its
# confirmation: another version published in between makes the preview stale.
BASED_ON = "_based_on"


def _latest_number() -> int | None:
    return RulesetVersion.objects.order_by("-number").values_list("number", flat=True).first()


def previewed_again_if_stale(request: HttpRequest) -> None:
    """When a preview's confirmation comes after another version was published (two admins
    at once), take it back to a preview: nothing is saved, and the preview is made again
    from today's rules, where confirming would have silently undone the other change."""
    based_on = request.POST.get(BASED_ON)
    if PUBLISH not in request.POST or based_on is None or based_on == str(_latest_number()):
        return
    request.POST = request.POST.copy()
    request.POST.pop(PUBLISH)
    request.POST.pop(BASED_ON)
    messages.warning(
        request,
        "The rules changed since that preview: another version was published. Nothing was "
        "saved; here is the preview again, from the rules in force now.",
    )


def refused_note(request: HttpRequest) -> HttpResponse | None:
    """When the note given to publish with cannot be stored: nothing is saved or published,
    and the page it came from is shown again saying why."""
    problem = note_problem(request.POST.get(NOTE, ""))
    if problem is None:
        return None
    messages.error(request, f"Nothing was published: the note {problem}.")
    return HttpResponseRedirect(request.get_full_path())


class PreviewBeforePublishing:
    """For a ModelAdmin whose saves and deletes publish the ruleset: each is previewed first.

    A change form's first submit, a deletion's "Yes, I'm sure", and a changelist POST
    (its editable columns saved, or an action such as "delete selected" confirmed) run
    inside a transaction that is rolled back, with publishing suspended; if they would
    have changed the rules, the preview page is shown instead, posting the same fields
    again with `_publish`. That second POST does the work with publishing suspended and
    publishes one version, with the admin's note."""

    # Django's "Are you sure?" pages, saying that the preview comes next.
    delete_confirmation_template = "admin/advisor/delete_confirmation_previewed.html"
    delete_selected_confirmation_template = (
        "admin/advisor/delete_selected_confirmation_previewed.html"
    )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST":
            previewed_again_if_stale(request)
        publishing = request.method == "POST" and PUBLISH in request.POST
        if publishing and (refused := refused_note(request)):
            return refused
        if request.method != "POST" or PUBLISH in request.POST:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with transaction.atomic():
            with publishing_suspended(), previewing():
                response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()  # an invalid form, shown again while its rows still are
            transaction.set_rollback(True)
        return response

    def delete_view(self, request, object_id, extra_context=None):
        view = super().delete_view
        if request.method != "POST" or "post" not in request.POST:
            return view(request, object_id, extra_context)  # Django's "Are you sure?" page
        run = lambda: view(request, object_id, extra_context)  # noqa: E731
        previewed_again_if_stale(request)
        if PUBLISH in request.POST:
            return self._publish_once(request, run)
        return self._preview_of(request, run, title=f"Preview: delete {self._deleted(object_id)}")

    def changelist_view(self, request, extra_context=None):
        view = super().changelist_view
        if request.method != "POST":
            return view(request, extra_context)
        run = lambda: view(request, extra_context)  # noqa: E731
        previewed_again_if_stale(request)
        if PUBLISH in request.POST:
            return self._publish_once(request, run)
        plural = self.opts.verbose_name_plural
        if "_save" not in request.POST and request.POST.get("action") == "delete_selected":
            title = f"Preview: delete the selected {plural}"
        else:
            title = f"Preview: {plural} edited in the list"
        return self._preview_of(request, run, title=title)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # "Deleted successfully" and the like are not said of what a preview rolled back.
        if is_previewing() and level == messages.SUCCESS:
            return
        super().message_user(request, message, level, *args, **kwargs)

    def _deleted(self, object_id: str) -> str:
        try:
            obj = self.model._default_manager.filter(pk=object_id).first()
        except (ValueError, TypeError):
            obj = None
        return f"{self.opts.verbose_name} “{obj}”" if obj is not None else "it"

    def _preview_of(self, request: HttpRequest, run, *, title: str) -> HttpResponse:
        """Run the view rolled back; where it did its work (it answered with a redirect, or
        a popup's reply) and that would change the rules, the preview page instead. Any
        other answer (a confirmation page, a form with errors, a redirect that changed
        nothing) is rendered while its rows still are, and given as it is."""
        with transaction.atomic():
            with publishing_suspended(), previewing():
                response = run()
                done = response.status_code == 302 or IS_POPUP_VAR in request.POST
                candidate = build_content(RuleModels.live()) if done else None
                current = in_force()
                if candidate is not None and (
                    current is None or current.digest != content_digest(candidate)
                ):
                    response = self._render_preview(
                        request, candidate, title=title, note=self._noted(request), current=current
                    )
                elif hasattr(response, "render"):
                    response.render()
            transaction.set_rollback(True)
        return response

    def _publish_once(self, request: HttpRequest, run) -> HttpResponse:
        """Run the view with publishing suspended, then publish one version with the note
        (none when the rows end as the version in force has them). A note that cannot be
        stored changes nothing: the page says why and is shown again."""
        if refused := refused_note(request):
            return refused
        request._ruleset_publishing_once = True
        with transaction.atomic():
            number = RulesetVersion.objects.order_by("-number").values_list("number", flat=True)
            in_force_number = number.first()
            with publishing_suspended():
                response = run()
            note = request.POST.get(NOTE, "").strip() or self._noted(request)
            version = publish_ruleset(user=request.user, note=note[:MAX_NOTE])
            if version.number != in_force_number:
                messages.success(request, f"Published ruleset {version.label}: {version.note}")
        return response

    def _noted(self, request: HttpRequest) -> str:
        # One a row changed: cut to what a version's note holds.
        notes = getattr(request, "_ruleset_change_notes", [])
        noted = "; ".join(notes) or f"{self.opts.verbose_name_plural} changed.".capitalize()
        return noted if len(noted) <= MAX_NOTE else noted[: MAX_NOTE - 1] + "…"

    def _render_preview(
        self,
        request: HttpRequest,
        candidate: dict[str, Any],
        *,
        title: str,
        note: str,
        current: RulesetVersion | None = None,
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            **what_it_would_change(candidate, current),
            "title": title,
            "opts": self.opts,
            "fields": [
                (name, value)
                for name, values in request.POST.lists()
                if name not in ("csrfmiddlewaretoken", PUBLISH, NOTE)
                for value in values
            ],
            "note": note,
            "action": request.get_full_path(),
            "based_on": _latest_number(),
        }
        return render(request, "admin/advisor/preview_publication.html", context)

    def _preview_page(self, request: HttpRequest, obj: Model) -> HttpResponse:
        candidate = build_content(RuleModels.live())
        note = getattr(request, "_ruleset_change_notes", None)
        return self._render_preview(
            request,
            candidate,
            title=f"Preview: {obj}",
            note="; ".join(note) if note else f"{obj} changed.",
        )

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
        problems = validate_ruleset(document)
        if problems:
            # An old version may break a rule made since (a limit on a text's length, say).
            shown = "; ".join(str(problem) for problem in problems[:MOST_PROBLEMS_SHOWN])
            more = len(problems) - MOST_PROBLEMS_SHOWN
            messages.error(
                request,
                f"{title} is refused: it breaks today's rules: {shown}"
                + (f"; and {more} more." if more > 0 else "."),
            )
            return HttpResponseRedirect(reverse("admin:advisor_rulesetversion_changelist"))
        if request.method == "POST":
            previewed_again_if_stale(request)
        if request.method == "POST" and PUBLISH in request.POST:
            if refused := refused_note(request):
                return refused
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
            "based_on": _latest_number(),
        }
        return render(request, "admin/advisor/preview_publication.html", context)


def publishing_once(request: HttpRequest) -> bool:
    """Whether the request's rows are saved now and published as one version after."""
    return getattr(request, "_ruleset_publishing_once", False)


def register_note(request: HttpRequest, note: str) -> None:
    """The change message of an edit or deletion being previewed or published, offered as
    the version's note (several, from a changelist, joined)."""
    if not hasattr(request, "_ruleset_change_notes"):
        request._ruleset_change_notes = []
    request._ruleset_change_notes.append(note)
