"""Who reaches which organization URL: non-members 404 everywhere, viewers 403 on writes."""

import pytest
from django.urls import URLPattern, reverse

from orgs import urls as orgs_urls
from orgs.access import has_role, organization_view
from orgs.models import MemberRole
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    PersonFactory,
    ProductFactory,
    SquadFactory,
)
from tests.helpers import HX, hx


def organization_url_names() -> list[str]:
    """Every URL of orgs/urls.py that belongs to one organization (has a slug)."""
    return [
        pattern.name
        for pattern in orgs_urls.urlpatterns
        if isinstance(pattern, URLPattern) and "<slug:slug>" in str(pattern.pattern)
    ]


ORGANIZATION_URL_NAMES = organization_url_names()
# The only organization URLs a viewer may use; everything else writes.
READ_URL_NAMES = {"organization_detail", "organization_export", "member_list", "org_chart"}
OWNER_URL_NAMES = {
    "organization_delete",
    "member_add",
    "member_role",
    "member_remove",
    "scenario_apply",
    "invitation_create",
    "invitation_withdraw",
}


@pytest.fixture
def url_of(organization):
    """The URL of a name, with the pk of a real object of the organization where it needs one."""
    product = ProductFactory(organization=organization)
    objects = {
        "member": MembershipFactory(organization=organization, role=MemberRole.EDITOR),
        "product": product,
        "squad": SquadFactory(product=product),
        "person": PersonFactory(organization=organization),
        "invitation": InvitationFactory(organization=organization),
    }

    def url(name: str) -> str:
        kwargs = {"slug": organization.slug}
        kind, _, action = name.partition("_")
        if kind in objects and action in {"edit", "delete", "role", "remove", "withdraw"}:
            kwargs["pk"] = objects[kind].pk
        return reverse(f"orgs:{name}", kwargs=kwargs)

    return url


def test_the_list_of_organization_urls_is_complete():
    assert set(ORGANIZATION_URL_NAMES) == {
        "organization_detail",
        "organization_settings",
        "org_chart",
        "organization_delete",
        "organization_export",
        "member_list",
        "member_add",
        "member_role",
        "member_remove",
        "product_create",
        "product_edit",
        "product_delete",
        "squad_create",
        "squad_edit",
        "squad_delete",
        "person_create",
        "person_edit",
        "person_delete",
        "person_title_role",
        "scenario_create",
        "scenario_apply",
        "invitation_create",
        "invitation_withdraw",
    }


class TestNonMember:
    @pytest.mark.parametrize("name", ORGANIZATION_URL_NAMES)
    @pytest.mark.parametrize("method", ["get", "post"])
    @pytest.mark.parametrize("headers", [{}, HX, hx("products"), hx("people")])
    def test_gets_404_on_every_organization_url(
        self, stranger_client, url_of, name, method, headers
    ):
        response = getattr(stranger_client, method)(url_of(name), headers=headers)
        assert response.status_code == 404

    def test_gets_404_for_an_organization_that_does_not_exist(self, stranger_client):
        response = stranger_client.get(reverse("orgs:organization_detail", args=["nowhere"]))
        assert response.status_code == 404

    @pytest.mark.parametrize("name", ["product_edit", "product_delete"])
    def test_an_editor_cannot_reach_another_organizations_product_through_their_own(
        self, editor_client, organization, name
    ):
        other = ProductFactory()
        response = editor_client.get(reverse(f"orgs:{name}", args=[organization.slug, other.pk]))
        assert response.status_code == 404


class TestAnonymous:
    @pytest.mark.parametrize("name", ORGANIZATION_URL_NAMES)
    def test_is_sent_to_log_in(self, client, url_of, name):
        url = url_of(name)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")

    def test_organization_list_sends_to_log_in(self, client):
        response = client.get(reverse("orgs:organization_list"))
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next=/"


class TestViewer:
    @pytest.mark.parametrize("name", sorted(set(ORGANIZATION_URL_NAMES) - READ_URL_NAMES))
    @pytest.mark.parametrize("method", ["get", "post"])
    @pytest.mark.parametrize("headers", [{}, HX])
    def test_gets_403_on_every_write(self, viewer_client, url_of, name, method, headers):
        response = getattr(viewer_client, method)(url_of(name), headers=headers)
        assert response.status_code == 403
        assert "an owner of the organization can change your role" in response.content.decode()

    @pytest.mark.parametrize("name", sorted(READ_URL_NAMES))
    def test_reads(self, viewer_client, url_of, name):
        assert viewer_client.get(url_of(name)).status_code == 200

    def test_sees_no_edit_buttons(self, viewer_client, url_of):
        html = viewer_client.get(url_of("organization_detail")).content.decode()
        assert "Add product" not in html
        assert "Add person" not in html
        assert "/edit/" not in html


class TestEditor:
    @pytest.mark.parametrize("name", sorted(OWNER_URL_NAMES))
    def test_gets_403_on_owner_only_urls(self, editor_client, url_of, name):
        assert editor_client.post(url_of(name)).status_code == 403

    @pytest.mark.parametrize(
        "name", ["organization_settings", "product_create", "squad_create", "person_create"]
    )
    def test_opens_the_forms(self, editor_client, url_of, name):
        assert editor_client.get(url_of(name)).status_code == 200


class TestOrganizationViewDecorator:
    def test_refuses_an_unknown_role(self):
        with pytest.raises(ValueError, match="min_role must be one of viewer, editor, owner"):
            organization_view(min_role="admin")

    @pytest.mark.parametrize(
        ("role", "min_role", "expected"),
        [
            ("viewer", "viewer", True),
            ("viewer", "editor", False),
            ("editor", "editor", True),
            ("editor", "owner", False),
            ("owner", "editor", True),
            ("owner", "owner", True),
        ],
    )
    def test_has_role_ranks_viewer_editor_owner(self, role, min_role, expected):
        assert has_role(MembershipFactory.build(role=role), min_role) is expected


class TestSecurityHeaders:
    def test_csp_allows_no_inline_script_or_style(self, viewer_client, url_of):
        response = viewer_client.get(url_of("organization_detail"))
        policy = response["Content-Security-Policy"]
        directives = dict(
            (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
        )
        assert "'self'" in directives["script-src"]
        assert any(source.startswith("'nonce-") for source in directives["script-src"])
        assert "'unsafe-inline'" not in policy
        assert "'unsafe-eval'" not in policy

    def test_scripts_carry_the_nonce_and_no_markup_has_inline_script_or_style(
        self, viewer_client, url_of
    ):
        response = viewer_client.get(url_of("organization_detail"))
        html = response.content.decode()
        nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        assert html.count("<script") == html.count(f'nonce="{nonce}"')
        assert html.count("<script") >= 2
        assert "style=" not in html
        assert "onclick" not in html
        # No copy of a signed-in page kept in the browser by htmx; Back loads it again.
        assert (
            '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, '
            '"historyCacheSize": 0, "refreshOnHistoryMiss": true}\'>'
        ) in html
