"""Inviting a colleague by e-mail with a role: an owner sends a link that works once and
expires; the person it was sent to accepts it, signing up through it if they have no
account (docs/access.md, "Invitations")."""

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from orgs.access import organization_view
from orgs.forms import InvitationForm, InvitedSignupForm, create_account
from orgs.htmx import HtmxHttpRequest
from orgs.models import Invitation, MemberRole, Membership, Organization
from orgs.views.members import member_list_response


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@organization_view(min_role=MemberRole.OWNER, live_only=True)
@require_POST
def invitation_create(
    request: HtmxHttpRequest, organization: Organization, membership: Membership
) -> HttpResponse:
    """Mail a one-time link to join with a role; an earlier pending invitation of the same
    address is withdrawn, so the newest link is the one that works."""
    form = InvitationForm(request.POST, organization=organization, auto_id="invite-%s")
    if not form.is_valid():
        return member_list_response(request, organization, membership, invite_form=form)
    email, role = form.cleaned_data["email"], form.cleaned_data["role"]
    token = secrets.token_urlsafe(32)
    days = settings.INVITATION_VALID_DAYS
    with transaction.atomic():
        organization.invitations.pending().filter(email__iexact=email).delete()
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            token_hash=token_hash(token),
            invited_by=request.user,
            expires_at=timezone.now() + timedelta(days=days),
        )
    link = request.build_absolute_uri(reverse("orgs:invitation_accept", args=[token]))
    body = render_to_string(
        "orgs/mail/invitation.txt",
        {"invitation": invitation, "inviter": request.user, "link": link, "days": days},
    )
    EmailMessage(
        f"{request.user.get_username()} invites you to {organization.name}", body, None, [email]
    ).send()
    messages.success(
        request,
        f"Invitation sent to {email} as {invitation.get_role_display().lower()}: "
        f"the link works once, for {days} days.",
    )
    return redirect("orgs:member_list", slug=organization.slug)


@organization_view(min_role=MemberRole.OWNER, live_only=True)
@require_POST
def invitation_withdraw(
    request: HtmxHttpRequest, organization: Organization, membership: Membership, pk: int
) -> HttpResponse:
    invitation = get_object_or_404(organization.invitations.pending(), pk=pk)
    invitation.delete()
    messages.success(request, f"The invitation of {invitation.email} is withdrawn.")
    return redirect("orgs:member_list", slug=organization.slug)


def _refused(request: HtmxHttpRequest, reason: str, status: int) -> TemplateResponse:
    return TemplateResponse(
        request, "orgs/invitation_invalid.html", {"reason": reason}, status=status
    )


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HtmxHttpRequest, token: str) -> HttpResponse:
    """The link of an invitation. Signed in as the invited address: accept it. Signed out:
    sign up with that address, or log in and come back. Used, expired, withdrawn or made up:
    refused, saying which (a made-up token cannot tell the others apart)."""
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None:
        return _refused(
            request, "This invitation link is not valid: it was withdrawn or mistyped.", 404
        )
    if invitation.accepted_at is not None:
        return _refused(request, "This invitation link has been used: it works once.", 410)
    if invitation.expired:
        expired = timezone.localtime(invitation.expires_at)
        return _refused(
            request,
            f"This invitation link expired on {expired.day} {expired:%B %Y}: "
            "ask the owner who sent it for a new one.",
            410,
        )
    if not _backed(invitation):
        return _refused(request, _WITHDRAWN, 410)
    User = get_user_model()
    context = {"invitation": invitation, "organization": invitation.organization}
    if request.user.is_authenticated:
        if request.user.email.casefold() != invitation.email.casefold():
            context["wrong_user"] = True
            return TemplateResponse(request, "orgs/invitation.html", context, status=403)
        if request.method == "POST":
            return _accept(request, invitation, request.user)
        return TemplateResponse(request, "orgs/invitation.html", context)
    context["has_account"] = User.objects.filter(email__iexact=invitation.email).exists()
    form = None
    if not context["has_account"]:
        form = InvitedSignupForm(
            request.POST if request.method == "POST" else None, email=invitation.email
        )
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                user = create_account(form)
                # A user name or the address taken meanwhile: said on the form, below.
                response = _accept(request, invitation, user) if user else None
                if response is not None and response.status_code != 302:
                    # Used by someone else meanwhile: no account without the membership.
                    transaction.set_rollback(True)
                    return response
            if response is not None:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return response
    context["form"] = form
    context["login_url"] = f"{reverse('login')}?{urlencode({'next': request.path})}"
    return TemplateResponse(request, "orgs/invitation.html", context)


_WITHDRAWN = (
    "This invitation was withdrawn: whoever sent it no longer manages the members. "
    "Ask an owner for a new one."
)


def _backed(invitation: Invitation) -> bool:
    return Invitation.objects.backed().filter(pk=invitation.pk).exists()


def _accept(request: HtmxHttpRequest, invitation: Invitation, user) -> HttpResponse:
    """Use the invitation: the first to mark it used joins, while its sender is still an
    owner; the link never works again."""
    organization = invitation.organization
    with transaction.atomic():
        used = (
            Invitation.objects.pending()
            .backed()
            .filter(pk=invitation.pk)
            .update(accepted_at=timezone.now(), accepted_by=user)
        )
        if not used:
            if not _backed(invitation):
                return _refused(request, _WITHDRAWN, 410)
            return _refused(request, "This invitation link has been used: it works once.", 410)
        existing = organization.memberships.filter(user=user).first()
        if existing is None:
            try:
                with transaction.atomic():
                    Membership.objects.create(
                        organization=organization, user=user, role=invitation.role
                    )
            except IntegrityError:  # joined meanwhile by another way
                existing = organization.memberships.get(user=user)
    if existing is not None:
        messages.info(
            request,
            f"You were already a member of {organization.name}, as "
            f"{existing.get_role_display().lower()}; your role is unchanged.",
        )
    else:
        messages.success(
            request,
            f"Welcome to {organization.name}: you are {invitation.get_role_display().lower()}.",
        )
    return redirect(organization)
