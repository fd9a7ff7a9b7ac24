"""Products and squads, added, edited and deleted as plain POSTs and in place with htmx."""

import datetime

import pytest
from django.urls import reverse

from orgs.models import Product, Squad
from orgs.views.sections import product_pages
from tests.factories import PersonFactory, ProductFactory, SquadFactory
from tests.helpers import HX, assert_partial, assert_redirects_to, field_errors, hx

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

    @pytest.mark.parametrize(
        ("field", "value", "error"),
        [
            ("name", "Pay\x07ments", "U+0007 at character 4"),
            ("markets", "EU\tSMB", "U+0009 at character 3"),
            ("personas", "Merchant\nA\x07", "U+0007 at character 2"),
        ],
    )
    def test_control_characters_are_refused_beside_the_field_as_the_import_would(
        self, editor_client, organization, field, value, error
    ):
        response = editor_client.post(
            reverse("orgs:product_create", args=[organization.slug]),
            product_data(**{field: value}),
        )
        assert field_errors(response, field) == [f"Must not contain control characters: {error}."]
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


class TestEditLinks:
    def test_product_and_squad_links_open_their_form_in_the_products_editor(
        self, editor_client, organization
    ):
        product = ProductFactory(organization=organization, name="Payments")
        squad = SquadFactory(product=product, name="Checkout")
        html = editor_client.get(organization.get_absolute_url()).content.decode()
        slug = organization.slug
        for url in (
            f"/orgs/{slug}/products/{product.pk}/edit/",
            f"/orgs/{slug}/products/{product.pk}/delete/",
            f"/orgs/{slug}/squads/{squad.pk}/edit/",
            f"/orgs/{slug}/squads/{squad.pk}/delete/",
        ):
            assert (
                f'href="{url}"\n  hx-get="{url}"\n  hx-target="#product-{product.pk}-editor"'
                in html
            )

    def test_viewers_see_no_edit_links(self, make_client, organization):
        ProductFactory(organization=organization, name="Payments")
        html = make_client("viewer").get(organization.get_absolute_url()).content.decode()
        assert "/edit/" not in html
        assert "/delete/" not in html


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

    @pytest.mark.parametrize(
        "value", ["99999999999999999999", "9" * 5000, "0" * 5000 + "1", "²", "-3"]
    )
    def test_a_product_no_row_can_be_is_refused_beside_the_field(
        self, editor_client, organization, value
    ):
        response = editor_client.post(
            reverse("orgs:squad_create", args=[organization.slug]),
            {"product": value, "name": "Checkout", "engineers": "", "methodology": ""},
        )
        assert field_errors(response, "product") == [
            "Select a valid choice. That choice is not one of the available choices."
        ]
        assert not Squad.objects.exists()

    @pytest.mark.parametrize(
        "value", ["99999999999999999999", "9" * 5000, "0" * 5000 + "1", "²", "x"]
    )
    @pytest.mark.parametrize("headers", [{}, HX])
    def test_the_form_opens_whatever_product_the_link_names(
        self, editor_client, organization, value, headers
    ):
        ProductFactory(organization=organization, name="Payments")
        response = editor_client.get(
            reverse("orgs:squad_create", args=[organization.slug]),
            {"product": value},
            headers=headers,
        )
        assert response.status_code == 200
        assert "Payments" in response.content.decode()

    def test_a_squad_name_with_a_control_character_is_refused(self, editor_client, organization):
        response = editor_client.post(
            reverse("orgs:squad_create", args=[organization.slug]),
            {
                "product": ProductFactory(organization=organization).pk,
                "name": "Sq\x0bad",
                "engineers": "",
                "methodology": "",
            },
        )
        assert field_errors(response, "name") == [
            "Must not contain control characters: U+000B at character 3."
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


def products_named(organization, count: int) -> list:
    """Products P00, P01, ... each with one squad S00, S01, ... served by one person."""
    products = []
    for n in range(count):
        product = ProductFactory(organization=organization, name=f"P{n:02}")
        squad = SquadFactory(product=product, name=f"S{n:02}")
        PersonFactory(organization=organization, name=f"Person {n:02}", squads=[squad])
        products.append(product)
    return products


def shown_products(response) -> list[str]:
    return [p["name"] for p in response.context["products_page"]]


class TestProductPages:
    def test_ten_products_a_page_with_their_squads_and_who_serves_them(
        self, viewer_client, organization
    ):
        products_named(organization, 25)
        response = viewer_client.get(organization.get_absolute_url(), {"products_page": 2})
        assert shown_products(response) == [f"P{n:02}" for n in range(10, 20)]
        html = response.content.decode()
        assert '<th scope="row">S10</th>' in html
        assert "Person 10" in html
        assert '<th scope="row">S09</th>' not in html
        assert '<th scope="row">S20</th>' not in html
        assert "Page 2 of 3" in html
        assert " ".join(html.split('id="products-count">')[1].split("</p>")[0].split()) == (
            "25 products, 25 squads; showing products 11\N{EN DASH}20"
        )

    def test_the_counts_group_thousands_and_one_page_says_no_range(
        self, viewer_client, organization
    ):
        product = ProductFactory(organization=organization, name="Payments")
        Squad.objects.bulk_create(
            Squad(organization=organization, product=product, name=f"S{n:04}") for n in range(1000)
        )
        html = viewer_client.get(organization.get_absolute_url()).content.decode()
        assert " ".join(html.split('id="products-count">')[1].split("</p>")[0].split()) == (
            "1 product, 1,000 squads"
        )
        assert 'aria-label="Pages of products"' not in html

    def test_a_page_past_the_end_shows_the_last(self, viewer_client, organization):
        products_named(organization, 12)
        response = viewer_client.get(organization.get_absolute_url(), {"products_page": 9})
        assert shown_products(response) == ["P10", "P11"]

    @pytest.mark.parametrize("requested", ["0", "-1", "1.5", "x"])
    def test_a_page_below_one_or_not_a_number_shows_the_first(
        self, viewer_client, organization, requested
    ):
        products_named(organization, 12)
        response = viewer_client.get(organization.get_absolute_url(), {"products_page": requested})
        assert shown_products(response) == [f"P{n:02}" for n in range(10)]

    def test_page_links_keep_the_page_of_people_and_ask_htmx_to_keep_it_too(
        self, viewer_client, organization
    ):
        products_named(organization, 25)
        html = viewer_client.get(
            organization.get_absolute_url(), {"products_page": 2, "page": 1}
        ).content.decode()
        products = html.split('<section id="products"')[1].split("</section>")[0]
        assert 'href="?products_page=1&amp;page=1#products"' in products
        assert 'href="?products_page=3&amp;page=1#products"' in products
        assert 'hx-get="/orgs/acme/?products_page=3"' in products
        assert 'hx-include="#people-page-number"' in products
        assert 'id="people-page-number" name="page" value="1"' in html
        assert 'id="products-page-number" name="products_page" value="2"' in html

    def test_htmx_asks_for_a_page_of_products_alone(self, viewer_client, organization):
        products_named(organization, 25)
        response = viewer_client.get(
            organization.get_absolute_url(), {"products_page": 3}, headers=hx("products")
        )
        html = assert_partial(response, PRODUCTS_PARTIAL)
        assert shown_products(response) == [f"P{n:02}" for n in range(20, 25)]
        # Reloaded when people change, it stays on its page.
        assert 'hx-get="/orgs/acme/?products_page=3" hx-trigger="people-changed from:body"' in html


class TestEditsKeepTheirPage:
    def test_editing_a_product_answers_with_the_page_that_shows_it(
        self, editor_client, organization
    ):
        products = products_named(organization, 25)
        response = editor_client.post(
            reverse("orgs:product_edit", args=[organization.slug, products[15].pk]),
            product_data(name="P15"),
            headers=HX,
        )
        html = assert_partial(response, PRODUCTS_PARTIAL)
        assert shown_products(response) == [f"P{n:02}" for n in range(10, 20)]
        assert f'id="product-{products[15].pk}"' in html

    def test_a_renamed_product_is_shown_on_its_new_page(self, editor_client, organization):
        products = products_named(organization, 25)
        response = editor_client.post(
            reverse("orgs:product_edit", args=[organization.slug, products[3].pk]),
            product_data(name="Z last"),
            headers=HX,
        )
        assert shown_products(response) == ["P21", "P22", "P23", "P24", "Z last"]

    def test_a_plain_post_goes_back_to_the_page_that_shows_it(self, editor_client, organization):
        products = products_named(organization, 25)
        response = editor_client.post(
            reverse("orgs:product_edit", args=[organization.slug, products[15].pk]),
            product_data(name="P15"),
        )
        assert_redirects_to(response, f"/orgs/{organization.slug}/?products_page=2#products")

    def test_the_forms_cancel_link_goes_back_to_the_products_page(
        self, editor_client, organization
    ):
        products = products_named(organization, 25)
        for url in [
            reverse("orgs:product_edit", args=[organization.slug, products[21].pk]),
            reverse("orgs:product_delete", args=[organization.slug, products[21].pk]),
            reverse("orgs:squad_create", args=[organization.slug]) + f"?product={products[21].pk}",
            reverse("orgs:squad_edit", args=[organization.slug, products[21].squads.get().pk]),
        ]:
            response = editor_client.get(url)
            assert response.context["cancel_url"] == "/orgs/acme/?products_page=3#products", url

    def test_adding_a_squad_answers_with_the_page_of_its_product(self, editor_client, organization):
        products = products_named(organization, 25)
        response = editor_client.post(
            reverse("orgs:squad_create", args=[organization.slug]),
            {"product": products[22].pk, "name": "Checkout", "engineers": "", "methodology": ""},
            headers=HX,
        )
        html = assert_partial(response, PRODUCTS_PARTIAL)
        assert shown_products(response) == [f"P{n:02}" for n in range(20, 25)]
        assert '<th scope="row">Checkout</th>' in html

    def test_a_squad_moved_to_another_product_is_shown_on_that_products_page(
        self, editor_client, organization
    ):
        products = products_named(organization, 25)
        squad = products[1].squads.get()
        response = editor_client.post(
            reverse("orgs:squad_edit", args=[organization.slug, squad.pk]),
            {"product": products[12].pk, "name": squad.name, "engineers": "3"},
            headers=HX,
        )
        assert shown_products(response) == [f"P{n:02}" for n in range(10, 20)]

    def test_deleting_a_squad_answers_with_the_page_it_was_on(self, editor_client, organization):
        products = products_named(organization, 25)
        squad = products[14].squads.get()
        response = editor_client.post(
            reverse("orgs:squad_delete", args=[organization.slug, squad.pk]), headers=HX
        )
        assert shown_products(response) == [f"P{n:02}" for n in range(10, 20)]

    def test_deleting_the_last_product_of_a_page_answers_with_the_page_before(
        self, editor_client, organization
    ):
        products = products_named(organization, 21)
        response = editor_client.post(
            reverse("orgs:product_delete", args=[organization.slug, products[20].pk]), headers=HX
        )
        assert shown_products(response) == [f"P{n:02}" for n in range(10, 20)]
        assert "Page 2 of 2" in response.content.decode()


class TestProductPagesById:
    def test_the_page_of_each_product_counts_every_product_before_it(
        self, organization, django_assert_num_queries
    ):
        products = products_named(organization, 25)
        elsewhere = ProductFactory(name="P16")
        gone = products[10].pk
        products[10].delete()
        wanted = [products[24].pk, products[15].pk, products[3].pk, gone, elsewhere.pk]
        with django_assert_num_queries(1):
            pages = product_pages(organization, wanted)
        # P10 is gone, so P15 is the 15th of the remaining products: page 2 still.
        assert pages == {products[3].pk: 1, products[15].pk: 2, products[24].pk: 3}
