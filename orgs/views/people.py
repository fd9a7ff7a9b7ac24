"""Adding, editing and deleting people, in place on the organization page."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from orgs.access import organization_view
from orgs.forms import PersonForm
from orgs.htmx import HtmxHttpRequest
from orgs.models import MemberRole, Membership, Organization, Person, Role, TitlePattern
from orgs.titles import role_from_title
from orgs.views.editing import confirm_response, count_noun, form_response, save_form
from orgs.views.sections import people_page_of, saved, section_url

PERSON_FORM = "orgs/person_form.html"


def person_form_response(
    request: HtmxHttpRequest,
    organization: Organization,
    membership: Membership,
    form: PersonForm,
    page: int = 1,
) -> TemplateResponse:
    title = form["title"].value() if form.is_bound else form.instance.title
    title_role_url = reverse("orgs:person_title_role", kwargs={"slug": organization.slug})
    form.fields["title"].widget.attrs.update(
        {
            "hx-get": title_role_url,
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#title-role",
            "hx-swap": "innerHTML",
        }
    )
    context = {
        "organization": organization,
        "membership": membership,
        "person": form.instance if form.instance.pk else None,
        "section": "people",
        "cancel_url": section_url(organization, "people", page),
        "title_role": Role(role_from_title(title or "", TitlePattern.objects.rules())),
    }
    return form_response(request, PERSON_FORM, form, context)


@organization_view(min_role=MemberRole.EDITOR)
@require_http_methods(["GET", "POST"])
def person_create(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> HttpResponse:
    """Add a person: their title, manager, squads, time and responsibilities."""
    form = PersonForm(request.POST or None, organization=organization, auto_id="person-new-%s")
    if request.method == "POST" and form.is_valid() and (person := save_form(form)):
        return saved(
            request,
            organization,
            membership,
            section="people",
            message=f"{person} added.",
            page=people_page_of(person),
        )
    return person_form_response(request, organization, membership, form)


@organization_view(min_role=MemberRole.EDITOR)
@require_http_methods(["GET", "POST"])
def person_edit(
    request: HtmxHttpRequest, organization: Organization, membership: Membership, pk: int
) -> HttpResponse:
    """Change a person; their squads are saved in the same transaction."""
    person = get_object_or_404(organization.people, pk=pk)
    form = PersonForm(
        request.POST or None,
        instance=person,
        organization=organization,
        auto_id=f"person-{person.pk}-%s",
    )
    if request.method == "POST" and form.is_valid() and save_form(form):
        return saved(
            request,
            organization,
            membership,
            section="people",
            message=f"{person} saved.",
            page=people_page_of(person),
        )
    return person_form_response(request, organization, membership, form, people_page_of(person))


@organization_view(min_role=MemberRole.EDITOR)
@require_http_methods(["GET", "POST"])
def person_delete(
    request: HtmxHttpRequest, organization: Organization, membership: Membership, pk: int
) -> HttpResponse:
    """Delete a person, after saying whose reporting line it ends."""
    person = get_object_or_404(organization.people, pk=pk)
    page = people_page_of(person)
    if request.method == "POST":
        person.delete()
        return saved(
            request,
            organization,
            membership,
            section="people",
            message=f"{person} deleted.",
            page=page,
        )
    reports = person.reports.count()
    squads = person.squads.count()
    consequences = []
    if reports:
        consequences.append(
            f"{count_noun(reports, 'person who reports', 'people who report')} "
            "to them will report to nobody."
        )
    if squads:
        consequences.append(f"{count_noun(squads, 'squad loses', 'squads lose')} them.")
    context = {
        "organization": organization,
        "membership": membership,
        "section": "people",
        "cancel_url": section_url(organization, "people", page),
        "title": f"Delete {person}?",
        "consequences": consequences or ["Nobody reports to them and they serve no squad."],
        "confirm_label": "Delete person",
    }
    return confirm_response(request, context)


@organization_view(min_role=MemberRole.EDITOR)
@require_safe
def person_title_role(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> TemplateResponse:
    """The role a title gives, shown beside the title field as it is typed: of the title as
    the field keeps it, at most its length (the patterns' cost grows faster than the
    text)."""
    title = request.GET.get("title", "")[: Person._meta.get_field("title").max_length]
    context = {"title_role": Role(role_from_title(title, TitlePattern.objects.rules()))}
    return TemplateResponse(request, f"{PERSON_FORM}#title_role", context)
