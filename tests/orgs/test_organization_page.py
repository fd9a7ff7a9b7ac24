"""The organization page: exactly what it lists, to whom it offers the edit links, and that
its sections, rendered once and kept (orgs.rendered), show every change on the next request."""

import re

import pytest
from django.core.management import call_command
from django.test.signals import template_rendered
from django.urls import reverse

from orgs.interchange import dumps, import_document
from orgs.models import MemberRole, Membership, Organization, TitlePattern
from orgs.views.sections import SECTION_TEMPLATES
from tests.factories import MembershipFactory, PersonFactory
from tests.helpers import HX, client_for, hx, kept_renders, table_rows
from tests.orgs.documents import DANA, acme

SQUAD_HEADER = "Squad | Engineers | Methodology | Served by"
PEOPLE_HEADER = "Name | Title | Role | Reports to | Squads | Time allocated"


@pytest.fixture
def org(db) -> Organization:
    """Acme of tests/orgs/documents.py: Lending (Underwriting) and Payments (Billing,
    Checkout); Dana Lee, Lee Park and Sam Ortiz."""
    return import_document(acme())


@pytest.fixture
def editor(org):
    return client_for(org, MemberRole.EDITOR)


@pytest.fixture
def viewer(org):
    return client_for(org, MemberRole.VIEWER)


def page(client, org: Organization, **params) -> str:
    response = client.get(org.get_absolute_url(), params)
    assert response.status_code == 200
    return response.content.decode()


def facts(html: str) -> dict[str, list[tuple[str, str]]]:
    """Product name → its facts as (term, text), in order."""
    found = {}
    for card in html.split('<article class="card product"')[1:]:
        name = re.search(r"<h3 [^>]*>([^<]*)</h3>", card).group(1)
        pairs = re.findall(r"<dt>([^<]*)</dt><dd>(.*?)</dd>", card)
        found[name] = [(term, re.sub(r"<[^>]+>", "", text)) for term, text in pairs]
    return found


def section(html: str, name: str) -> str:
    """The markup of one section (`products` or `people`) of a page."""
    start = html.index(f'<section id="{name}"')
    return html[start : html.index("</section>", start) + len("</section>")]


def without_actions(html: str) -> list[str]:
    """table_rows() without an editor's Edit and Delete cell."""
    return [row.rsplit(" | Edit ", 1)[0] for row in table_rows(html)]


def edit_links(html: str) -> list[str]:
    """The Edit and Delete links of the sections' rows (of a page, or of a section alone)."""
    names = [name for name in ("products", "people") if f'id="{name}"' in html]
    shown = "".join(section(html, name) for name in names)
    return re.findall(r'<a class="button small subtle[^"]*" href="([^"]+)"', shown)


class TestWhatItLists:
    def test_products_with_their_facts_in_order_of_name(self, org, viewer):
        assert facts(page(viewer, org)) == {
            "Lending": [
                ("Markets", "Not entered"),
                ("Personas", "Not entered"),
                ("Roadmap updated", "Unknown"),
                ("Last customer interview", "Unknown"),
                ("Reviews cancelled last quarter", "Unknown"),
            ],
            "Payments": [
                ("Markets", "EU SMB, US enterprise"),
                ("Personas", "Merchant"),
                ("Roadmap updated", "1 Sep 2026"),
                ("Last customer interview", "15 Oct 2026"),
                ("Reviews cancelled last quarter", "2"),
            ],
        }

    def test_squads_and_people_row_by_row(self, org, viewer):
        assert table_rows(page(viewer, org)) == [
            SQUAD_HEADER,
            "Underwriting | Unknown | None | Lee Park",
            SQUAD_HEADER,
            "Billing | 4 | Kanban | Dana Lee",
            "Checkout | 6 | Scrum (organization's) | Dana Lee",
            PEOPLE_HEADER,
            "Dana Lee | Product Manager | Product manager | Sam Ortiz | Billing, Checkout | 100%",
            "Lee Park | Delivery lead | Product owner set by hand | Dana Lee | Underwriting | 100%",
            "Sam Ortiz | CEO | Executive | — | None | not entered",
        ]
        counted = '<p class="muted" id="products-count"> 2 products, 3 squads </p>'
        assert counted in " ".join(page(viewer, org).split())

    def test_a_squad_nobody_serves_and_a_person_serving_none(self, org, viewer):
        squad = org.squads.get(name="Underwriting")
        squad.people.clear()
        rows = table_rows(page(viewer, org))
        assert "Underwriting | Unknown | None | Nobody" in rows
        lee = "Lee Park | Delivery lead | Product owner set by hand | Dana Lee | None | 100%"
        assert lee in rows

    def test_an_editor_gets_edit_and_delete_links_on_every_row(self, org, editor):
        html = page(editor, org)
        ids = {
            kind: dict(getattr(org, plural).values_list("name", "pk"))
            for kind, plural in (("product", "products"), ("squad", "squads"), ("person", "people"))
        }
        expected = []
        for kind, names in (
            ("squad", ["Underwriting"]),
            ("product", ["Lending"]),
            ("squad", ["Billing", "Checkout"]),
            ("product", ["Payments"]),
            ("person", ["Dana Lee", "Lee Park", "Sam Ortiz"]),
        ):
            for name in names:
                args = [org.slug, ids[kind][name]]
                expected += [
                    reverse(f"orgs:{kind}_edit", args=args),
                    reverse(f"orgs:{kind}_delete", args=args),
                ]
        assert sorted(edit_links(html)) == sorted(expected)
        assert 'Edit<span class="visually-hidden"> Dana Lee</span>' in html
        assert table_rows(html)[-1] == (
            "Sam Ortiz | CEO | Executive | — | None | not entered | Edit Sam Ortiz Delete Sam Ortiz"
        )

    def test_a_viewer_gets_no_edit_links_nor_their_column(self, org, viewer):
        html = page(viewer, org)
        assert edit_links(html) == []
        assert "Add product" not in html and "Add person" not in html
        assert "Actions" not in html


class TestShowsEveryChangeOnTheNextRequest:
    """Each test shows the page once, so that its sections are kept, then changes something."""

    def test_a_product_edited_with_its_form(self, org, editor):
        page(editor, org)
        product = org.products.get(name="Lending")
        response = editor.post(
            reverse("orgs:product_edit", args=[org.slug, product.pk]),
            {"name": "Lending v2", "markets": "UK", "personas": "", "roadmap_updated_on": ""},
        )
        assert response.status_code == 302
        shown = facts(page(editor, org))
        assert list(shown) == ["Lending v2", "Payments"]
        assert shown["Lending v2"][0] == ("Markets", "UK")

    def test_a_squad_edited_with_its_form(self, org, editor):
        page(editor, org)
        squad = org.squads.get(name="Billing")
        editor.post(
            reverse("orgs:squad_edit", args=[org.slug, squad.pk]),
            {"product": squad.product_id, "name": "Billing", "engineers": "9"},
        )
        rows = without_actions(page(editor, org))
        assert "Billing | 9 | Scrum (organization's) | Dana Lee" in rows

    def test_a_person_edited_with_htmx_and_the_page_after(self, org, editor):
        page(editor, org)
        dana = org.people.get(name="Dana Lee")
        response = editor.post(
            reverse("orgs:person_edit", args=[org.slug, dana.pk]),
            {
                "name": "Dana Lee",
                "title": "Head of Product",
                "role": "",
                "reports_to": "",
                "squads": [],
                **{f"time_{b}": "0" for b in ("backlog", "strategy", "discovery")},
                **{f"time_{b}": "0" for b in ("stakeholders", "ceremonies", "other")},
                "owns_roadmap": "unknown",
                "does_market_research": "unknown",
                "sets_pricing": "unknown",
            },
            headers=HX,
        )
        expected = "Dana Lee | Head of Product | Product leader | — | None | not entered"
        assert expected in without_actions(response.content.decode())
        rows = without_actions(page(editor, org))
        assert expected in rows
        # Billing and Checkout no longer list her.
        assert "Billing | 4 | Kanban | Nobody" in rows

    def test_a_person_deleted(self, org, editor):
        page(editor, org)
        sam = org.people.get(name="Sam Ortiz")
        editor.post(reverse("orgs:person_delete", args=[org.slug, sam.pk]))
        rows = table_rows(page(editor, org))
        assert not any(row.startswith("Sam Ortiz") for row in rows)
        dana = "Dana Lee | Product Manager | Product manager | — |"
        assert any(row.startswith(dana) for row in rows)

    def test_a_manager_renamed_shows_beside_who_reports_to_them(self, org, viewer):
        page(viewer, org)
        org.people.filter(name="Sam Ortiz").update(name="Samantha Ortiz")
        dana = "Dana Lee | Product Manager | Product manager | Samantha Ortiz | Billing, Checkout"
        assert f"{dana} | 100%" in table_rows(page(viewer, org))

    def test_a_title_pattern_changed_by_an_admin(self, org, viewer):
        page(viewer, org)
        TitlePattern.objects.filter(pattern=r"\bCEO\b").update(role="product_leader")
        assert "Sam Ortiz | CEO | Product leader | — | None | not entered" in table_rows(
            page(viewer, org)
        )

    def test_the_organizations_methodology_and_name(self, org, editor):
        page(editor, org)
        response = editor.post(
            reverse("orgs:organization_settings", args=[org.slug]),
            {"name": "Acme Two", "methodology": "kanban", "reassess_every_days": "60"},
        )
        assert response.status_code == 302
        html = page(editor, org)
        assert "Checkout | 6 | Kanban (organization's) | Dana Lee" in without_actions(html)
        assert "People of Acme Two, page 1 of 1" in html

    def test_an_import_replacing_the_organization(self, org, viewer, tmp_path):
        page(viewer, org)
        document = acme()
        document["products"][0]["name"] = "Loans"
        document["products"][1]["squads"][0]["engineers"] = 7
        document["people"][DANA]["title"] = "Group Product Manager"
        path = tmp_path / "acme.json"
        path.write_text(dumps(document), encoding="utf-8")
        call_command("import_org", str(path), "--replace", stdout=None)
        html = page(viewer, org)
        assert list(facts(html)) == ["Loans", "Payments"]
        rows = table_rows(html)
        assert "Billing | 7 | Kanban | Dana Lee" in rows
        assert rows[-3].startswith("Dana Lee | Group Product Manager | Product manager |")

    def test_a_new_person_on_the_page_of_people_shown(self, org, viewer):
        page(viewer, org, page=1)
        PersonFactory(organization=org, name="Ada Byron")
        assert table_rows(page(viewer, org, page=1))[-4].startswith("Ada Byron |")


class TestEditorsAndViewers:
    def test_a_viewer_after_an_editor_gets_no_edit_links(self, org, editor, viewer):
        assert edit_links(page(editor, org))
        assert edit_links(page(viewer, org)) == []
        for name in ("products", "people"):
            html = viewer.get(org.get_absolute_url(), headers=hx(name)).content.decode()
            assert edit_links(html) == []

    def test_an_editor_after_a_viewer_gets_them(self, org, editor, viewer):
        assert edit_links(page(viewer, org)) == []
        assert len(edit_links(page(editor, org))) == 16

    def test_a_viewer_made_editor_gets_them_on_the_next_request(self, org, viewer):
        assert edit_links(page(viewer, org)) == []
        Membership.objects.filter(user=viewer.user).update(role=MemberRole.EDITOR)
        assert len(edit_links(page(viewer, org))) == 16

    def test_the_kept_sections_hold_no_csrf_token_nor_anything_of_the_user(self, org):
        client = client_for(org, MemberRole.OWNER)
        client.user.first_name, client.user.last_name = "Zq", "Owner"
        client.user.save()
        html = page(client, org)
        assert "Zq Owner" in html and "csrfmiddlewaretoken" in html  # the page's own
        for name in ("products", "people"):
            kept = section(html, name)
            assert "csrf" not in kept.lower()
            assert "Zq Owner" not in kept


class TestKeptSections:
    def rendered_partials(self, request_section):
        names = []

        def seen(sender, template, context, **kwargs):
            names.append(getattr(template, "name", None))

        template_rendered.connect(seen)
        try:
            request_section()
        finally:
            template_rendered.disconnect(seen)
        return names

    def test_an_htmx_section_after_the_page_is_the_pages_section_not_rendered_again(
        self, org, editor
    ):
        html = page(editor, org)
        for name in ("products", "people"):
            responses = []

            def get(name=name, responses=responses):
                responses.append(editor.get(org.get_absolute_url(), headers=hx(name)))

            assert self.rendered_partials(get) == []
            assert responses[0].content.decode().strip() == section(html, name)

    def test_another_page_of_people_is_rendered_and_both_are_kept(self, org, viewer):
        for n in range(60):
            PersonFactory(organization=org, name=f"P{n:03}")
        first = page(viewer, org)
        second = page(viewer, org, page=2)
        assert "Page 2 of 2" in second and "Page 1 of 2" in first
        assert section(page(viewer, org), "people") == section(first, "people")
        assert section(page(viewer, org, page=2), "people") == section(second, "people")

    def test_the_page_links_keep_the_other_sections_page(self, org, viewer):
        for n in range(60):
            PersonFactory(organization=org, name=f"P{n:03}")
        page(viewer, org, page=1)
        html = page(viewer, org, page=1, products_page=1)
        assert 'href="?page=2&amp;products_page=1#people"' in html

    def test_every_template_a_section_renders_is_in_its_fingerprint(self, org, viewer):
        for n in range(60):
            PersonFactory(organization=org, name=f"P{n:03}")
        files = []

        def seen(sender, template, context, **kwargs):
            files.append(template.origin.template_name)

        template_rendered.connect(seen)
        try:
            for name, params in (("people", {"page": 2}), ("products", {})):
                viewer.get(org.get_absolute_url(), params, headers=hx(name))
        finally:
            template_rendered.disconnect(seen)
        assert "includes/pagination.html" in files
        assert set(files) <= set(SECTION_TEMPLATES)


def test_a_scenarios_list_newest_first_with_when_applied(org):
    from orgs.models import Scenario
    from orgs.scenarios import copy_organization

    owner = MembershipFactory(organization=org, role=MemberRole.OWNER).user
    first = copy_organization(org, name="Fewer POs", user=owner)
    copy_organization(org, name="More POs", user=owner)
    Scenario.objects.filter(pk=first.pk).update(applied_at="2026-11-30T10:00:00Z")
    client = client_for(org, MemberRole.VIEWER)
    html = " ".join(page(client, org).split())
    listed = html.split('<ul class="scenario-list">')[1].split("</ul>")[0]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', listed) == [
        (Organization.objects.get(name="More POs").get_absolute_url(), "More POs"),
        (first.get_absolute_url(), "Fewer POs"),
    ]
    assert '<span class="badge success">applied 30 Nov 2026</span>' in listed


class TestTheScenarioForm:
    def scenario_form(self, html: str) -> str:
        return html.split('<form method="post" action="')[-1].split("</form>")[0]

    def test_an_editor_gets_the_empty_form_with_its_own_csrf_token(self, org, editor):
        form = self.scenario_form(page(editor, org))
        assert form.startswith(reverse("orgs:scenario_create", args=[org.slug]))
        assert 'name="csrfmiddlewaretoken"' in form
        assert '<label for="id_name">Scenario name:</label>' in form
        assert '<input type="text" name="name" maxlength="150" required' in form
        assert "Copy into a new scenario" in form

    def test_the_kept_fields_are_the_same_for_every_editor_but_the_token_is_theirs(self, org):
        first, second = (client_for(org, MemberRole.EDITOR) for _ in range(2))
        one, other = (self.scenario_form(page(client, org)) for client in (first, second))
        token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
        assert token.search(one).group() != token.search(other).group()
        assert token.sub("", one) == token.sub("", other)

    def test_a_viewer_gets_no_form(self, org, viewer):
        html = page(viewer, org)
        assert 'action="' + reverse("orgs:scenario_create", args=[org.slug]) not in html

    def test_every_project_template_the_fields_render_is_in_their_fingerprint(self, org):

        from orgs.views.scenarios import SCENARIO_FORM_TEMPLATES, scenario_form_fields

        files = []

        def seen(sender, template, context, **kwargs):
            files.append(template.origin.template_name)

        template_rendered.connect(seen)
        try:
            scenario_form_fields(org)
        finally:
            template_rendered.disconnect(seen)
        project = {name for name in files if not name.startswith("django/forms/")}
        assert project == set(SCENARIO_FORM_TEMPLATES)


def test_a_made_up_query_parameter_makes_no_other_kept_section(acme, viewer_client, monkeypatch):
    url = acme.get_absolute_url()
    viewer_client.get(url + "?page=1")
    rendered = kept_renders(monkeypatch)

    response = viewer_client.get(url + "?campaign=first-reader&page=1")

    assert response.status_code == 200
    assert rendered == []  # every section was the one kept for ?page=1
    assert "first-reader" not in response.content.decode()
