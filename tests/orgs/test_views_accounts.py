"""Signing up, logging in and out, the lockout after failed logins, and password reset."""

import contextlib
import datetime
import re
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.tasks import default_task_backend
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from orgs.forms import SignupForm
from orgs.tasks import send_password_reset_mail
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

    @pytest.mark.parametrize(
        ("taken", "field", "error"),
        [
            ({"username": "dana"}, "username", "A user with that username already exists."),
            (
                {"username": "other", "email": "DANA@example.com"},
                "email",
                "An account with this email address already exists.",
            ),
        ],
    )
    def test_a_name_or_address_taken_between_the_check_and_the_save_is_said_on_the_form(
        self, client, monkeypatch, taken, field, error
    ):
        """Two sign-ups at the same moment: the second was a 500 (its user name) or a second
        account for one address. Here the other one is made between the form's checks and
        the save."""
        checked = SignupForm.is_valid

        def then_taken(form):
            valid = checked(form)
            UserFactory(**{"email": "someone@example.com", **taken})
            return valid

        monkeypatch.setattr(SignupForm, "is_valid", then_taken)
        response = client.post(
            reverse("orgs:signup"),
            {
                "username": "dana",
                "email": "dana@example.com",
                "password1": "a-long-passphrase-9",
                "password2": "a-long-passphrase-9",
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors == {field: [error]}
        assert get_user_model().objects.filter(email__iexact="dana@example.com").count() == (
            1 if field == "email" else 0
        )
        assert "_auth_user_id" not in client.session

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


def ask_for_reset(client, email: str, client_address: str = "198.51.100.7"):
    response = client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=client_address)
    assert_redirects_to(response, reverse("password_reset_done"))
    return response


def statement_shape(sql: str) -> str:
    """The statement without its values (cache keys, times) or its savepoint's name."""
    return re.sub(r"'[^']*'|\"s\d+_x\d+\"", "?", sql)


@contextlib.contextmanager
def clock_at(moment: datetime.datetime):
    """Set the database cache's clock: what time it is, and so when an entry expires."""
    with (
        mock.patch("django.core.cache.backends.db.tz_now", return_value=moment),
        mock.patch(
            "django.core.cache.backends.base.time",
            mock.Mock(time=mock.Mock(return_value=moment.timestamp())),
        ),
    ):
        yield


@pytest.fixture
def queued(settings):
    """Tasks are kept, not run, so that a test sees only what the request itself did."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    yield default_task_backend
    default_task_backend.clear()


@pytest.mark.django_db
class TestPasswordResetLimit:
    def test_the_fourth_mail_to_one_address_within_the_hour_is_not_sent(self, client):
        UserFactory(username="dana", email="dana@example.com")
        for _ in range(3):
            ask_for_reset(client, "dana@example.com")
        assert len(mail.outbox) == 3
        ask_for_reset(client, "dana@example.com")
        assert len(mail.outbox) == 3

    def test_the_limit_is_per_address(self, client):
        UserFactory(username="dana", email="dana@example.com")
        UserFactory(username="sam", email="sam@example.com")
        for _ in range(4):
            ask_for_reset(client, "dana@example.com")
        ask_for_reset(client, "sam@example.com")
        assert [message.to for message in mail.outbox] == [["dana@example.com"]] * 3 + [
            ["sam@example.com"]
        ]

    def test_the_address_counts_whatever_its_case(self, client):
        UserFactory(username="dana", email="dana@example.com")
        for email in [
            "dana@example.com",
            "DANA@example.com",
            "Dana@Example.COM",
            "dana@example.com",
        ]:
            ask_for_reset(client, email)
        assert len(mail.outbox) == 3

    def test_the_address_limit_holds_whichever_client_asks(self, client):
        UserFactory(username="dana", email="dana@example.com")
        for number in range(4):
            ask_for_reset(client, "dana@example.com", client_address=f"203.0.113.{number}")
        assert len(mail.outbox) == 3

    def test_each_mail_frees_its_place_an_hour_after_it_was_asked_for(self, client):
        UserFactory(username="dana", email="dana@example.com")
        sent_at = []
        start = timezone.now()
        for minutes in [0, 40, 50, 59, 61, 95, 101]:
            moment = start + datetime.timedelta(minutes=minutes)
            with clock_at(moment):
                before = len(mail.outbox)
                ask_for_reset(client, "dana@example.com")
                if len(mail.outbox) > before:
                    sent_at.append(minutes)
        # Never more than three in any hour, and no burst where one hour ends.
        assert sent_at == [0, 40, 50, 61, 101]

    def test_one_client_gets_ten_reset_mails_an_hour(self, client):
        for number in range(11):
            UserFactory(username=f"user{number}", email=f"user{number}@example.com")
        for number in range(11):
            ask_for_reset(client, f"user{number}@example.com")
        assert len(mail.outbox) == 10
        ask_for_reset(client, "user10@example.com", client_address="203.0.113.50")
        assert [message.to for message in mail.outbox[10:]] == [["user10@example.com"]]

    def test_a_client_over_its_limit_does_not_use_up_the_address(self, client, settings):
        settings.PASSWORD_RESET_MAILS_PER_CLIENT = 1
        UserFactory(username="dana", email="dana@example.com")
        ask_for_reset(client, "nobody@example.com")
        for _ in range(5):
            ask_for_reset(client, "dana@example.com")
        assert mail.outbox == []
        for number in range(3):
            ask_for_reset(client, "dana@example.com", client_address=f"203.0.113.{number}")
        assert len(mail.outbox) == 3

    def test_behind_the_proxy_the_client_is_the_forwarded_address(self, client, settings):
        settings.BEHIND_TLS_PROXY = True
        settings.PASSWORD_RESET_MAILS_PER_CLIENT = 1
        UserFactory(username="dana", email="dana@example.com")
        UserFactory(username="sam", email="sam@example.com")
        for email, forwarded in [
            ("dana@example.com", "203.0.113.1"),
            ("sam@example.com", "203.0.113.2"),
            ("sam@example.com", "203.0.113.2"),
        ]:
            client.post(
                reverse("password_reset"),
                {"email": email},
                REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_FOR=forwarded,
            )
        assert [message.to for message in mail.outbox] == [
            ["dana@example.com"],
            ["sam@example.com"],
        ]

    def test_the_answer_page_names_the_limit(self, client):
        html = client.get(reverse("password_reset_done")).content.decode()
        assert "one address gets at most 3 links an hour" in html


@pytest.mark.django_db
class TestPasswordResetSameForEveryAddress:
    def test_known_and_unknown_addresses_get_the_same_answer(self, client):
        UserFactory(username="dana", email="dana@example.com")
        known = ask_for_reset(client, "dana@example.com")
        unknown = ask_for_reset(client, "nobody@example.com")
        assert list(known.items()) == list(unknown.items())
        assert known.content == unknown.content == b""

    def test_an_address_over_the_limit_gets_the_same_answer(self, client):
        UserFactory(username="dana", email="dana@example.com")
        answers = [ask_for_reset(client, "dana@example.com") for _ in range(4)]
        assert len({tuple(answer.items()) for answer in answers}) == 1

    def test_the_request_does_the_same_queries_and_never_reads_the_accounts(self, client, queued):
        UserFactory(username="dana", email="dana@example.com")
        statements = {}
        for email in ["dana@example.com", "nobody@example.com"]:
            with CaptureQueriesContext(connection) as captured:
                ask_for_reset(client, email)
            statements[email] = [statement_shape(query["sql"]) for query in captured]
        known, unknown = statements.values()
        assert known == unknown
        assert [shape.split(" ", 1)[0] for shape in known] == [
            # the client's slots: read, then claim one
            "SELECT", "SELECT", "SAVEPOINT", "SELECT", "INSERT", "RELEASE",
            # the address's slots
            "SELECT", "SELECT", "SAVEPOINT", "SELECT", "INSERT", "RELEASE",
        ]  # fmt: skip
        assert not [shape for shape in known if "auth_user" in shape]

    def test_the_request_queues_one_task_whatever_the_address(self, client, queued):
        UserFactory(username="dana", email="dana@example.com")
        ask_for_reset(client, "dana@example.com")
        ask_for_reset(client, "nobody@example.com")
        assert [(result.task.name, result.args, result.kwargs) for result in queued.results] == [
            (
                "send_password_reset_mail",
                [],
                {"email": email, "domain": "testserver", "use_https": False},
            )
            for email in ["dana@example.com", "nobody@example.com"]
        ]
        assert mail.outbox == []

    def test_a_request_over_the_limit_queues_nothing(self, client, queued):
        for _ in range(4):
            ask_for_reset(client, "nobody@example.com")
        assert len(queued.results) == 3


@pytest.mark.django_db
class TestPasswordResetTask:
    def test_mails_the_account_of_the_address(self):
        UserFactory(username="dana", email="Dana@Example.com")
        send_password_reset_mail.call(
            email="dana@example.com", domain="advisor.example.com", use_https=True
        )
        assert [message.to for message in mail.outbox] == [["Dana@Example.com"]]
        assert "https://advisor.example.com/accounts/reset/" in mail.outbox[0].body

    def test_mails_nobody_for_an_unknown_address(self):
        UserFactory(username="dana", email="dana@example.com")
        send_password_reset_mail.call(
            email="nobody@example.com", domain="testserver", use_https=False
        )
        assert mail.outbox == []

    def test_mails_nobody_for_an_inactive_account(self):
        UserFactory(username="dana", email="dana@example.com", is_active=False)
        send_password_reset_mail.call(
            email="dana@example.com", domain="testserver", use_https=False
        )
        assert mail.outbox == []

    def test_in_production_the_mail_waits_for_the_worker(self, client, settings):
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        UserFactory(username="dana", email="dana@example.com")
        ask_for_reset(client, "dana@example.com")
        ask_for_reset(client, "nobody@example.com")
        assert DBTaskResult.objects.count() == 2
        assert mail.outbox == []
        # The worker closes connections between tasks, which would end the test's transaction.
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
        assert [message.to for message in mail.outbox] == [["dana@example.com"]]
        assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == [
            "SUCCESSFUL",
            "SUCCESSFUL",
        ]
