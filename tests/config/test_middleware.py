"""Every page Django makes is private and never stored; static files keep long caching."""

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client
from django.urls import reverse

from orgs.models import MemberRole
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

NO_STORE = "private, no-store"


@pytest.fixture
def member_client(db):
    membership = MembershipFactory(organization=OrganizationFactory(), role=MemberRole.VIEWER)
    client = Client()
    client.force_login(membership.user)
    client.organization = membership.organization
    return client


@pytest.mark.django_db
class TestSignedIn:
    def test_an_organization_page_is_not_stored(self, member_client):
        response = member_client.get(
            reverse("orgs:organization_detail", args=[member_client.organization.slug])
        )
        assert response.status_code == 200
        assert response["Cache-Control"] == NO_STORE

    def test_an_htmx_partial_is_not_stored(self, member_client):
        response = member_client.get(
            reverse("orgs:organization_detail", args=[member_client.organization.slug]),
            headers={"HX-Request": "true", "HX-Target": "people"},
        )
        assert response.status_code == 200
        assert response.template_name == "orgs/organization_detail.html#people"
        assert response["Cache-Control"] == NO_STORE

    def test_the_admin_is_not_stored(self, admin_client):
        response = admin_client.get(reverse("admin:index"))
        assert response.status_code == 200
        assert response["Cache-Control"] == NO_STORE

    def test_a_download_is_not_stored(self, member_client):
        response = member_client.get(
            reverse("orgs:organization_export", args=[member_client.organization.slug])
        )
        assert response.status_code == 200
        assert response["Cache-Control"] == NO_STORE


@pytest.mark.django_db
class TestAnonymous:
    @pytest.mark.parametrize("name", ["login", "orgs:signup", "password_reset"])
    def test_forms_with_a_csrf_token_are_not_stored(self, client, name):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert 'name="csrfmiddlewaretoken"' in response.content.decode()
        assert response["Cache-Control"] == NO_STORE

    def test_a_locked_out_login_is_not_stored(self, client):
        UserFactory(username="dana")
        for _ in range(6):
            response = client.post(reverse("login"), {"username": "dana", "password": "wrong"})
        assert response.status_code == 429
        assert response["Cache-Control"] == NO_STORE

    def test_the_redirect_to_log_in_is_not_stored(self, client):
        response = client.get(reverse("orgs:organization_list"))
        assert response.status_code == 302
        assert response["Cache-Control"] == NO_STORE


class TestStaticFiles:
    def test_hashed_files_keep_whitenoise_long_lived_caching(self, settings, tmp_path, db):
        settings.STATIC_ROOT = tmp_path
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
        }
        call_command("collectstatic", interactive=False, verbosity=0)
        signed_in = Client()
        signed_in.force_login(UserFactory())
        url = static("css/app.css")
        assert url != "/static/css/app.css"
        response = signed_in.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "max-age=315360000, public, immutable"


@pytest.mark.django_db
class TestNulInQuery:
    @pytest.mark.parametrize(
        "query",
        [
            {"methodology__exact": "\x00"},
            {"term": "a\x00b", "app_label": "orgs", "model_name": "squad", "field_name": "product"},
            {"q\x00": "x"},
        ],
    )
    def test_a_nul_in_the_query_string_is_refused_naming_the_parameter(self, admin_client, query):
        url = reverse("admin:orgs_organization_changelist")
        response = admin_client.get(url, query)
        assert response.status_code == 400
        (name,) = [n for n, v in query.items() if "\x00" in n + v]
        assert response.content.decode() == (
            f"The query parameter {name.replace(chr(0), chr(92) + '0')!r} contains a NUL character."
        )

    def test_a_nul_posted_is_left_to_the_form_that_names_its_field(self, admin_client):
        response = admin_client.post(
            reverse("admin:orgs_organization_add"), {"name": "Acme\x00", "methodology": "scrum"}
        )
        assert response.status_code == 200
        assert "Null characters are not allowed." in response.content.decode()
