"""Signing up, logging in and out, the lockout after failed logins, and password reset."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory
from tests.helpers import assert_redirects_to

PASSWORD = "correct-horse-battery"


@pytest.mark.django_db
class TestSignup:
    def test_creates_the_account_and_logs_in(self, client):
        response = client.post(
            reverse("orgs:signup"),
            {
                "username": "dana",
                "email": "dana@example.com",
                "password1": "a-long-passphrase-9",
                "password2": "a-long-passphrase-9",
            },
        )
        assert_redirects_to(response, reverse("orgs:organization_list"))
        user = get_user_model().objects.get(username="dana")
        assert user.email == "dana@example.com"
        assert client.session["_auth_user_id"] == str(user.pk)

    def test_refuses_an_email_already_used(self, client):
        UserFactory(username="sam", email="sam@example.com")
        response = client.post(
            reverse("orgs:signup"),
            {
                "username": "sam2",
                "email": "SAM@example.com",
                "password1": "a-long-passphrase-9",
                "password2": "a-long-passphrase-9",
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors == {
            "email": ["An account with this email address already exists."]
        }
        assert not get_user_model().objects.filter(username="sam2").exists()

    def test_form_has_a_label_for_every_input(self, client):
        html = client.get(reverse("orgs:signup")).content.decode()
        for field in ("username", "email", "password1", "password2"):
            assert f'<label for="id_{field}">' in html


@pytest.mark.django_db
class TestLogin:
    def test_logs_in_and_goes_to_the_organization_list(self, client):
        UserFactory(username="dana")
        response = client.post(reverse("login"), {"username": "dana", "password": PASSWORD})
        assert_redirects_to(response, reverse("orgs:organization_list"))

    def test_five_failures_lock_the_user_out_even_with_the_right_password(self, client):
        UserFactory(username="dana")
        for _ in range(5):
            client.post(reverse("login"), {"username": "dana", "password": "wrong"})
        response = client.post(reverse("login"), {"username": "dana", "password": PASSWORD})
        assert response.status_code == 429
        assert "Too many failed logins" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_four_failures_do_not_lock(self, client):
        UserFactory(username="dana")
        for _ in range(4):
            client.post(reverse("login"), {"username": "dana", "password": "wrong"})
        response = client.post(reverse("login"), {"username": "dana", "password": PASSWORD})
        assert_redirects_to(response, reverse("orgs:organization_list"))

    def test_log_out_is_a_post_form_in_the_navigation(self, client):
        user = UserFactory(username="dana")
        client.force_login(user)
        html = client.get(reverse("orgs:organization_list")).content.decode()
        assert f'<form method="post" action="{reverse("logout")}"' in html
        assert "dana" in html
        response = client.post(reverse("logout"))
        assert_redirects_to(response, reverse("login"))
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
class TestPasswordReset:
    def test_mails_a_link_that_sets_a_new_password(self, client):
        UserFactory(username="dana", email="dana@example.com")
        response = client.post(reverse("password_reset"), {"email": "dana@example.com"})
        assert_redirects_to(response, reverse("password_reset_done"))
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.subject == "Reset your password on testserver"
        link = next(line for line in message.body.splitlines() if "/accounts/reset/" in line)
        response = client.get(link.removeprefix("http://testserver"), follow=True)
        assert response.context["validlink"] is True
        response = client.post(
            response.redirect_chain[-1][0],
            {"new_password1": "another-passphrase-7", "new_password2": "another-passphrase-7"},
        )
        assert_redirects_to(response, reverse("password_reset_complete"))
        assert get_user_model().objects.get(username="dana").check_password("another-passphrase-7")

    def test_change_password(self, client):
        user = UserFactory(username="dana")
        client.force_login(user)
        response = client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": "another-passphrase-7",
                "new_password2": "another-passphrase-7",
            },
        )
        assert_redirects_to(response, reverse("password_change_done"))
        user.refresh_from_db()
        assert user.check_password("another-passphrase-7")
