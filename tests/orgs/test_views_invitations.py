"""Inviting a colleague by e-mail with a role, through a link that works once and expires."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from orgs.models import Invitation, MemberRole, Membership
from tests.factories import InvitationFactory, MembershipFactory, UserFactory
from tests.helpers import field_errors, login

TOKEN = "a-made-up-token-for-the-tests"


def link(token: str = TOKEN) -> str:
    return reverse("orgs:invitation_accept", args=[token])


def invitation(organization, **fields) -> Invitation:
    return InvitationFactory(organization=organization, token=TOKEN, **fields)


def joined():
    """The memberships besides those of the owners who sent the invitations."""
    return Membership.objects.exclude(user_id__in=Invitation.objects.values("invited_by_id"))


class TestSending:
    def test_an_owner_mails_a_one_time_link_and_only_its_hash_is_kept(
        self, owner_client, organization, settings
    ):
        settings.INVITATION_VALID_DAYS = 7
        response = owner_client.post(
            reverse("orgs:invitation_create", args=[organization.slug]),
            {"email": "bea@example.com", "role": MemberRole.VIEWER},
        )
        assert response.status_code == 302
        [message] = mail.outbox
        assert message.to == ["bea@example.com"]
        assert message.subject == f"{owner_client.user.username} invites you to Acme"
        assert "as viewer" in message.body and "works once, for 7 days" in message.body
        token = re.search(r"http://testserver/invitations/([\w-]+)/", message.body)[1]
        stored = Invitation.objects.get()
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in str(Invitation.objects.values().get())
        assert (stored.email, stored.role, stored.invited_by) == (
            "bea@example.com",
            MemberRole.VIEWER,
            owner_client.user,
        )
        assert timedelta(days=6, hours=23) < stored.expires_at - timezone.now() <= timedelta(7)
        page = owner_client.get(reverse("orgs:member_list", args=[organization.slug]))
        assert '<th scope="row">bea@example.com</th>' in page.content.decode()

    @pytest.mark.parametrize(("days", "said"), [(1, "for 1 day;"), (14, "for 14 days;")])
    def test_the_members_page_says_how_long_a_link_works_as_set(
        self, owner_client, organization, settings, days, said
    ):
        settings.INVITATION_VALID_DAYS = days
        page = owner_client.get(reverse("orgs:member_list", args=[organization.slug]))
        assert f"a link by e-mail that works once, {said}" in page.content.decode()

    def test_a_new_invitation_of_an_address_withdraws_the_pending_one(
        self, owner_client, organization
    ):
        old = invitation(organization, email="bea@example.com")
        owner_client.post(
            reverse("orgs:invitation_create", args=[organization.slug]),
            {"email": "Bea@Example.com", "role": MemberRole.EDITOR},
        )
        assert not Invitation.objects.filter(pk=old.pk).exists()
        assert Invitation.objects.count() == 1

    def test_a_member_address_is_refused_naming_the_field(self, owner_client, organization):
        MembershipFactory(organization=organization, user=UserFactory(email="bea@example.com"))
        response = owner_client.post(
            reverse("orgs:invitation_create", args=[organization.slug]),
            {"email": "bea@example.com", "role": MemberRole.EDITOR},
        )
        assert field_errors(response, "email") == ["bea@example.com is already a member of Acme."]
        assert mail.outbox == [] and not Invitation.objects.exists()

    @pytest.mark.parametrize("role, status", [("editor", 403), ("viewer", 403), (None, 404)])
    def test_only_owners_invite(self, make_client, organization, role, status):
        response = make_client(role).post(
            reverse("orgs:invitation_create", args=[organization.slug]),
            {"email": "bea@example.com", "role": MemberRole.OWNER},
        )
        assert response.status_code == status
        assert mail.outbox == [] and not Invitation.objects.exists()

    def test_an_owner_withdraws_one_and_its_link_stops_working(
        self, owner_client, editor_client, organization
    ):
        sent = invitation(organization)
        url = reverse("orgs:invitation_withdraw", args=[organization.slug, sent.pk])
        assert editor_client.post(url).status_code == 403
        assert owner_client.post(url).status_code == 302
        assert not Invitation.objects.exists()
        assert login(UserFactory(email=sent.email)).get(link()).status_code == 404


class TestAccepting:
    def test_the_invited_person_logged_in_accepts_and_joins_with_the_role(self, organization):
        sent = invitation(organization, role=MemberRole.VIEWER, email="bea@example.com")
        bea = login(UserFactory(username="bea", email="Bea@example.com"))
        page = bea.get(link())
        assert "Accept the invitation" in page.content.decode()
        response = bea.post(link())
        assert response["Location"] == organization.get_absolute_url()
        assert Membership.objects.get(user__username="bea").role == MemberRole.VIEWER
        sent.refresh_from_db()
        assert sent.accepted_at is not None and sent.accepted_by.username == "bea"

    def test_it_works_once(self, organization):
        invitation(organization, email="bea@example.com")
        bea = login(UserFactory(email="bea@example.com"))
        bea.post(link())
        for method in (bea.get, bea.post):
            response = method(link())
            assert response.status_code == 410
            assert "it works once" in response.content.decode()
        assert joined().filter(organization=organization).count() == 1

    def test_an_expired_link_is_refused(self, organization):
        invitation(organization, email="bea@example.com", expires_at=timezone.now() - timedelta(1))
        bea = login(UserFactory(email="bea@example.com"))
        response = bea.post(link())
        assert response.status_code == 410
        assert "This invitation link expired on" in response.content.decode()
        assert not joined().exists()

    def test_someone_else_logged_in_cannot_use_it(self, organization):
        sent = invitation(organization, email="bea@example.com")
        carl = login(UserFactory(username="carl", email="carl@example.com"))
        for method in (carl.get, carl.post):
            response = method(link())
            assert response.status_code == 403
            assert "this invitation is for bea@example.com" in response.content.decode()
        sent.refresh_from_db()
        assert sent.accepted_at is None and not joined().exists()

    def test_a_made_up_token_is_not_found(self, organization):
        invitation(organization)
        assert login(UserFactory()).get(link("not-the-token")).status_code == 404

    def test_an_existing_member_keeps_their_role(self, organization):
        bea_user = UserFactory(email="bea@example.com")
        MembershipFactory(organization=organization, user=bea_user, role=MemberRole.OWNER)
        invitation(organization, email="bea@example.com", role=MemberRole.VIEWER)
        login(bea_user).post(link())
        assert Membership.objects.get(user=bea_user).role == MemberRole.OWNER


class TestSendersNoLongerOwners:
    """An invitation is no more than its sender could do today: an owner demoted or removed
    cannot come back through an invitation sent before."""

    def test_demoting_an_owner_withdraws_the_invitations_they_sent(self, organization):
        sent = invitation(organization, email="bea@example.com", role=MemberRole.OWNER)
        other = InvitationFactory(organization=organization, email="cy@example.com")
        sender = Membership.objects.get(user=sent.invited_by)
        client = login(MembershipFactory(organization=organization, role=MemberRole.OWNER).user)
        response = client.post(
            reverse("orgs:member_role", args=[organization.slug, sender.pk]),
            {"role": MemberRole.EDITOR},
            follow=True,
        )
        assert "The 1 pending invitation they sent was withdrawn." in response.content.decode()
        assert list(Invitation.objects.all()) == [other]
        bea = login(UserFactory(email="bea@example.com"))
        assert bea.post(link()).status_code == 404
        assert not Membership.objects.filter(user__email="bea@example.com").exists()

    def test_removing_an_owner_withdraws_the_invitations_they_sent(self, organization):
        sent = invitation(organization, email="bea@example.com", role=MemberRole.OWNER)
        sender = Membership.objects.get(user=sent.invited_by)
        client = login(MembershipFactory(organization=organization, role=MemberRole.OWNER).user)
        response = client.post(
            reverse("orgs:member_remove", args=[organization.slug, sender.pk]), follow=True
        )
        assert "The 1 pending invitation they sent was withdrawn." in response.content.decode()
        assert not Invitation.objects.exists()

    def test_the_members_page_lists_only_invitations_that_can_still_be_accepted(self, organization):
        kept = invitation(organization, email="bea@example.com")
        stale = InvitationFactory(organization=organization, email="cy@example.com")
        stale.invited_by.delete()
        client = login(MembershipFactory(organization=organization, role=MemberRole.OWNER).user)
        page = client.get(reverse("orgs:member_list", args=[organization.slug]))
        assert list(page.context["invitations"]) == [kept]
        assert "cy@example.com" not in page.content.decode()

    @pytest.mark.parametrize("change", ["demoted behind the views", "account deleted"])
    def test_a_link_whose_sender_is_no_longer_an_owner_is_refused(self, organization, change):
        sent = invitation(organization, email="bea@example.com", role=MemberRole.OWNER)
        if change == "account deleted":
            sent.invited_by.delete()
        else:
            Membership.objects.filter(user=sent.invited_by).update(role=MemberRole.VIEWER)
        bea = login(UserFactory(email="bea@example.com"))
        for method in (bea.get, bea.post):
            response = method(link())
            assert response.status_code == 410
            assert "This invitation was withdrawn" in response.content.decode()
        sent.refresh_from_db()
        assert sent.accepted_at is None
        assert not Membership.objects.filter(user__email="bea@example.com").exists()

    def test_a_sender_demoted_between_the_page_and_the_post_is_refused(
        self, organization, monkeypatch
    ):
        from orgs.views import invitations

        sent = invitation(organization, email="bea@example.com", role=MemberRole.OWNER)
        bea = login(UserFactory(email="bea@example.com"))
        real = invitations._backed
        calls = []

        def demoted_after_the_first_check(invitation):
            calls.append(invitation)
            if len(calls) == 1:
                backed = real(invitation)
                Membership.objects.filter(user=sent.invited_by).update(role=MemberRole.EDITOR)
                return backed
            return real(invitation)

        monkeypatch.setattr(invitations, "_backed", demoted_after_the_first_check)
        response = bea.post(link())
        assert response.status_code == 410
        assert "This invitation was withdrawn" in response.content.decode()
        sent.refresh_from_db()
        assert sent.accepted_at is None


class TestSigningUpThroughTheLink:
    def test_a_person_without_an_account_signs_up_and_joins(self, client, organization):
        invitation(organization, email="bea@example.com", role=MemberRole.EDITOR)
        page = client.get(link()).content.decode()
        assert "Create your account" in page and "bea@example.com" in page
        response = client.post(
            link(),
            {
                "username": "bea",
                "password1": "a long pass phrase 42",
                "password2": "a long pass phrase 42",
            },
        )
        assert response["Location"] == organization.get_absolute_url()
        bea = get_user_model().objects.get(username="bea")
        assert bea.email == "bea@example.com"
        assert Membership.objects.get(user=bea).role == MemberRole.EDITOR
        assert client.get(organization.get_absolute_url()).status_code == 200
        client.logout()
        assert client.get(link()).status_code == 410

    def test_a_user_name_taken_meanwhile_is_said_on_the_form_and_the_link_still_works(
        self, client, organization, monkeypatch
    ):
        from orgs.forms import InvitedSignupForm

        sent = invitation(organization, email="bea@example.com")
        checked = InvitedSignupForm.is_valid

        def then_taken(form):
            valid = checked(form)
            UserFactory(username="bea", email="someone@example.com")
            return valid

        monkeypatch.setattr(InvitedSignupForm, "is_valid", then_taken)
        response = client.post(
            link(),
            {
                "username": "bea",
                "password1": "a long pass phrase 42",
                "password2": "a long pass phrase 42",
            },
        )
        assert response.status_code == 200
        assert field_errors(response, "username") == ["A user with that username already exists."]
        sent.refresh_from_db()
        assert sent.accepted_at is None
        assert not get_user_model().objects.filter(email="bea@example.com").exists()

    def test_a_bad_sign_up_names_the_field_and_keeps_the_link_usable(self, client, organization):
        sent = invitation(organization, email="bea@example.com")
        response = client.post(
            link(), {"username": "bea", "password1": "a long pass 42", "password2": "other"}
        )
        assert response.status_code == 200
        assert field_errors(response, "password2")
        sent.refresh_from_db()
        assert sent.accepted_at is None and not get_user_model().objects.filter(username="bea")

    def test_a_person_with_an_account_is_sent_to_log_in_and_back(self, client, organization):
        invitation(organization, email="bea@example.com")
        UserFactory(email="bea@example.com")
        page = client.get(link()).content.decode()
        assert "Create your account" not in page
        assert f'href="/accounts/login/?next=%2Finvitations%2F{TOKEN}%2F"' in page
        response = client.post(link(), {"username": "bea2", "password1": "x", "password2": "x"})
        assert response.status_code == 200
        assert not joined().exists()
