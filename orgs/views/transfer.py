"""Uploading an interchange document, and downloading an organization as one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods, require_safe

from orgs.access import organization_view
from orgs.forms import ImportForm
from orgs.htmx import HtmxHttpRequest
from orgs.interchange import (
    InterchangeError,
    dumps,
    export_document,
    import_document,
    parse_document,
    read_document,
)
from orgs.models import Membership, Organization


@login_required
@require_http_methods(["GET", "POST"])
def organization_import(request: HtmxHttpRequest) -> HttpResponse:
    """Create an organization from a document, or replace one the user owns; all or nothing."""
    form = ImportForm(request.POST or None, request.FILES or None)
    problems, problem_count = [], 0
    if request.method == "POST" and form.is_valid():
        try:
            data = parse_document(read_document(form.cleaned_data["document"]))
            organization = import_document(
                data, replace=form.cleaned_data["replace"], user=request.user
            )
        except InterchangeError as e:
            problems, problem_count = e.problems, e.count
        else:
            messages.success(request, f"{organization.name} imported.")
            return redirect(organization)
    context = {"form": form, "problems": problems, "problem_count": problem_count}
    return TemplateResponse(request, "orgs/organization_import.html", context)


@organization_view()
@require_safe
def organization_export(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> HttpResponse:
    """The organization as a JSON document to download."""
    response = HttpResponse(
        dumps(export_document(organization)), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{organization.slug}.json"'
    return response
