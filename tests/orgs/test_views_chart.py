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


class TestRolesApartAndLinked:
    def test_pms_and_pos_are_coloured_apart_with_a_legend(self, acme, member):
        html = member(MemberRole.VIEWER).get(reverse("orgs:org_chart", args=[acme.slug])).content
        html = html.decode()
        assert '<g class="person role-product_manager"' in html
        assert '<g class="person role-product_owner"' in html
        legend = html[html.index('<ul class="legend org-legend"') : html.index("</ul>")]
        swatch = '<span class="swatch role-swatch role-{}" aria-hidden="true"></span>{}'
        assert swatch.format("product_manager", "Product manager") in legend
        assert swatch.format("product_owner", "Product owner") in legend
        assert ' style="' not in html and "<style" not in html

    def test_each_box_names_its_role_in_text(self, acme, member):
        html = member(MemberRole.VIEWER).get(reverse("orgs:org_chart", args=[acme.slug])).content
        for label in ("Executive", "Product manager", "Product owner"):
            assert f'text-anchor="middle">{label}</text>' in html.decode()

    def test_an_editor_opens_each_person_from_their_box(self, acme, member):
        response = member(MemberRole.EDITOR).get(reverse("orgs:org_chart", args=[acme.slug]))
        html = response.content.decode()
        for person in acme.people.all():
            url = reverse("orgs:person_edit", args=[acme.slug, person.pk])
            assert f'<a class="person-link" href="{url}"' in html
            assert f'<th scope="row"><a href="{url}">{person.name}</a></th>' in html

    def test_a_viewer_gets_no_edit_links(self, acme, member):
        html = member(MemberRole.VIEWER).get(reverse("orgs:org_chart", args=[acme.slug])).content
        assert b"person-link" not in html and b"/edit/" not in html

    def test_opens_on_the_product_peoples_branch(self, acme, member):
        response = member(MemberRole.VIEWER).get(reverse("orgs:org_chart", args=[acme.slug]))
        layout = response.context["layout"]
        dana = next(b for b in layout.boxes if b.node.name == "Dana Lee")
        assert (layout.focus_x, layout.focus_y) == (dana.center_x, dana.y)
        html = response.content.decode()
        assert f'data-focus-x="{dana.center_x}" data-focus-y="{dana.y}"' in html

    @pytest.mark.parametrize("people", [10, 100])
    def test_a_fixed_number_of_queries_whatever_the_size(
        self, organization, editor_client, people, django_assert_max_num_queries
    ):
        boss = PersonFactory(organization=organization, name="Boss", title="CEO")
        for i in range(people):
            PersonFactory(organization=organization, name=f"P{i}", title="PM", reports_to=boss)
        url = reverse("orgs:org_chart", args=[organization.slug])
        # Session and user, the membership, the title patterns, the people.
        with django_assert_max_num_queries(6):
            assert editor_client.get(url).status_code == 200
