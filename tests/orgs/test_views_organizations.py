"""The organization list, creating, settings, deleting, and managing members."""

import pytest
from django.urls import reverse

from orgs.models import MemberRole, Membership, Organization
from tests.factories import (
    AssessmentFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ProductFactory,
    SquadFactory,
    UserFactory,
)
from tests.helpers import assert_redirects_to, lose_the_slug_race


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


class TestOrganizationList:
    def test_lists_the_users_organizations_with_their_role(self, editor_client, organization):
        OrganizationFactory(name="Not mine")
        other = MembershipFactory(user=editor_client.user, role=MemberRole.VIEWER).organization
        response = editor_client.get(reverse("orgs:organization_list"))
        assert [m.organization for m in response.context["page_obj"]] == sorted(
            [organization, other], key=lambda o: o.name
        )
        html = response.content.decode()
        assert "Not mine" not in html
        assert '<span class="badge">editor</span>' in html
        assert '<span class="badge">viewer</span>' in html


@pytest.mark.django_db
class TestOrganizationCreate:
    def test_creator_becomes_owner(self, client):
        user = UserFactory()
        client.force_login(user)
        response = client.post(
            reverse("orgs:organization_create"),
            {"name": "Globex", "methodology": "kanban", "reassess_every_days": 30},
        )
        organization = Organization.objects.get(name="Globex")
        assert_redirects_to(response, organization.get_absolute_url())
        assert organization.methodology == "kanban"
        assert organization.reassess_every_days == 30
        assert Membership.objects.get(organization=organization).user == user
        assert Membership.objects.get(organization=organization).role == MemberRole.OWNER

    def test_two_people_creating_one_name_at_once_both_get_an_organization(
        self, client, monkeypatch
    ):
        user = UserFactory()
        client.force_login(user)
        picked = lose_the_slug_race(monkeypatch)
        response = client.post(
            reverse("orgs:organization_create"),
            {"name": "Globex", "methodology": "scrum", "reassess_every_days": 30},
        )
        mine = Organization.objects.get(memberships__user=user)
        assert picked == ["globex", "globex-2"]
        assert_redirects_to(response, mine.get_absolute_url())
        assert (mine.name, mine.slug) == ("Globex", "globex-2")
        assert list(Organization.objects.values_list("slug", flat=True)) == ["globex", "globex-2"]

    def test_refuses_a_reassess_period_of_zero(self, client):
        client.force_login(UserFactory())
        response = client.post(
            reverse("orgs:organization_create"),
            {"name": "Globex", "methodology": "scrum", "reassess_every_days": 0},
        )
        assert response.status_code == 200
        assert response.context["form"].errors == {
            "reassess_every_days": ["Ensure this value is greater than or equal to 1."]
        }
        assert not Organization.objects.exists()


class TestOrganizationSettings:
    def test_editor_changes_name_methodology_and_period_but_not_the_address(
        self, editor_client, organization
    ):
        slug = organization.slug
        response = editor_client.post(
            reverse("orgs:organization_settings", args=[slug]),
            {"name": "Acme Corp", "methodology": "none", "reassess_every_days": 45},
        )
        assert_redirects_to(response, f"/orgs/{slug}/")
        organization.refresh_from_db()
        assert (organization.name, organization.methodology, organization.reassess_every_days) == (
            "Acme Corp",
            "none",
            45,
        )
        assert organization.slug == slug


class TestOrganizationDelete:
    def test_confirmation_says_what_goes_with_it(self, owner_client, organization):
        product = ProductFactory(organization=organization)
        SquadFactory(product=product)
        SquadFactory(product=product)
        PersonFactory(organization=organization)
        AssessmentFactory(organization=organization)
        response = owner_client.get(reverse("orgs:organization_delete", args=[organization.slug]))
        assert response.context["summary"] == [
            "1 product",
            "2 squads",
            "1 person",
            "1 membership",
            "1 assessment",
        ]

    def test_owner_deletes_everything(self, owner_client, organization):
        product = ProductFactory(organization=organization)
        PersonFactory(organization=organization, squads=[SquadFactory(product=product)])
        response = owner_client.post(reverse("orgs:organization_delete", args=[organization.slug]))
        assert_redirects_to(response, reverse("orgs:organization_list"))
        assert not Organization.objects.filter(pk=organization.pk).exists()


class TestMembers:
    def test_owner_adds_a_member_by_user_name(self, owner_client, organization):
        UserFactory(username="sam")
        response = owner_client.post(
            reverse("orgs:member_add", args=[organization.slug]), {"user": "sam", "role": "editor"}
        )
        assert_redirects_to(response, reverse("orgs:member_list", args=[organization.slug]))
        assert organization.memberships.get(user__username="sam").role == "editor"

    def test_owner_adds_a_member_by_email(self, owner_client, organization):
        UserFactory(username="sam", email="sam@example.com")
        owner_client.post(
            reverse("orgs:member_add", args=[organization.slug]),
            {"user": "Sam@Example.com", "role": "viewer"},
        )
        assert organization.memberships.get(user__username="sam").role == "viewer"

    def test_adding_someone_unknown_says_so_beside_the_field(self, owner_client, organization):
        response = owner_client.post(
            reverse("orgs:member_add", args=[organization.slug]),
            {"user": "nobody", "role": "viewer"},
        )
        assert response.status_code == 200
        assert response.context["add_form"].errors == {
            "user": ["Nobody has the user name or email “nobody”."]
        }

    def test_adding_a_member_twice_is_refused(self, owner_client, organization):
        response = owner_client.post(
            reverse("orgs:member_add", args=[organization.slug]),
            {"user": owner_client.user.username, "role": "viewer"},
        )
        assert response.context["add_form"].errors == {
            "user": [f"{owner_client.user.username} is already a member."]
        }

    def test_owner_changes_a_role(self, owner_client, organization):
        member = MembershipFactory(organization=organization, role=MemberRole.VIEWER)
        owner_client.post(
            reverse("orgs:member_role", args=[organization.slug, member.pk]), {"role": "editor"}
        )
        member.refresh_from_db()
        assert member.role == "editor"

    def test_the_last_owner_cannot_be_demoted(self, owner_client, organization):
        own = organization.memberships.get(user=owner_client.user)
        response = owner_client.post(
            reverse("orgs:member_role", args=[organization.slug, own.pk]),
            {"role": "editor"},
            follow=True,
        )
        own.refresh_from_db()
        assert own.role == MemberRole.OWNER
        assert messages_of(response) == [
            f"{owner_client.user.username} is the last owner: make someone else an owner first."
        ]

    def test_the_last_owner_cannot_be_removed(self, owner_client, organization):
        own = organization.memberships.get(user=owner_client.user)
        response = owner_client.post(
            reverse("orgs:member_remove", args=[organization.slug, own.pk]), follow=True
        )
        assert Membership.objects.filter(pk=own.pk).exists()
        assert messages_of(response) == [
            f"{owner_client.user.username} is the last owner: make someone else an owner first."
        ]

    def test_an_owner_can_leave_when_another_owner_remains(self, owner_client, organization):
        MembershipFactory(organization=organization, role=MemberRole.OWNER)
        own = organization.memberships.get(user=owner_client.user)
        response = owner_client.post(
            reverse("orgs:member_remove", args=[organization.slug, own.pk])
        )
        assert_redirects_to(response, reverse("orgs:organization_list"))
        assert not Membership.objects.filter(pk=own.pk).exists()

    def test_removing_asks_for_confirmation_first(self, owner_client, organization):
        member = MembershipFactory(organization=organization, user=UserFactory(username="sam"))
        response = owner_client.get(
            reverse("orgs:member_remove", args=[organization.slug, member.pk])
        )
        assert response.status_code == 200
        assert response.context["title"] == "Remove sam from Acme?"
        assert Membership.objects.filter(pk=member.pk).exists()

    def test_a_member_of_another_organization_cannot_be_changed_through_this_one(
        self, owner_client, organization
    ):
        elsewhere = MembershipFactory(role=MemberRole.VIEWER)
        response = owner_client.post(
            reverse("orgs:member_role", args=[organization.slug, elsewhere.pk]), {"role": "owner"}
        )
        assert response.status_code == 404
        elsewhere.refresh_from_db()
        assert elsewhere.role == MemberRole.VIEWER
