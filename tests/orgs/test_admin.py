import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.models import TIME_BUCKETS, Organization, Person, Product, Squad, TitlePattern
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ProductFactory,
    SquadFactory,
)


def populate(products: int) -> Organization:
    """An organization with a squad, a product owner and a member per product."""
    organization = OrganizationFactory()
    lead = PersonFactory(organization=organization, title="Head of Product")
    for _ in range(products):
        squad = SquadFactory(product=ProductFactory(organization=organization))
        PersonFactory(
            organization=organization, title="Product Owner", reports_to=lead, squads=[squad]
        )
        MembershipFactory(organization=organization)
    return organization


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
class TestChangelists:
    @pytest.mark.parametrize(
        "model", ["organization", "product", "squad", "person", "membership", "titlepattern"]
    )
    def test_queries_do_not_grow_with_the_rows(self, admin_client, model):
        url = reverse(f"admin:orgs_{model}_changelist")
        populate(2)
        admin_client.get(url)
        few = queries_for(admin_client, url)
        populate(2)
        populate(10)
        TitlePattern.objects.create(position=5, pattern="wizard", role="other")
        assert queries_for(admin_client, url) == few

    def test_counts_products_and_people(self, admin_client):
        populate(3)
        response = admin_client.get(reverse("admin:orgs_organization_changelist"))
        organization = response.context["cl"].result_list[0]
        assert (organization.product_count, organization.person_count) == (3, 4)

    def test_title_patterns_are_listed_by_position(self, admin_client):
        TitlePattern.objects.create(position=1, pattern="wizard", role="other")
        response = admin_client.get(reverse("admin:orgs_titlepattern_changelist"))
        positions = [p.position for p in response.context["cl"].result_list]
        assert positions == sorted(positions)
        assert positions[0] == 1


@pytest.mark.django_db
class TestChangeForms:
    @pytest.mark.parametrize("model", ["organization", "product", "squad", "person"])
    def test_render(self, admin_client, model):
        organization = populate(1)
        obj = {
            "organization": organization,
            "product": Product.objects.first(),
            "squad": Squad.objects.first(),
            "person": Person.objects.filter(reports_to__isnull=False).first(),
        }[model]
        response = admin_client.get(reverse(f"admin:orgs_{model}_change", args=[obj.pk]))
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "model", ["organization", "product", "squad", "person", "membership", "titlepattern"]
    )
    def test_add_forms_render(self, admin_client, model):
        assert admin_client.get(reverse(f"admin:orgs_{model}_add")).status_code == 200

    def test_a_squad_name_must_be_free_in_the_organization(self, admin_client):
        organization = OrganizationFactory()
        SquadFactory(product=ProductFactory(organization=organization), name="Checkout")
        other_product = ProductFactory(organization=organization)
        response = admin_client.post(
            reverse("admin:orgs_squad_add"),
            {"product": other_product.pk, "name": "Checkout", "engineers": "3", "methodology": ""},
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors == {
            "name": ['The organization already has a squad named "Checkout".']
        }
        assert Squad.objects.count() == 1

    def test_a_squad_does_not_move_to_another_organization(self, admin_client):
        squad = SquadFactory()
        response = admin_client.post(
            reverse("admin:orgs_squad_change", args=[squad.pk]),
            {
                "product": ProductFactory().pk,
                "name": squad.name,
                "engineers": "",
                "methodology": "",
            },
        )
        assert response.context["adminform"].form.errors == {
            "product": ["A squad cannot move to another organization's product."]
        }

    def test_two_new_squads_of_one_name_are_refused(self, admin_client):
        organization = OrganizationFactory()
        data = {
            "organization": organization.pk,
            "name": "Payments",
            "markets": "[]",
            "personas": "[]",
            "squads-TOTAL_FORMS": "2",
            "squads-INITIAL_FORMS": "0",
            "squads-MIN_NUM_FORMS": "0",
            "squads-MAX_NUM_FORMS": "1000",
        }
        for i in range(2):
            data |= {f"squads-{i}-name": "Checkout", f"squads-{i}-methodology": ""}
        response = admin_client.post(reverse("admin:orgs_product_add"), data)
        assert response.status_code == 200
        assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == [
            'Two squads are named "Checkout".'
        ]
        assert Product.objects.count() == 0

    def test_a_product_is_added_with_its_squads(self, admin_client):
        organization = OrganizationFactory()
        data = {
            "organization": organization.pk,
            "name": "Payments",
            "markets": "EU SMB\nUS enterprise",
            "personas": "",
            "squads-TOTAL_FORMS": "1",
            "squads-INITIAL_FORMS": "0",
            "squads-MIN_NUM_FORMS": "0",
            "squads-MAX_NUM_FORMS": "1000",
            "squads-0-name": "Checkout",
            "squads-0-engineers": "6",
            "squads-0-methodology": "kanban",
        }
        response = admin_client.post(reverse("admin:orgs_product_add"), data)
        assert response.status_code == 302
        squad = Squad.objects.get()
        assert (squad.organization, squad.product.name, squad.engineers) == (
            organization,
            "Payments",
            6,
        )
        assert (squad.product.markets, squad.product.personas) == (["EU SMB", "US enterprise"], [])

    @pytest.mark.parametrize(
        ("markets", "error"),
        [
            ("EU\tSMB", "Must not contain control characters: U+0009 at character 3."),
            ("EU\nEU", "“EU” is listed twice."),
        ],
    )
    def test_markets_are_names_checked_as_the_organizations_form_checks_them(
        self, admin_client, markets, error
    ):
        organization = OrganizationFactory()
        data = {
            "organization": organization.pk,
            "name": "Payments",
            "markets": markets,
            "personas": "[" * 5000,
            "squads-TOTAL_FORMS": "0",
            "squads-INITIAL_FORMS": "0",
            "squads-MIN_NUM_FORMS": "0",
            "squads-MAX_NUM_FORMS": "1000",
        }
        response = admin_client.post(reverse("admin:orgs_product_add"), data)
        assert response.status_code == 200
        assert response.context["adminform"].form.errors == {"markets": [error]}
        assert not Product.objects.exists()

    def test_a_person_serves_only_their_organizations_squads(self, admin_client):
        person = PersonFactory()
        foreign = SquadFactory(name="Elsewhere")
        data = {
            "name": person.name,
            "title": person.title,
            "role": "",
            "reports_to": "",
            "squads": [foreign.pk],
            **{f"time_{b}": "0" for b in TIME_BUCKETS},
            "owns_roadmap": "unknown",
            "does_market_research": "unknown",
            "sets_pricing": "unknown",
        }
        response = admin_client.post(reverse("admin:orgs_person_change", args=[person.pk]), data)
        assert response.status_code == 200
        assert response.context["adminform"].form.errors == {
            "squads": [f"Not squads of {person.organization}: Elsewhere."]
        }

    def test_a_reporting_loop_is_refused(self, admin_client):
        organization = OrganizationFactory()
        sam = PersonFactory(organization=organization, name="Sam")
        dana = PersonFactory(organization=organization, name="Dana", reports_to=sam)
        data = {
            "name": "Sam",
            "title": "CEO",
            "role": "",
            "reports_to": dana.pk,
            **{f"time_{b}": "0" for b in TIME_BUCKETS},
            "owns_roadmap": "unknown",
            "does_market_research": "unknown",
            "sets_pricing": "unknown",
        }
        response = admin_client.post(reverse("admin:orgs_person_change", args=[sam.pk]), data)
        assert response.context["adminform"].form.errors == {
            "reports_to": ["Dana already reports, directly or not, to Sam: that would make a loop."]
        }


@pytest.mark.django_db
class TestTitlePatternListEditing:
    def post_changelist(self, client, edit: dict[int, dict], **extra: str):
        patterns = list(TitlePattern.objects.order_by("position", "id"))
        data = {
            "form-TOTAL_FORMS": str(len(patterns)),
            "form-INITIAL_FORMS": str(len(patterns)),
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "_save": "Save",
        }
        for i, p in enumerate(patterns):
            row = {"id": p.pk, "position": p.position, "pattern": p.pattern, "role": p.role}
            row |= edit.get(i, {})
            data |= {f"form-{i}-{key}": value for key, value in row.items()}
        return client.post(reverse("admin:orgs_titlepattern_changelist"), data | extra)

    def test_edits_patterns_in_the_list(self, admin_client):
        first = TitlePattern.objects.order_by("position", "id").first()
        # Previewed first (advisor.admin_preview), then published.
        edit = {0: {"pattern": r"\bCEO\b|\bboss\b"}}
        assert self.post_changelist(admin_client, edit).status_code == 200
        response = self.post_changelist(admin_client, edit, _publish="1")
        assert response.status_code == 302
        first.refresh_from_db()
        assert first.pattern == r"\bCEO\b|\bboss\b"

    def test_refuses_an_invalid_regular_expression(self, admin_client):
        response = self.post_changelist(admin_client, {0: {"pattern": "(unclosed"}})
        assert response.status_code == 200
        assert response.context["cl"].formset.errors[0] == {
            "pattern": [
                "Not a regular expression the matcher can use (missing ): (unclosed); "
                "backreferences and lookaround are not supported."
            ]
        }
