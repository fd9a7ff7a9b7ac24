"""Who may see and change an organization: one decorator guards every organization URL.

Roles rank viewer < editor < owner. A view decorated with
``@organization_view(min_role=...)`` is reached only by a signed-in member of the
organization named by the URL's ``slug`` whose role is at least ``min_role``:

- anonymous users are sent to the login page;
- users who are not members get 404, on every URL of the organization (pages and
  htmx endpoints alike), so an organization's existence is not revealed;
- members below ``min_role`` get 403.

The decorated view is called as ``view(request, organization, membership, **kwargs)``
with the URL's other keyword arguments. Put ``@organization_view`` outermost, above
``require_POST`` and friends, so that a non-member gets 404 whatever the method.
A what-if scenario (orgs.scenarios) has no members of its own: the live organization's
members reach it with their role there (`membership` is theirs in the live organization).
A scenario once applied stays as a record of what was applied: the views that need more
than the viewer's role (changing its content, assessing it, deciding on its advice,
deleting one of its assessments) refuse it (403), and `membership.can_edit` is false
there; its pages, and an owner's deleting it (`record_too`), stay.
Objects inside the organization must still be looked up through it
(``get_object_or_404(organization.products, pk=pk)``).

    @organization_view(min_role="editor")
    @require_POST
    def product_delete(request, organization, membership, pk): ...
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponseBase

from orgs.models import MemberRole, Membership, Organization

ROLE_RANK: dict[str, int] = {
    MemberRole.VIEWER: 0,
    MemberRole.EDITOR: 1,
    MemberRole.OWNER: 2,
}


def has_role(membership: Membership, min_role: str) -> bool:
    """True when the membership's role is at least `min_role`."""
    return ROLE_RANK[membership.role] >= ROLE_RANK[min_role]


def scenario_membership(slug: str, user) -> tuple[Organization, Membership]:
    """A what-if scenario (orgs.scenarios) and the user's membership of the live organization
    it copies, whose members it has: one query, or 404."""
    scenario = (
        Organization.objects.filter(
            slug=slug, scenario_of__isnull=False, scenario_of__memberships__user=user
        )
        .select_related("scenario_of")
        .annotate(
            member_role=F("scenario_of__memberships__role"),
            membership_pk=F("scenario_of__memberships__pk"),
            applied_at=F("scenario__applied_at"),
        )
        .first()
    )
    if scenario is None:
        raise Http404("No such organization.")
    membership = Membership(
        pk=scenario.membership_pk,
        organization=scenario.scenario_of,
        user=user,
        role=scenario.member_role,
    )
    membership.is_record = scenario.applied_at is not None
    return scenario, membership


def organization_view(
    min_role: str = MemberRole.VIEWER, *, live_only: bool = False, record_too: bool = False
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Give the view the URL's organization and the user's membership, or refuse (404/403).

    `live_only`: 404 for a what-if scenario, for what a scenario does not have of its own
    (members and invitations: they are its live organization's). `record_too`: a view
    above the viewer's role that an applied scenario, a record, still allows (deleting
    it; its application, which says it was applied)."""
    if min_role not in ROLE_RANK:
        raise ValueError(f"min_role must be one of {', '.join(ROLE_RANK)}, not {min_role!r}.")

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            membership = (
                Membership.objects.select_related("organization")
                .filter(organization__slug=slug, user=request.user)
                .first()
            )
            organization = membership.organization if membership else None
            if membership is None:
                organization, membership = scenario_membership(slug, request.user)
            if live_only and organization.scenario_of_id is not None:
                raise Http404("A scenario's members are its organization's.")
            if not has_role(membership, min_role):
                raise PermissionDenied(
                    f"This needs the {min_role} role in the organization: "
                    "an owner of the organization can change your role."
                )
            if membership.is_record and min_role != MemberRole.VIEWER and not record_too:
                raise PermissionDenied(
                    "This scenario was applied: it stays as a record of what was applied. "
                    "Copy a new scenario to try more changes."
                )
            return view(request, organization, membership, *args, **kwargs)

        return wrapper

    return decorator
