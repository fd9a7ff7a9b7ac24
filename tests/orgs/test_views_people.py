"""People, added, edited and deleted as plain POSTs and in place with htmx."""

import pytest
from django.urls import reverse

from orgs.models import Person
from tests.factories import PersonFactory, ProductFactory, SquadFactory, TitlePatternFactory
from tests.helpers import (
    HX,
    assert_partial,
    assert_redirects_to,
    field_block,
    field_errors,
    hx,
    page_links,
)

PEOPLE_PARTIAL = "orgs/organization_detail.html#people"
FORM_PARTIAL = "orgs/person_form.html#form"


def person_data(**overrides) -> dict:
    return {
        "name": "Dana Lee",
        "title": "Product Manager",
        "role": "",
        "reports_to": "",
        "time_backlog": "55",
        "time_strategy": "10",
        "time_discovery": "5",
        "time_stakeholders": "20",
        "time_ceremonies": "10",
        "time_other": "0",
        "owns_roadmap": "true",
        "does_market_research": "false",
        "sets_pricing": "unknown",
        **overrides,
    }


class TestPersonCreate:
    def test_the_form_as_a_page_has_a_top_heading_and_in_place_a_section_heading(
        self, editor_client, organization
    ):
        url = reverse("orgs:person_create", args=[organization.slug])
        page = editor_client.get(url).content.decode()
        in_place = editor_client.get(url, headers=HX).content.decode()
        assert '<h1 id="person-new-form-heading"' in page
        assert '<h2 id="person-new-form-heading"' in in_place
        assert "<h1" not in in_place

    def test_plain_post_saves_everything_and_redirects(self, editor_client, organization):
        checkout = SquadFactory(product=ProductFactory(organization=organization))
        boss = PersonFactory(organization=organization, name="Sam Ortiz")
        response = editor_client.post(
            reverse("orgs:person_create", args=[organization.slug]),
            {**person_data(reports_to=boss.pk), "squads": [checkout.pk]},
        )
        assert_redirects_to(response, f"/orgs/{organization.slug}/#people")
        dana = organization.people.get(name="Dana Lee")
        assert dana.reports_to == boss
        assert list(dana.squads.all()) == [checkout]
        assert dana.time == {
            "backlog": 55,
            "strategy": 10,
            "discovery": 5,
            "stakeholders": 20,
            "ceremonies": 10,
            "other": 0,
        }
        assert (dana.owns_roadmap, dana.does_market_research, dana.sets_pricing) == (
            True,
            False,
            None,
        )
        assert dana.role == ""

    def test_htmx_post_answers_with_the_people_section(self, editor_client, organization):
        response = editor_client.post(
            reverse("orgs:person_create", args=[organization.slug]), person_data(), headers=HX
        )
        html = assert_partial(response, PEOPLE_PARTIAL)
        assert '<section id="people"' in html
        assert '<th scope="row">Dana Lee</th>' in html
        assert response["HX-Retarget"] == "#people"
        assert response["HX-Trigger"] == '{"people-changed": {}}'

    def test_lands_on_the_page_that_shows_the_new_person(self, editor_client, organization):
        for n in range(60):
            PersonFactory(organization=organization, name=f"A{n:02}")
        response = editor_client.post(
            reverse("orgs:person_create", args=[organization.slug]), person_data(name="Zed")
        )
        assert_redirects_to(response, f"/orgs/{organization.slug}/?page=2#people")

    def test_a_taken_name_is_an_error_on_the_name_field(self, editor_client, organization):
        PersonFactory(organization=organization, name="Dana Lee")
        response = editor_client.post(
            reverse("orgs:person_create", args=[organization.slug]), person_data(), headers=HX
        )
        html = assert_partial(response, FORM_PARTIAL)
        assert "There is already a person named “Dana Lee” in this organization." in field_block(
            html, "person-new-name"
        )

    def test_only_the_organizations_squads_and_people_are_offered(
        self, editor_client, organization
    ):
        SquadFactory(product=ProductFactory(organization=organization, name="Pay"), name="Mine")
        SquadFactory(name="Theirs")
        PersonFactory(name="Outsider")
        html = editor_client.get(
            reverse("orgs:person_create", args=[organization.slug]), headers=HX
        ).content.decode()
        assert "Pay · Mine" in html
        assert "Theirs" not in html
        assert "Outsider" not in html

    def test_a_squad_of_another_organization_is_refused(self, editor_client, organization):
        response = editor_client.post(
            reverse("orgs:person_create", args=[organization.slug]),
            {**person_data(), "squads": [SquadFactory().pk]},
        )
        assert response.status_code == 200
        assert len(field_errors(response, "squads")) == 1
        assert not organization.people.exists()

    @pytest.mark.parametrize(
        "value",
        [
            "99999999999999999999",
            "9" * 5000,
            "0" * 5000 + "1",
            "0" * 5000 + "9" * 20,
            "²",
            "-1",
            "0",
            "1.5",
            "1_0",
        ],
    )
    def test_a_squad_or_manager_that_no_row_can_be_is_refused_beside_its_field(
        self, editor_client, organization, value
    ):
        url = reverse("orgs:person_create", args=[organization.slug])
        for field in ("squads", "reports_to"):
            response = editor_client.post(url, {**person_data(), field: [value]})
            assert response.status_code == 200
            (error,) = field_errors(response, field)
            # Said in a line: a value of thousands of digits is not echoed whole.
            assert len(error) < 120
        assert not organization.people.exists()

    @pytest.mark.parametrize(
        ("field", "value", "code", "place"),
        [("name", "Ann\x85Lee", "0085", 4), ("title", "Product\tManager", "0009", 8)],
    )
    def test_control_characters_are_refused_beside_the_field_as_the_import_would(
        self, editor_client, organization, field, value, code, place
    ):
        response = editor_client.post(
            reverse("orgs:person_create", args=[organization.slug]),
            person_data(**{field: value}),
        )
        assert field_errors(response, field) == [
            f"Must not contain control characters: U+{code} at character {place}."
        ]
        assert not organization.people.exists()


class TestPersonEdit:
    def test_plain_post_changes_the_person_and_their_squads_together(
        self, editor_client, organization
    ):
        product = ProductFactory(organization=organization)
        old, new = SquadFactory(product=product), SquadFactory(product=product)
        dana = PersonFactory(organization=organization, name="Dana Lee", squads=[old])
        response = editor_client.post(
            reverse("orgs:person_edit", args=[organization.slug, dana.pk]),
            {**person_data(title="Product Owner", role="product_manager"), "squads": [new.pk]},
        )
        assert_redirects_to(response, f"/orgs/{organization.slug}/#people")
        dana.refresh_from_db()
        assert (dana.title, dana.role) == ("Product Owner", "product_manager")
        assert list(dana.squads.all()) == [new]

    def test_htmx_post(self, editor_client, organization):
        dana = PersonFactory(organization=organization, name="Dana Lee")
        response = editor_client.post(
            reverse("orgs:person_edit", args=[organization.slug, dana.pk]),
            person_data(title="Head of Product"),
            headers=HX,
        )
        html = assert_partial(response, PEOPLE_PARTIAL)
        assert f'<tr id="person-{dana.pk}">' in html
        assert "Head of Product" in html
        assert "Product leader" in html

    def test_a_reporting_loop_is_refused_beside_the_reports_to_field(
        self, editor_client, organization
    ):
        dana = PersonFactory(organization=organization, name="Dana Lee")
        sam = PersonFactory(organization=organization, name="Sam Ortiz", reports_to=dana)
        response = editor_client.post(
            reverse("orgs:person_edit", args=[organization.slug, dana.pk]),
            person_data(reports_to=sam.pk),
            headers=HX,
        )
        html = assert_partial(response, FORM_PARTIAL)
        message = "Sam Ortiz already reports, directly or not, to Dana Lee: that would make a loop."
        assert field_errors(response, "reports_to") == [message]
        assert message in field_block(html, f"person-{dana.pk}-reports_to")
        dana.refresh_from_db()
        assert dana.reports_to is None

    def test_a_person_cannot_be_offered_as_their_own_manager(self, editor_client, organization):
        dana = PersonFactory(organization=organization, name="Dana Lee")
        response = editor_client.post(
            reverse("orgs:person_edit", args=[organization.slug, dana.pk]),
            person_data(reports_to=dana.pk),
        )
        assert field_errors(response, "reports_to") == [
            "Select a valid choice. That choice is not one of the available choices."
        ]

    def test_a_person_whose_time_was_never_entered_is_told_so_beside_the_total(
        self, editor_client, organization
    ):
        unknown = PersonFactory(organization=organization, name="Olivia Grant", time_backlog=0)
        Person.objects.filter(pk=unknown.pk).update(
            **{
                f"time_{b}": 0
                for b in ("strategy", "discovery", "stakeholders", "ceremonies", "other")
            }
        )
        known = PersonFactory(organization=organization, name="Dana Lee", time_backlog=40)
        for person, hidden in ((unknown, ""), (known, " hidden")):
            html = editor_client.get(
                reverse("orgs:person_edit", args=[organization.slug, person.pk])
            ).content.decode()
            assert f'<span class="muted" data-time-not-entered{hidden}>: nothing entered' in html

    def test_time_over_100_in_total_is_refused_beside_the_total(self, editor_client, organization):
        dana = PersonFactory(organization=organization, name="Dana Lee")
        response = editor_client.post(
            reverse("orgs:person_edit", args=[organization.slug, dana.pk]),
            person_data(time_backlog="60", time_strategy="50"),
            headers=HX,
        )
        html = assert_partial(response, FORM_PARTIAL)
        message = "The shares add up to 145%; together they may be at most 100%."
        assert response.context["form"].errors == {"time_total": [message]}
        total = field_block(html, f"person-{dana.pk}-time_total")
        assert message in total
        assert '<output id="person-' + str(
            dana.pk
        ) + '-time_total" data-time-total>145</output>' in (total)
        assert "time-total has-error over" in total
        dana.refresh_from_db()
        assert dana.time_total == 0

    def test_each_share_points_screen_readers_at_the_total_error(self, editor_client, organization):
        dana = PersonFactory(organization=organization, name="Dana Lee")
        response = editor_client.post(
            reverse("orgs:person_edit", args=[organization.slug, dana.pk]),
            person_data(time_backlog="60", time_strategy="50"),
            headers=HX,
        )
        html = assert_partial(response, FORM_PARTIAL)
        error_id = f"person-{dana.pk}-time_total_error"
        assert f'id="{error_id}"' in html
        for bucket in ("backlog", "strategy", "discovery", "stakeholders", "ceremonies", "other"):
            field = field_block(html, f"person-{dana.pk}-time_{bucket}")
            assert f'aria-describedby="{error_id}"' in field
            assert 'aria-invalid="true"' in field

    def test_a_share_out_of_0_to_100_is_refused_beside_its_field(self, editor_client, organization):
        dana = PersonFactory(organization=organization, name="Dana Lee")
        response = editor_client.post(
            reverse("orgs:person_edit", args=[organization.slug, dana.pk]),
            person_data(time_backlog="0", time_other="101"),
            headers=HX,
        )
        html = assert_partial(response, FORM_PARTIAL)
        assert response.context["form"].errors == {
            "time_other": ["Ensure this value is less than or equal to 100."]
        }
        assert "less than or equal to 100" in field_block(html, f"person-{dana.pk}-time_other")

    def test_the_form_shows_the_role_the_title_gives(self, editor_client, organization):
        TitlePatternFactory(position=1, pattern=r"\bwizard\b", role="product_owner")
        dana = PersonFactory(organization=organization, title="Backlog Wizard")
        response = editor_client.get(
            reverse("orgs:person_edit", args=[organization.slug, dana.pk]), headers=HX
        )
        html = assert_partial(response, FORM_PARTIAL)
        assert "Role from the title: <strong>Product owner</strong>" in html
        assert 'hx-trigger="input changed delay:300ms"' in html

    def test_the_form_shows_the_total_as_stored_and_loads_the_script_that_updates_it(
        self, editor_client, organization
    ):
        dana = PersonFactory(organization=organization, time_backlog=40, time_strategy=25)
        response = editor_client.get(reverse("orgs:person_edit", args=[organization.slug, dana.pk]))
        html = response.content.decode()
        assert f'<output id="person-{dana.pk}-time_total" data-time-total>65</output>' in html
        assert html.count("data-time-share") == 6
        assert 'src="/static/js/app.js"' in html


class TestTitleRole:
    def test_answers_with_the_role_of_the_typed_title(self, editor_client, organization):
        response = editor_client.get(
            reverse("orgs:person_title_role", args=[organization.slug]),
            {"title": "VP of Product"},
            headers=hx("title-role"),
        )
        html = assert_partial(response, "orgs/person_form.html#title_role")
        assert html.strip() == "Role from the title: <strong>Product leader</strong>"

    def test_reads_at_most_the_title_the_field_keeps(
        self, editor_client, organization, monkeypatch
    ):
        from orgs.views import people

        read = []
        real = people.role_from_title
        monkeypatch.setattr(
            people, "role_from_title", lambda title, rules: read.append(title) or real(title, rules)
        )
        response = editor_client.get(
            reverse("orgs:person_title_role", args=[organization.slug]),
            {"title": "VP " * 30_000},
            headers=hx("title-role"),
        )
        assert response.status_code == 200
        assert [len(title) for title in read] == [200]


class TestPersonDelete:
    def test_confirmation_says_who_loses_their_manager(self, editor_client, organization):
        dana = PersonFactory(
            organization=organization,
            squads=[SquadFactory(product=ProductFactory(organization=organization))],
        )
        PersonFactory(organization=organization, reports_to=dana)
        PersonFactory(organization=organization, reports_to=dana)
        response = editor_client.get(
            reverse("orgs:person_delete", args=[organization.slug, dana.pk]), headers=HX
        )
        assert_partial(response, "orgs/confirm_delete.html#confirm")
        assert response.context["consequences"] == [
            "2 people who report to them will report to nobody.",
            "1 squad loses them.",
        ]

    def test_plain_post(self, editor_client, organization):
        dana = PersonFactory(organization=organization)
        report = PersonFactory(organization=organization, reports_to=dana)
        response = editor_client.post(
            reverse("orgs:person_delete", args=[organization.slug, dana.pk])
        )
        assert_redirects_to(response, f"/orgs/{organization.slug}/#people")
        assert not Person.objects.filter(pk=dana.pk).exists()
        report.refresh_from_db()
        assert report.reports_to is None

    def test_htmx_post(self, editor_client, organization):
        dana = PersonFactory(organization=organization, name="Dana Lee")
        response = editor_client.post(
            reverse("orgs:person_delete", args=[organization.slug, dana.pk]), headers=HX
        )
        html = assert_partial(response, PEOPLE_PARTIAL)
        assert "Dana Lee" not in html
        assert "No people yet." in html


class TestPeoplePages:
    def test_fifty_people_a_page(self, viewer_client, organization):
        for n in range(120):
            PersonFactory(organization=organization, name=f"P{n:03}")
        response = viewer_client.get(organization.get_absolute_url(), {"page": 3})
        page = response.context["people_page"]
        assert [p["name"] for p in page] == [f"P{n:03}" for n in range(100, 120)]
        assert "Page 3 of 3" in response.content.decode()

    def test_page_links_name_the_people_keep_the_page_of_products_and_swap_the_section(
        self, viewer_client, organization
    ):
        for n in range(120):
            PersonFactory(organization=organization, name=f"P{n:03}")
        html = viewer_client.get(
            organization.get_absolute_url(), {"page": 2, "products_page": 1}
        ).content.decode()
        htmx = (
            'hx-include="#products-page-number" hx-target="#people" '
            'hx-swap="outerHTML show:top" hx-push-url="true"'
        )
        hidden = '<span class="visually-hidden"> people</span>'
        assert page_links(html, "people") == (
            '<a class="button small" rel="prev" href="?page=1&amp;products_page=1#people" '
            f'hx-get="/orgs/acme/?page=1" {htmx}>Previous{hidden}</a> '
            '<span aria-current="page">Page 2 of 3</span> '
            '<a class="button small" rel="next" href="?page=3&amp;products_page=1#people" '
            f'hx-get="/orgs/acme/?page=3" {htmx}>Next{hidden}</a>'
        )

    @pytest.mark.parametrize("requested", ["0", "-1", "x", "9" * 5000])
    def test_a_page_below_one_or_not_a_number_or_past_the_end_still_shows_people(
        self, viewer_client, organization, requested
    ):
        for n in range(60):
            PersonFactory(organization=organization, name=f"P{n:03}")
        response = viewer_client.get(organization.get_absolute_url(), {"page": requested})
        expected = 2 if requested == "9" * 5000 else 1
        assert response.context["people_page"].number == expected

    def test_htmx_asks_for_the_people_section_alone(self, viewer_client, organization):
        for n in range(60):
            PersonFactory(organization=organization, name=f"P{n:03}")
        response = viewer_client.get(
            organization.get_absolute_url(), {"page": 2}, headers=hx("people")
        )
        html = assert_partial(response, PEOPLE_PARTIAL)
        assert '<th scope="row">P050</th>' in html
        assert '<th scope="row">P049</th>' not in html
        assert {"HX-Request", "HX-Target"} <= set(response["Vary"].split(", "))

    def test_htmx_asks_for_the_products_section_alone(self, viewer_client, organization):
        ProductFactory(organization=organization, name="Payments")
        response = viewer_client.get(organization.get_absolute_url(), headers=hx("products"))
        html = assert_partial(response, "orgs/organization_detail.html#products")
        assert "Payments" in html
