"""Products and squads, added, edited and deleted as plain POSTs and in place with htmx."""

import datetime

from django.urls import reverse

from orgs.models import Product, Squad
from tests.factories import PersonFactory, ProductFactory, SquadFactory
from tests.orgs.view_helpers import HX, assert_partial, assert_redirects_to, field_errors

PRODUCTS_PARTIAL = "orgs/organization_detail.html#products"


def product_data(**overrides) -> dict:
    return {
        "name": "Payments",
        "markets": "EU SMB, US enterprise",
        "personas": "Merchant\nAccountant\n",
        "roadmap_updated_on": "2026-09-01",
        "last_customer_interview_on": "",
        "roadmap_reviews_cancelled": "",
        **overrides,
    }


class TestProductCreate:
    def test_plain_post_saves_and_redirects_to_the_products(self, editor_client, organization):
        response = editor_client.post(
            reverse("orgs:product_create", args=[organization.slug]), product_data()
        )
        assert_redirects_to(response, f"/orgs/{organization.slug}/#products")
        product = organization.products.get()
        assert product.name == "Payments"
        assert product.markets == ["EU SMB", "US enterprise"]
        assert product.personas == ["Merchant", "Accountant"]
        assert product.roadmap_updated_on == datetime.date(2026, 9, 1)
        assert product.last_customer_interview_on is None
        assert product.roadmap_reviews_cancelled is None

    def test_htmx_post_answers_with_the_products_section(self, editor_client, organization):
        response = editor_client.post(
            reverse("orgs:product_create", args=[organization.slug]), product_data(), headers=HX
        )
        html = assert_partial(response, PRODUCTS_PARTIAL)
        assert '<section id="products"' in html
        assert "Payments" in html
        assert response["HX-Retarget"] == "#products"
        assert response["HX-Reswap"] == "outerHTML"
        assert response["HX-Trigger"] == '{"products-changed": {}}'

    def test_htmx_get_answers_with_the_form_alone(self, editor_client, organization):
        response = editor_client.get(
            reverse("orgs:product_create", args=[organization.slug]), headers=HX
        )
        html = assert_partial(response, "orgs/product_form.html#form")
        assert 'hx-post="/orgs/acme/products/new/"' in html
        assert '<label for="product-new-name">' in html

    def test_plain_get_is_a_whole_page_with_a_form_that_works_without_javascript(
        self, editor_client, organization
    ):
        response = editor_client.get(reverse("orgs:product_create", args=[organization.slug]))
        html = response.content.decode()
        assert "<html" in html
        assert (
            '<form class="card form-card" method="post" action="/orgs/acme/products/new/"' in html
        )
        assert "hx-post" not in html

    def test_a_taken_name_is_an_error_on_the_name_field(self, editor_client, organization):
        ProductFactory(organization=organization, name="Payments")
        response = editor_client.post(
            reverse("orgs:product_create", args=[organization.slug]), product_data(), headers=HX
        )
        assert_partial(response, "orgs/product_form.html#form")
        assert field_errors(response, "name") == [
            "There is already a product named “Payments” in this organization."
        ]
        assert organization.products.count() == 1

    def test_the_same_name_in_another_organization_is_fine(self, editor_client, organization):
        ProductFactory(name="Payments")
        editor_client.post(reverse("orgs:product_create", args=[organization.slug]), product_data())
        assert organization.products.get().name == "Payments"

    def test_repeated_markets_are_refused(self, editor_client, organization):
        response = editor_client.post(
            reverse("orgs:product_create", args=[organization.slug]),
            product_data(markets="EU SMB, eu smb"),
        )
        assert field_errors(response, "markets") == ["“eu smb” is listed twice."]
        assert not organization.products.exists()

    def test_blank_names_between_separators_are_dropped(self, editor_client, organization):
        editor_client.post(
            reverse("orgs:product_create", args=[organization.slug]),
            product_data(markets=" , EU SMB,, ", personas="\n\n"),
        )
        product = organization.products.get()
        assert (product.markets, product.personas) == (["EU SMB"], [])


class TestProductEdit:
    def test_plain_post(self, editor_client, organization):
        product = ProductFactory(organization=organization, name="Payments")
        response = editor_client.post(
            reverse("orgs:product_edit", args=[organization.slug, product.pk]),
            product_data(name="Billing", roadmap_reviews_cancelled="2"),
        )
        assert_redirects_to(response, f"/orgs/{organization.slug}/#products")
        product.refresh_from_db()
        assert (product.name, product.roadmap_reviews_cancelled) == ("Billing", 2)

    def test_htmx_post(self, editor_client, organization):
        product = ProductFactory(organization=organization, name="Payments")
        response = editor_client.post(
            reverse("orgs:product_edit", args=[organization.slug, product.pk]),
            product_data(name="Billing"),
            headers=HX,
        )
        html = assert_partial(response, PRODUCTS_PARTIAL)
        assert f'<article class="card product" id="product-{product.pk}"' in html
        assert "Billing" in html

    def test_keeping_its_own_name_is_fine(self, editor_client, organization):
        product = ProductFactory(organization=organization, name="Payments")
        response = editor_client.post(
            reverse("orgs:product_edit", args=[organization.slug, product.pk]), product_data()
        )
        assert response.status_code == 302

    def test_the_form_shows_markets_one_per_line(self, editor_client, organization):
        product = ProductFactory(organization=organization, markets=["EU, SMB", "US"])
        response = editor_client.get(
            reverse("orgs:product_edit", args=[organization.slug, product.pk]), headers=HX
        )
        assert ">\nEU, SMB\nUS</textarea>" in response.content.decode()


class TestProductDelete:
    def test_confirmation_says_which_squads_go_and_who_is_unassigned(
        self, editor_client, organization
    ):
        product = ProductFactory(organization=organization, name="Payments")
        checkout, refunds = (
            SquadFactory(product=product, name="Checkout"),
            SquadFactory(product=product, name="Refunds"),
        )
        PersonFactory(organization=organization, squads=[checkout, refunds])
        PersonFactory(organization=organization, squads=[refunds])
        response = editor_client.get(
            reverse("orgs:product_delete", args=[organization.slug, product.pk]), headers=HX
        )
        html = assert_partial(response, "orgs/confirm_delete.html#confirm")
        assert "Delete the product Payments?" in html
        assert response.context["consequences"] == [
            "Its 2 squads are deleted too: Checkout, Refunds.",
            "2 people no longer serve any squad of it; they stay in the organization.",
        ]
        assert Product.objects.filter(pk=product.pk).exists()

    def test_plain_post_deletes_it_with_its_squads(self, editor_client, organization):
        product = ProductFactory(organization=organization)
        squad = SquadFactory(product=product)
        person = PersonFactory(organization=organization, squads=[squad])
        response = editor_client.post(
            reverse("orgs:product_delete", args=[organization.slug, product.pk])
        )
        assert_redirects_to(response, f"/orgs/{organization.slug}/#products")
        assert not Squad.objects.filter(pk=squad.pk).exists()
        assert list(person.squads.all()) == []

    def test_htmx_post(self, editor_client, organization):
        product = ProductFactory(organization=organization, name="Payments")
        response = editor_client.post(
            reverse("orgs:product_delete", args=[organization.slug, product.pk]), headers=HX
        )
        html = assert_partial(response, PRODUCTS_PARTIAL)
        assert "Payments" not in html
        assert "No products yet." in html


class TestSquads:
    def test_create_as_plain_post(self, editor_client, organization):
        product = ProductFactory(organization=organization)
        response = editor_client.post(
            reverse("orgs:squad_create", args=[organization.slug]),
            {"product": product.pk, "name": "Checkout", "engineers": "6", "methodology": ""},
        )
        assert_redirects_to(response, f"/orgs/{organization.slug}/#products")
        squad = product.squads.get()
        assert (squad.name, squad.engineers, squad.methodology, squad.organization) == (
            "Checkout",
            6,
            "",
            organization,
        )

    def test_create_as_htmx(self, editor_client, organization):
        product = ProductFactory(organization=organization)
        response = editor_client.post(
            reverse("orgs:squad_create", args=[organization.slug]),
            {"product": product.pk, "name": "Checkout", "engineers": "", "methodology": "kanban"},
            headers=HX,
        )
        html = assert_partial(response, PRODUCTS_PARTIAL)
        assert '<th scope="row">Checkout</th>' in html
        assert "Kanban" in html

    def test_the_form_preselects_the_product_and_offers_only_this_organizations(
        self, editor_client, organization
    ):
        product = ProductFactory(organization=organization)
        other = ProductFactory()
        response = editor_client.get(
            reverse("orgs:squad_create", args=[organization.slug]) + f"?product={product.pk}",
            headers=HX,
        )
        html = assert_partial(response, "orgs/squad_form.html#form")
        assert f'<option value="{product.pk}" selected>' in html
        assert f'value="{other.pk}"' not in html

    def test_a_squad_cannot_go_to_another_organizations_product(self, editor_client, organization):
        response = editor_client.post(
            reverse("orgs:squad_create", args=[organization.slug]),
            {
                "product": ProductFactory().pk,
                "name": "Checkout",
                "engineers": "",
                "methodology": "",
            },
        )
        assert field_errors(response, "product") == [
            "Select a valid choice. That choice is not one of the available choices."
        ]

    def test_squad_names_are_unique_across_the_organization(self, editor_client, organization):
        SquadFactory(product=ProductFactory(organization=organization), name="Checkout")
        other_product = ProductFactory(organization=organization)
        response = editor_client.post(
            reverse("orgs:squad_create", args=[organization.slug]),
            {"product": other_product.pk, "name": "Checkout", "engineers": "", "methodology": ""},
        )
        assert field_errors(response, "name") == [
            "There is already a squad named “Checkout” in this organization."
        ]

    def test_edit_moves_a_squad_to_another_product(self, editor_client, organization):
        squad = SquadFactory(product=ProductFactory(organization=organization), name="Checkout")
        target = ProductFactory(organization=organization)
        response = editor_client.post(
            reverse("orgs:squad_edit", args=[organization.slug, squad.pk]),
            {"product": target.pk, "name": "Checkout", "engineers": "3", "methodology": "scrum"},
            headers=HX,
        )
        assert_partial(response, PRODUCTS_PARTIAL)
        squad.refresh_from_db()
        assert (squad.product, squad.engineers, squad.methodology) == (target, 3, "scrum")

    def test_negative_engineers_are_refused_beside_the_field(self, editor_client, organization):
        squad = SquadFactory(product=ProductFactory(organization=organization))
        response = editor_client.post(
            reverse("orgs:squad_edit", args=[organization.slug, squad.pk]),
            {"product": squad.product.pk, "name": squad.name, "engineers": "-1"},
            headers=HX,
        )
        assert_partial(response, "orgs/squad_form.html#form")
        assert field_errors(response, "engineers") == [
            "Ensure this value is greater than or equal to 0."
        ]

    def test_delete_says_who_no_longer_serves_it_then_deletes(self, editor_client, organization):
        squad = SquadFactory(product=ProductFactory(organization=organization), name="Checkout")
        PersonFactory(organization=organization, squads=[squad])
        url = reverse("orgs:squad_delete", args=[organization.slug, squad.pk])
        response = editor_client.get(url)
        assert response.context["consequences"] == [
            "1 person no longer serves it; they stay in the organization."
        ]
        response = editor_client.post(url, headers=HX)
        assert_partial(response, PRODUCTS_PARTIAL)
        assert not Squad.objects.filter(pk=squad.pk).exists()

    def test_delete_as_plain_post(self, editor_client, organization):
        squad = SquadFactory(product=ProductFactory(organization=organization))
        response = editor_client.post(
            reverse("orgs:squad_delete", args=[organization.slug, squad.pk])
        )
        assert_redirects_to(response, f"/orgs/{organization.slug}/#products")
        assert not Squad.objects.filter(pk=squad.pk).exists()


class TestEscaping:
    def test_a_script_in_a_name_shows_as_text(self, editor_client, organization):
        name = "<script>alert(1)</script>"
        product = ProductFactory(organization=organization, name=name, markets=[name])
        SquadFactory(product=product, name=name)
        PersonFactory(organization=organization, name=name, title=name)
        html = editor_client.get(organization.get_absolute_url()).content.decode()
        assert name not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        response = editor_client.get(
            reverse("orgs:product_delete", args=[organization.slug, product.pk]), headers=HX
        )
        assert name not in response.content.decode()
