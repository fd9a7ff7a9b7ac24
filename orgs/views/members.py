"""Members of an organization: everyone may see who they are; owners add, change and remove."""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from orgs.access import organization_view
from orgs.forms import InvitationForm, MemberAddForm, MemberRoleForm
from orgs.htmx import HtmxHttpRequest
from orgs.models import Invitation, MemberRole, Membership, Organization


def member_list_response(
    request: HtmxHttpRequest,
    organization: Organization,
    membership: Membership,
    add_form: MemberAddForm | None = None,
    invite_form: InvitationForm | None = None,
) -> TemplateResponse:
    members = organization.memberships.select_related("user").order_by("user__username")
    context = {
        "organization": organization,
        "membership": membership,
        "members": members,
        "add_form": add_form or MemberAddForm(organization=organization, auto_id="member-%s"),
        "roles": MemberRole.choices,
    }
    if membership.can_manage_members:
        context["invite_form"] = invite_form or InvitationForm(
            organization=organization, auto_id="invite-%s"
        )
        # Those that can still be accepted: their sender is an owner now.
        context["invitations"] = (
            organization.invitations.pending().backed().select_related("invited_by")
        )
        context["invitation_days"] = settings.INVITATION_VALID_DAYS
    return TemplateResponse(request, "orgs/member_list.html", context)


@organization_view(live_only=True)
@require_safe
def member_list(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> TemplateResponse:
    """Who belongs to the organization, and in which role."""
    return member_list_response(request, organization, membership)


@organization_view(min_role=MemberRole.OWNER, live_only=True)
@require_POST
def member_add(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> HttpResponse:
    """Give an existing user a role in the organization."""
    form = MemberAddForm(request.POST, organization=organization, auto_id="member-%s")
    if not form.is_valid():
        return member_list_response(request, organization, membership, add_form=form)
    user = form.cleaned_data["user"]
    Membership.objects.create(organization=organization, user=user, role=form.cleaned_data["role"])
    messages.success(request, f"{user.get_username()} added.")
    return redirect("orgs:member_list", slug=organization.slug)


def _withdrawn_words(count: int) -> str:
    if not count:
        return ""
    return (
        f" The {count} pending invitation{'s' if count != 1 else ''} they sent "
        f"{'were' if count != 1 else 'was'} withdrawn."
    )


def is_last_owner(organization: Organization, member: Membership) -> bool:
    """True when the member is the organization's only owner.

    Locks the owners' rows, so two owners demoting each other at once cannot
    leave the organization with none; call it inside a transaction.
    """
    owners = list(
        organization.memberships.select_for_update()
        .filter(role=MemberRole.OWNER)
        .values_list("pk", flat=True)
    )
    return owners == [member.pk]


@organization_view(min_role=MemberRole.OWNER, live_only=True)
@require_POST
def member_role(
    request: HtmxHttpRequest, organization: Organization, membership: Membership, pk: int
) -> HttpResponse:
    """Change a member's role; the last owner stays an owner."""
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose owner, editor or viewer.")
        return redirect("orgs:member_list", slug=organization.slug)
    with transaction.atomic():
        member = get_object_or_404(organization.memberships.select_related("user"), pk=pk)
        role = form.cleaned_data["role"]
        if role != MemberRole.OWNER and is_last_owner(organization, member):
            messages.error(
                request,
                f"{member.user.get_username()} is the last owner: "
                "make someone else an owner first.",
            )
        else:
            was_owner = member.role == MemberRole.OWNER
            member.role = role
            member.save(update_fields=["role"])
            withdrawn = 0
            if was_owner and role != MemberRole.OWNER:
                withdrawn = Invitation.objects.withdraw_sent_by(organization, member.user_id)
            messages.success(
                request,
                f"{member.user.get_username()} is now {member.get_role_display().lower()}."
                + _withdrawn_words(withdrawn),
            )
    return redirect("orgs:member_list", slug=organization.slug)


@organization_view(min_role=MemberRole.OWNER, live_only=True)
@require_http_methods(["GET", "POST"])
def member_remove(
    request: HtmxHttpRequest, organization: Organization, membership: Membership, pk: int
) -> HttpResponse:
    """Remove a member after a confirmation; the last owner cannot be removed."""
    member = get_object_or_404(organization.memberships.select_related("user"), pk=pk)
    name = member.user.get_username()
    if request.method == "POST":
        with transaction.atomic():
            if is_last_owner(organization, member):
                messages.error(
                    request, f"{name} is the last owner: make someone else an owner first."
                )
                return redirect("orgs:member_list", slug=organization.slug)
            member.delete()
            withdrawn = Invitation.objects.withdraw_sent_by(organization, member.user_id)
        messages.success(request, f"{name} removed." + _withdrawn_words(withdrawn))
        if member.user_id == request.user.pk:
            return redirect("orgs:organization_list")
        return redirect("orgs:member_list", slug=organization.slug)
    context = {
        "organization": organization,
        "membership": membership,
        "title": f"Remove {name} from {organization.name}?",
        "consequences": [f"{name} will no longer see or change {organization.name}."],
        "confirm_label": "Remove",
        "cancel_url": reverse("orgs:member_list", kwargs={"slug": organization.slug}),
    }
    return TemplateResponse(request, "orgs/confirm_delete.html", context)
