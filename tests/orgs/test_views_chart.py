"""The org chart page: every person under their manager, with the role their title gives."""

import pytest
from django.urls import reverse

from orgs.models import MemberRole
from tests.factories import PersonFactory
from tests.helpers import table_rows

pytestmark = pytest.mark.django_db


class TestOrgChart:
    def test_draws_every_person_under_their_manager(self, acme, member):
        response = member(MemberRole.VIEWER).get(reverse("orgs:org_chart", args=[acme.slug]))
        layout = response.context["layout"]
        depth = {b.node.name: b.depth for b in layout.boxes}
        assert depth == {"Sam Ortiz": 0, "Dana Lee": 1, "Pat Kim": 2}
        roles = {b.node.name: b.node.role_label for b in layout.boxes}
        assert roles == {
            "Sam Ortiz": "Executive",
            "Dana Lee": "Product manager",
            "Pat Kim": "Product owner",
        }
        html = response.content.decode()
        assert html.count('<polyline class="edge"') == 2
        assert "Pat Kim | Product Owner | Product owner | Dana Lee" in table_rows(html)

    def test_a_role_set_by_hand_wins_over_the_title(self, organization, viewer_client):
        PersonFactory(organization=organization, name="Kai Berg", title="CEO", role="product_owner")
        response = viewer_client.get(reverse("orgs:org_chart", args=[organization.slug]))
        assert table_rows(response.content.decode())[1:] == ["Kai Berg | CEO | Product owner | —"]

    def test_an_organization_without_people_says_so(self, organization, viewer_client):
        html = viewer_client.get(reverse("orgs:org_chart", args=[organization.slug])).content
        assert b'<p class="empty">No people yet.</p>' in html
        assert b"<svg" not in html
