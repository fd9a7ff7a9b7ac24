"""Uploading an interchange document, and downloading an organization as one."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from orgs.interchange import dumps, export_document
from orgs.models import MemberRole, Membership, Organization
from tests.factories import MembershipFactory, ProductFactory, UserFactory
from tests.helpers import assert_redirects_to, field_errors
from tests.orgs.documents import DANA, HOSTILE, acme, people_document, reporting_loop, row_counts


def upload(document: dict | str, name: str = "acme.json") -> SimpleUploadedFile:
    content = document if isinstance(document, str) else json.dumps(document)
    return SimpleUploadedFile(name, content.encode(), content_type="application/json")


@pytest.fixture
def user_client(client, db):
    client.user = UserFactory(username="dana")
    client.force_login(client.user)
    return client


class TestImport:
    def test_creates_an_organization_the_uploader_owns(self, user_client):
        response = user_client.post(
            reverse("orgs:organization_import"), {"document": upload(acme())}
        )
        organization = Organization.objects.get(name="Acme")
        assert_redirects_to(response, organization.get_absolute_url())
        assert Membership.objects.get(organization=organization).user == user_client.user
        assert Membership.objects.get(organization=organization).role == MemberRole.OWNER
        assert export_document(organization) == acme()

    def test_lists_every_problem_by_path_and_writes_nothing(self, user_client):
        document = acme()
        document["people"][DANA]["squads"] = ["Chekout"]
        document["products"][0]["squads"][0]["engineers"] = -1
        before = row_counts()
        response = user_client.post(
            reverse("orgs:organization_import"), {"document": upload(document)}
        )
        assert response.status_code == 200
        assert [str(problem) for problem in response.context["problems"]] == [
            "products[0].squads[0].engineers: must not be negative",
            'people[0].squads[0]: no squad named "Chekout"',
        ]
        html = response.content.decode()
        assert "Nothing was imported." in html
        assert "<code>people[0].squads[0]</code>: no squad named &quot;Chekout&quot;" in html
        assert row_counts() == before

    def test_says_when_the_file_is_not_json(self, user_client):
        response = user_client.post(reverse("orgs:organization_import"), {"document": upload("{")})
        assert [str(problem) for problem in response.context["problems"]] == [
            "not valid JSON: Expecting property name enclosed in double quotes at line 1, column 2"
        ]
        assert not Organization.objects.exists()

    def test_reporting_loop_of_10000_people_is_refused_once_naming_the_loop(self, user_client):
        document = people_document(reporting_loop(10_000))
        response = user_client.post(
            reverse("orgs:organization_import"), {"document": upload(document)}
        )
        assert response.status_code == 200
        assert [str(p) for p in response.context["problems"]] == [
            "people[0].reports_to: reporting loop of 10,000 people: "
            "p0 -> p1 -> p2 -> p3 -> p4 -> ... and 9,995 more -> p0"
        ]
        assert "Fix this problem and upload again" in response.content.decode()
        assert len(response.content) < 20_000
        assert not Organization.objects.exists()

    @pytest.mark.parametrize(
        ("text", "expected"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
    )
    def test_refuses_a_hostile_document_by_path(self, user_client, text, expected):
        response = user_client.post(reverse("orgs:organization_import"), {"document": upload(text)})
        assert response.status_code == 200
        assert [str(p) for p in response.context["problems"]] == expected
        assert row_counts() == (0, 0, 0, 0, 0)

    @override_settings(ORG_DOCUMENT_MAX_BYTES=10_000)
    def test_refuses_a_file_over_the_limit_before_reading_it(self, user_client, monkeypatch):
        def never(*args, **kwargs):
            raise AssertionError("the document was read")

        monkeypatch.setattr("orgs.views.transfer.read_document", never)
        response = user_client.post(
            reverse("orgs:organization_import"), {"document": upload(" " * 10_001)}
        )
        assert response.status_code == 200
        assert field_errors(response, "document") == [
            "Document is larger than the limit of 10,000 bytes (ORG_DOCUMENT_MAX_BYTES)."
        ]
        assert not Organization.objects.exists()

    @override_settings(ORG_DOCUMENT_MAX_BYTES=10_000)
    def test_imports_a_file_of_exactly_the_limit(self, user_client):
        text = json.dumps(acme())
        response = user_client.post(
            reverse("orgs:organization_import"),
            {"document": upload(text + " " * (10_000 - len(text.encode())))},
        )
        assert_redirects_to(response, Organization.objects.get(name="Acme").get_absolute_url())

    def test_says_how_many_problems_beyond_those_listed(self, user_client):
        people = [person for n in range(120) for person in reporting_loop(2, prefix=f"l{n}.")]
        response = user_client.post(
            reverse("orgs:organization_import"), {"document": upload(people_document(people))}
        )
        assert len(response.context["problems"]) == 51
        html = response.content.decode()
        assert "Fix these 120 problems and upload again" in html
        assert "<li>... and 70 more problems, not listed</li>" in html

    def test_refuses_a_name_the_uploader_already_uses_unless_replacing(self, user_client):
        MembershipFactory(organization__name="Acme", user=user_client.user, role=MemberRole.OWNER)
        response = user_client.post(
            reverse("orgs:organization_import"), {"document": upload(acme())}
        )
        assert [str(p) for p in response.context["problems"]] == [
            'organization.name: an organization named "Acme" exists; replace it (--replace, or '
            '"Replace my organization of the same name" when uploading) or rename this one'
        ]
        assert Organization.objects.count() == 1

    def test_an_owner_replaces_the_contents_and_keeps_the_address(self, user_client):
        organization = MembershipFactory(
            organization__name="Acme", user=user_client.user, role=MemberRole.OWNER
        ).organization
        ProductFactory(organization=organization, name="Old product")
        response = user_client.post(
            reverse("orgs:organization_import"), {"document": upload(acme()), "replace": "on"}
        )
        assert_redirects_to(response, organization.get_absolute_url())
        assert sorted(organization.products.values_list("name", flat=True)) == [
            "Lending",
            "Payments",
        ]

    def test_an_editor_cannot_replace(self, user_client):
        organization = MembershipFactory(
            organization__name="Acme", user=user_client.user, role=MemberRole.EDITOR
        ).organization
        ProductFactory(organization=organization, name="Old product")
        response = user_client.post(
            reverse("orgs:organization_import"), {"document": upload(acme()), "replace": "on"}
        )
        assert [str(p) for p in response.context["problems"]] == [
            'organization.name: only an owner of "Acme" can replace it'
        ]
        assert list(organization.products.values_list("name", flat=True)) == ["Old product"]

    def test_another_users_organization_of_the_same_name_is_left_alone(self, user_client):
        theirs = MembershipFactory(organization__name="Acme").organization
        user_client.post(
            reverse("orgs:organization_import"), {"document": upload(acme()), "replace": "on"}
        )
        assert Organization.objects.filter(name="Acme").count() == 2
        assert not theirs.products.exists()

    def test_anonymous_users_are_sent_to_log_in(self, client):
        response = client.get(reverse("orgs:organization_import"))
        assert response.status_code == 302


class TestExport:
    def test_downloads_the_document_as_an_attachment(self, viewer_client, organization):
        ProductFactory(organization=organization, name="Payments")
        response = viewer_client.get(reverse("orgs:organization_export", args=[organization.slug]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="acme.json"'
        assert response.content.decode() == dumps(export_document(organization))
        assert json.loads(response.content)["products"][0]["name"] == "Payments"
