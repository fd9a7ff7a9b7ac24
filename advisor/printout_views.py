"""An assessment to take out: its print layout and its Markdown download. Guarded by
`orgs.access.organization_view`: any member may read them, non-members get 404."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from advisor.models import Assessment
from advisor.printout import printout, to_markdown
from orgs.access import organization_view
from orgs.htmx import HtmxHttpRequest
from orgs.models import Membership, Organization


def _assessment(organization: Organization, pk: int) -> Assessment:
    assessment = get_object_or_404(
        organization.assessments.select_related("ruleset").defer("archive", "ruleset__content"),
        pk=pk,
    )
    assessment.organization = organization
    return assessment


@organization_view()
@require_safe
def assessment_print(
    request: HtmxHttpRequest, organization: Organization, membership: Membership, pk: int
) -> TemplateResponse:
    """Every product on a page of its own, then the people and squads with findings; no
    buttons or navigation on paper."""
    assessment = _assessment(organization, pk)
    context = {"organization": organization, "doc": printout(assessment)}
    return TemplateResponse(request, "advisor/assessment_print.html", context)


@organization_view()
@require_safe
def assessment_markdown(
    request: HtmxHttpRequest, organization: Organization, membership: Membership, pk: int
) -> HttpResponse:
    """The assessment as a Markdown file to paste into a document."""
    assessment = _assessment(organization, pk)
    text = to_markdown(
        printout(assessment), url=request.build_absolute_uri(assessment.get_absolute_url())
    )
    name = f"{slugify(organization.name) or 'organization'}-{assessment.as_of}-advice.md"
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
