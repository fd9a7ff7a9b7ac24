"""No page's query count grows with the organization: the same bound at 5 and at 60 squads."""

import pytest
from django.urls import reverse

from tests.factories import PersonFactory, ProductFactory, SquadFactory
from tests.helpers import HX, hx

# Session, user and membership come first on every page. The bounds leave a little room
# (the assessment box belongs to the advisor app); what matters is that each is the
# same at both sizes.
MAX_QUERIES = 15
# The organization page: session, user, membership, the products with their squads and who
# serves them (and the counts of products and squads), the people with their managers and
# squads (and their count), the title patterns with the scenarios, and the latest
# assessment with its verdicts.
ORGANIZATION_PAGE_QUERIES = 7
# One section alone: session, user, membership, then the products, or the people and the
# title patterns.
SECTION_QUERIES = {"products": 4, "people": 5}
# A save also runs one query per check constraint (ModelForm.validate_constraints),
# inside savepoints, then renders the section it changed; saving marks the organization
# changed (Organization.changed_at), one UPDATE, and a person's squads another.
MAX_QUERIES_SAVING_A_PERSON = 42
MAX_QUERIES_SAVING_A_SQUAD = 19


@pytest.fixture(params=[5, 60], ids=["5-squads", "60-squads"])
def populated(request, organization):
    """An organization with `n` squads over n/5 products and 2n people, all serving squads."""
    n = request.param
    products = [ProductFactory(organization=organization) for _ in range(max(1, n // 5))]
    squads = [SquadFactory(product=products[i % len(products)]) for i in range(n)]
    manager = None
    for i in range(2 * n):
        manager = PersonFactory(
            organization=organization,
            reports_to=manager if i % 3 else None,
            squads=[squads[i % n], squads[(i + 1) % n]],
        )
    return organization


class TestQueryCounts:
    def test_organization_page(self, editor_client, populated, django_assert_max_num_queries):
        with django_assert_max_num_queries(ORGANIZATION_PAGE_QUERIES):
            response = editor_client.get(populated.get_absolute_url())
        assert response.status_code == 200

    @pytest.mark.parametrize("section", ["products", "people"])
    def test_each_section(self, editor_client, populated, section, django_assert_max_num_queries):
        with django_assert_max_num_queries(SECTION_QUERIES[section]):
            response = editor_client.get(populated.get_absolute_url(), headers=hx(section))
        assert response.status_code == 200

    def test_person_form(self, editor_client, populated, django_assert_max_num_queries):
        person = populated.people.last()
        with django_assert_max_num_queries(MAX_QUERIES):
            response = editor_client.get(
                reverse("orgs:person_edit", args=[populated.slug, person.pk]), headers=HX
            )
        assert response.status_code == 200

    def test_saving_a_person_with_htmx(
        self, editor_client, populated, django_assert_max_num_queries
    ):
        person = populated.people.first()
        squads = list(populated.squads.values_list("pk", flat=True)[:3])
        data = {
            "name": person.name,
            "title": "Product Owner",
            "role": "",
            "reports_to": "",
            "squads": squads,
            **{f"time_{b}": "10" for b in ("backlog", "strategy", "discovery")},
            **{f"time_{b}": "0" for b in ("stakeholders", "ceremonies", "other")},
            "owns_roadmap": "unknown",
            "does_market_research": "unknown",
            "sets_pricing": "unknown",
        }
        with django_assert_max_num_queries(MAX_QUERIES_SAVING_A_PERSON):
            response = editor_client.post(
                reverse("orgs:person_edit", args=[populated.slug, person.pk]), data, headers=HX
            )
        assert response.status_code == 200
        assert response["HX-Retarget"] == "#people"

    def test_saving_a_squad_with_htmx(
        self, editor_client, populated, django_assert_max_num_queries
    ):
        squad = populated.squads.first()
        with django_assert_max_num_queries(MAX_QUERIES_SAVING_A_SQUAD):
            response = editor_client.post(
                reverse("orgs:squad_edit", args=[populated.slug, squad.pk]),
                {"product": squad.product_id, "name": squad.name, "engineers": "4"},
                headers=HX,
            )
        assert response["HX-Retarget"] == "#products"

    def test_member_list(self, owner_client, populated, django_assert_max_num_queries):
        with django_assert_max_num_queries(MAX_QUERIES):
            response = owner_client.get(reverse("orgs:member_list", args=[populated.slug]))
        assert response.status_code == 200
