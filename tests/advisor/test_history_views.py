"""The history pages: the list with its ruleset notes, an old assessment opened as it was,
deleting one made by mistake, the compare page with the cause of each change, and trends."""

import json
import re
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from advisor.comparison import FindingRow
from advisor.models import Assessment, Heuristic
from advisor.services import run_assessment
from orgs.models import MemberRole
from tests.advisor.scenarios import (
    AS_OF,
    assess,
    grow,
    overload_managers,
    set_parameter,
    small_payments,
)
from tests.factories import PersonFactory, build_organization
from tests.helpers import assert_partial, client_for, hx, page_links, table_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(growth):
    def make(role):
        return client_for(growth, role)

    return make


def main(html: str) -> str:
    """The page's content, without the per-response nonces of the head."""
    return html.split("<main", 1)[1]


def without_chart(row: str) -> str:
    """A row of the backlog table without its second cell, the chart's text."""
    cells = row.split(" | ")
    return " | ".join([cells[0], *cells[2:]])


def lower_min_squads(to: int = 2) -> None:
    set_parameter("min_squads", to)


class TestHistoryList:
    def test_shows_each_ruleset_version_with_its_note(self, growth, member):
        assess(growth)
        lower_min_squads()
        assess(growth)
        html = (
            member(MemberRole.VIEWER)
            .get(reverse("advisor:assessment_list", args=[growth.slug]))
            .content.decode()
        )
        rows = table_rows(html)
        assert rows[1].split(" | ")[3] == "v2 (parameter min_squads changed.)"
        assert rows[1].split(" | ")[4] == "1 split"
        assert rows[2].split(" | ")[3].startswith("v1 (")
        assert rows[2].split(" | ")[4] == "1 merge"

    @pytest.mark.parametrize(
        ("role", "shown"), [("owner", True), ("editor", False), ("viewer", False)]
    )
    def test_only_an_owner_is_offered_to_delete(self, growth, member, role, shown):
        assessment = assess(growth)
        delete = reverse("advisor:assessment_delete", args=[growth.slug, assessment.pk])
        client = member(role)
        for url in (
            reverse("advisor:assessment_list", args=[growth.slug]),
            assessment.get_absolute_url(),
        ):
            assert (f'href="{delete}"' in client.get(url).content.decode()) is shown


class TestOpensAsItWas:
    def test_an_old_assessment_reads_the_same_after_the_organization_and_the_rules_changed(
        self, growth, member
    ):
        old = assess(growth)
        client = member(MemberRole.VIEWER)
        before = client.get(old.get_absolute_url()).content.decode()
        grow(growth)
        payments = growth.products.get(name="Payments")
        payments.markets = ["EU SMB", "US SMB"]
        payments.save()
        lower_min_squads()
        Heuristic.objects.filter(code="merge-small-team").update(message="Changed wording.")
        lower_min_squads(to=5)  # publishes the wording change too
        assess(growth)
        after = client.get(old.get_absolute_url()).content.decode()
        assert main(after) == main(before)
        assert "ruleset <code>v1</code>" in after
        assert "Changed wording." not in after
        summary = table_rows(after.split('id="summary"')[1])
        assert summary[1].startswith("Payments | Merge")


class TestDelete:
    def test_an_owner_confirms_then_deletes(self, growth, member):
        kept, mistake = assess(growth), assess(growth)
        client = member(MemberRole.OWNER)
        url = reverse("advisor:assessment_delete", args=[growth.slug, mistake.pk])
        confirm = client.get(url)
        assert confirm.status_code == 200
        html = confirm.content.decode()
        assert "Delete the assessment run" in html
        assert "are deleted for good" in html
        assert Assessment.objects.filter(pk=mistake.pk).exists()
        response = client.post(url, follow=True)
        assert response.redirect_chain == [
            (reverse("advisor:assessment_list", args=[growth.slug]), 302)
        ]
        assert list(Assessment.objects.values_list("pk", flat=True)) == [kept.pk]
        assert "Deleted the assessment run" in response.content.decode()

    @pytest.mark.parametrize("role", [MemberRole.EDITOR, MemberRole.VIEWER])
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_editors_and_viewers_get_403_and_nothing_is_deleted(self, growth, member, role, method):
        assessment = assess(growth)
        url = reverse("advisor:assessment_delete", args=[growth.slug, assessment.pk])
        assert getattr(member(role), method)(url).status_code == 403
        assert Assessment.objects.filter(pk=assessment.pk).exists()

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_a_non_member_gets_404(self, growth, member, method):
        assessment = assess(growth)
        url = reverse("advisor:assessment_delete", args=[growth.slug, assessment.pk])
        assert getattr(member(None), method)(url).status_code == 404
        assert Assessment.objects.filter(pk=assessment.pk).exists()

    def test_another_organizations_assessment_is_404(self, growth, member):
        other = assess(small_payments())
        url = reverse("advisor:assessment_delete", args=[growth.slug, other.pk])
        assert member(MemberRole.OWNER).post(url).status_code == 404
        assert Assessment.objects.filter(pk=other.pk).exists()


class TestComparePage:
    @pytest.mark.parametrize(
        "number", ["9223372036854775808", "9" * 25, "0" * 5000 + "9" * 25, "0" * 5000, "0", "-3"]
    )
    def test_an_assessment_number_no_database_holds_is_404(self, growth, member, number):
        latest = assess(growth)
        url = reverse("advisor:assessment_compare", args=[growth.slug])
        client = member(MemberRole.VIEWER)
        assert client.get(url, {"a": number, "b": latest.pk}).status_code == 404
        assert (
            client.get(url, {"a": latest.pk, "b": number}, headers=hx("products")).status_code
            == 404
        )

    @pytest.mark.parametrize("spelt", ["+{}", "0_{}", " {}", "{}\N{ARABIC-INDIC DIGIT ZERO}"])
    def test_an_assessment_number_is_ascii_digits_only(self, growth, member, spelt):
        before, latest = assess(growth), assess(growth)
        url = reverse("advisor:assessment_compare", args=[growth.slug])
        client = member(MemberRole.VIEWER)
        assert client.get(url, {"a": before.pk, "b": latest.pk}).status_code == 200
        assert client.get(url, {"a": spelt.format(before.pk), "b": latest.pk}).status_code == 404

    def test_shows_the_cause_the_facts_the_staffing_and_the_people_that_moved(self, growth, member):
        assess(growth)
        grow(growth)
        assess(growth)
        response = member(MemberRole.VIEWER).get(
            reverse("advisor:assessment_compare", args=[growth.slug])
        )
        html = response.content.decode()
        rows = table_rows(html)
        assert "Payments changed | Merge | Split | The organization changed | 1 / 0 | 1 / 4" in rows
        card = html.split('id="product-1"')[1].split("</section>")[0]
        assert "<code>split-three-plus-squads</code>" in card
        assert "<code>merge-small-team</code>" in card
        card_rows = table_rows(card)
        assert "squads | 2 | 4" in card_rows
        assert "pm_backlog_share | 35% | 55%" in card_rows
        assert "product_owners | 1 | 2" in card_rows
        people = table_rows(html.split('id="people-changes"')[1].split("</section>")[0])
        assert people[1:] == [
            "Bea Kim | backlog_share 5% → 30%; ceremonies_share 95% → 70%",
            "Chen Wu | Joined since",
            "Dana Lee | squads_served 2 → 4; backlog_share 35% → 55%; strategy_share 35% → 15%",
        ]

    def test_the_rules_are_named_as_the_cause_when_they_alone_moved_the_advice(
        self, growth, member
    ):
        assess(growth)
        lower_min_squads()
        assess(growth)
        html = (
            member(MemberRole.VIEWER)
            .get(reverse("advisor:assessment_compare", args=[growth.slug]))
            .content.decode()
        )
        assert "Payments changed | Merge | Split | The rules changed | 1 / 0 | 1 / 2" in (
            table_rows(html)
        )

    def test_any_two_are_chosen_and_the_choice_is_kept_in_the_form(self, growth, member):
        first = assess(growth)
        grow(growth)
        assess(growth)
        third = assess(growth)
        url = reverse("advisor:assessment_compare", args=[growth.slug])
        response = member(MemberRole.VIEWER).get(url, {"a": third.pk, "b": first.pk})
        assert (response.context["before"], response.context["after"]) == (third, first)
        html = response.content.decode()
        select_a = html.split('name="a"')[1].split("</select>")[0]
        assert f'<option value="{third.pk}" selected>' in select_a
        select_b = html.split('name="b"')[1].split("</select>")[0]
        assert f'<option value="{first.pk}" selected>' in select_b
        assert "Payments changed | Split | Merge | The organization changed" in (
            " ".join(table_rows(html))
        )

    def test_by_default_a_projection_is_left_out(self, growth, member):
        first, second = assess(growth), assess(growth)
        assess(growth, as_of=timezone.localdate() + timedelta(days=60))
        response = member(MemberRole.VIEWER).get(
            reverse("advisor:assessment_compare", args=[growth.slug])
        )
        assert (response.context["before"], response.context["after"]) == (first, second)

    def test_the_same_assessment_twice_asks_for_two(self, growth, member):
        first = assess(growth)
        assess(growth)
        url = reverse("advisor:assessment_compare", args=[growth.slug])
        response = member(MemberRole.VIEWER).get(url, {"a": first.pk, "b": first.pk})
        assert response.status_code == 200
        assert "Choose two different assessments to compare." in response.content.decode()

    def test_a_non_member_gets_404(self, growth, member):
        assess(growth)
        assess(growth)
        url = reverse("advisor:assessment_compare", args=[growth.slug])
        assert member(None).get(url).status_code == 404


class TestTrends:
    def test_charts_verdicts_backlog_shares_and_staffing_with_the_change_since_the_last(
        self, growth, member
    ):
        assess(growth)
        grow(growth)
        assess(growth)
        response = member(MemberRole.VIEWER).get(
            reverse("advisor:assessment_trends", args=[growth.slug])
        )
        assert response.status_code == 200
        html = response.content.decode()
        verdicts = html.split('id="verdict-trends"')[1].split("</section>")[0]
        assert "<svg" in verdicts and 'role="img"' in verdicts
        assert "Payments | Merge | Split | changed: Merge → Split" in table_rows(verdicts)
        backlog = html.split('id="backlog-trends"')[1].split("</section>")[0]
        (dana,) = [without_chart(row) for row in table_rows(backlog)[1:]]
        assert dana == "Dana Lee | 35% / 40% | 55% / 40% | ▲ up 20, from 35 to 55"
        chart = backlog.split("<svg", 1)[1].split("</svg>")[0]
        assert 'aria-label="Dana Lee: backlog share against the limit"' in chart
        assert chart.count('class="line-share"') == chart.count('class="line-limit"') == 1
        assert '<strong class="over">55%</strong>' in backlog
        staffing = html.split('id="staffing-trends"')[1].split("</section>")[0]
        assert table_rows(staffing)[1:] == [
            "Product managers now | 1 | 1 | unchanged at 1",
            "Product managers recommended | 1 | 1 | unchanged at 1",
            "Product owners now | 1 | 2 | ▲ up 1, from 1 to 2",
            "Product owners recommended | 0 | 4 | ▲ up 4, from 0 to 4",
        ]
        assert html.count("<polyline") == 1 * 2 + 4

    def test_a_falling_value_is_marked_down(self, growth, member):
        grow(growth)
        assess(growth)
        dana = growth.people.get(name="Dana Lee")
        dana.time_backlog, dana.time_strategy = 30, 40
        dana.save()
        assess(growth)
        html = (
            member(MemberRole.VIEWER)
            .get(reverse("advisor:assessment_trends", args=[growth.slug]))
            .content.decode()
        )
        backlog = html.split('id="backlog-trends"')[1].split("</section>")[0]
        assert without_chart(table_rows(backlog)[1]).endswith("▼ down 25, from 55 to 30")

    def test_each_share_is_read_against_the_limit_of_its_own_ruleset(self, growth, member):
        assess(growth)
        set_parameter("max_backlog_share", 30)
        assess(growth)
        html = (
            member(MemberRole.VIEWER)
            .get(reverse("advisor:assessment_trends", args=[growth.slug]))
            .content.decode()
        )
        backlog = html.split('id="backlog-trends"')[1].split("</section>")[0]
        assert without_chart(table_rows(backlog)[1]) == (
            "Dana Lee | 35% / 40% | 35% / 30% | unchanged at 35"
        )

    def test_projections_are_left_out(self, growth, member):
        assess(growth)
        assess(growth, as_of=timezone.localdate() + timedelta(days=30))
        response = member(MemberRole.VIEWER).get(
            reverse("advisor:assessment_trends", args=[growth.slug])
        )
        assert len(response.context["page"].columns) == 1

    def test_without_assessments_it_says_so(self, growth, member):
        response = member(MemberRole.VIEWER).get(
            reverse("advisor:assessment_trends", args=[growth.slug])
        )
        assert "No assessment yet" in response.content.decode()

    def test_a_non_member_gets_404(self, growth, member):
        url = reverse("advisor:assessment_trends", args=[growth.slug])
        assert member(None).get(url).status_code == 404

    @pytest.mark.parametrize("n_squads", [5, 60])
    @pytest.mark.parametrize("n_assessments", [2, 14])
    def test_queries_do_not_grow_with_the_organization_or_the_assessments(
        self, n_squads, n_assessments, django_assert_max_num_queries
    ):
        org = build_organization(n_squads)
        for _ in range(n_assessments):
            run_assessment(org, as_of=AS_OF)
        client = client_for(org, MemberRole.VIEWER)
        url = reverse("advisor:assessment_trends", args=[org.slug])
        # Session, user, membership; the assessments (and their count past the twelve
        # charted); their products; the versions' limits; their product managers.
        with django_assert_max_num_queries(8):
            response = client.get(url)
        assert response.status_code == 200
        page = response.context["page"]
        assert len(page.columns) == min(n_assessments, 12)
        assert page.total == n_assessments
        assert page.products.paginator.count == n_squads // 3 + 1


class TestCompareWhatMovedWithoutChangingTheAdvice:
    def test_a_product_whose_staffing_moved_but_not_its_advice_is_still_detailed(
        self, growth, member
    ):
        assess(growth)
        # A second PO on Billing, in ceremonies only: still merge (two squads, and one
        # person doing it all would still carry 40% backlog), recommended still 1 / 0.
        PersonFactory(
            organization=growth,
            name="Chen Wu",
            title="Product Owner",
            squads=[growth.squads.get(name="Billing")],
            time_backlog=0,
            time_ceremonies=100,
            owns_roadmap=False,
        )
        assess(growth)
        html = (
            member(MemberRole.VIEWER)
            .get(reverse("advisor:assessment_compare", args=[growth.slug]))
            .content.decode()
        )
        assert "Payments | Merge | Merge | Advice unchanged | 1 / 0 | 1 / 0" in table_rows(html)
        card = html.split('id="product-1"')[1].split("</section>")[0]
        assert "product_owners | 1 | 2" in table_rows(card)


@pytest.fixture
def swapped():
    """66 squads in 23 products, assessed, then the overloaded product managers swapped and
    assessed again: each product, each of its 23 PMs, 22 findings appeared and 24
    disappeared. The organization, the assessments `before` and `after`, the page's `url`."""
    organization = build_organization(66)
    overload_managers(organization, even=True)
    before = assess(organization)
    overload_managers(organization, even=False)
    after = assess(organization)
    url = reverse("advisor:assessment_compare", args=[organization.slug])
    return SimpleNamespace(organization=organization, before=before, after=after, url=url)


# The compare page's lists, in the page's order.
LISTS = ["products", "people-changes", "appeared", "disappeared"]


def section(html: str, section_id: str) -> str:
    """The markup of one list of the compare page, up to the next."""
    rest = html.split(f'<section id="{section_id}"')[1]
    following = LISTS[LISTS.index(section_id) + 1 :]
    return rest.split(f'<section id="{following[0]}"')[0] if following else rest


def product_ids(html: str) -> list[str]:
    return re.findall(r'<section id="(product-\d+)"', html)


def findings_shown(html: str) -> list[tuple[str, str]]:
    """(heuristic, subject) of each finding of the markup."""
    return re.findall(r"<h4>[^<]*<code>([^<]+)</code>.*?· \w+ <strong>([^<]+)</strong>", html, re.S)


def people_shown(html: str) -> list[str]:
    return [row.split(" | ")[0] for row in table_rows(section(html, "people-changes"))[1:]]


class TestComparePages:
    def test_only_the_findings_shown_are_laid_out(self, swapped, monkeypatch):
        # 22 appeared and 24 disappeared: a page shows 20 of each, and lays out only those.
        laid_out = []
        view = FindingRow.view
        monkeypatch.setattr(FindingRow, "view", lambda row: laid_out.append(row) or view(row))
        response = client_for(swapped.organization, MemberRole.VIEWER).get(swapped.url)
        assert response.status_code == 200
        assert len(laid_out) == 20 + 20

    def test_each_list_shows_its_first_page_and_the_totals(self, swapped):
        response = client_for(swapped.organization, MemberRole.VIEWER).get(swapped.url)
        html = response.content.decode()
        comparison = response.context["comparison"]
        products = section(html, "products")
        assert '<h2 id="products-heading">Products <span class="count">23</span></h2>' in products
        assert (
            "23 products: 1 whose verdict or recommended staffing changed, 23 with something "
            "that moved; "
            "showing products 1\N{EN DASH}10"
        ) in " ".join(products.split())
        rows = table_rows(products.split('<section id="product-1"')[0])[1:]
        assert [row.split(" | ")[0] for row in rows] == [f"Product {i:04d}" for i in range(10)]
        assert product_ids(html) == [f"product-{i}" for i in range(1, 11)]
        assert 'People whose inputs changed <span class="count">23</span>' in html
        assert people_shown(html) == [p.name for p in comparison.people[:20]]
        assert 'Findings that appeared <span class="count">22</span>' in html
        assert findings_shown(section(html, "appeared")) == [
            (f.heuristic, f.subject) for f in comparison.appeared[:20]
        ]
        assert 'Findings that disappeared <span class="count">24</span>' in html
        assert findings_shown(section(html, "disappeared")) == [
            (f.heuristic, f.subject) for f in comparison.disappeared[:20]
        ]
        assert len(comparison.people) == 23
        assert len(comparison.appeared) == 22
        assert len(comparison.disappeared) == 24

    def test_the_last_pages_show_the_rest(self, swapped):
        query = {"products_page": 3, "people_page": 2, "appeared_page": 2, "disappeared_page": 2}
        response = client_for(swapped.organization, MemberRole.VIEWER).get(swapped.url, query)
        html = response.content.decode()
        comparison = response.context["comparison"]
        assert "showing products 21\N{EN DASH}23" in " ".join(section(html, "products").split())
        rows = table_rows(section(html, "products").split('<section id="product-21"')[0])[1:]
        assert [row.split(" | ")[0] for row in rows] == [
            "Product 0020",
            "Product 0021 changed",
            "Product 0022",
        ]
        # A product's detail keeps its id, its place in the whole comparison.
        assert product_ids(html) == ["product-21", "product-22", "product-23"]
        assert 'href="#product-21"' in html
        assert people_shown(html) == [p.name for p in comparison.people[20:]]
        assert findings_shown(section(html, "appeared")) == [
            (f.heuristic, f.subject) for f in comparison.appeared[20:]
        ]
        assert findings_shown(section(html, "disappeared")) == [
            (f.heuristic, f.subject) for f in comparison.disappeared[20:]
        ]
        # The totals still count the whole comparison.
        assert 'People whose inputs changed <span class="count">23</span>' in html
        assert 'Findings that disappeared <span class="count">24</span>' in html

    def test_each_lists_links_keep_the_pair_and_the_other_lists_pages(self, swapped):
        query = {"products_page": 2, "people_page": 2, "appeared_page": 2, "disappeared_page": 1}
        html = (
            client_for(swapped.organization, MemberRole.VIEWER)
            .get(swapped.url, query)
            .content.decode()
        )
        pair = f"a={swapped.before.pk}&amp;b={swapped.after.pk}"
        others = "people_page=2&amp;appeared_page=2&amp;disappeared_page=1"
        products = page_links(html, "products")
        assert f'href="?{pair}&amp;products_page=1&amp;{others}#products"' in products
        assert f'href="?{pair}&amp;products_page=3&amp;{others}#products"' in products
        assert f'hx-get="{swapped.url}?products_page=3"' in products
        assert (
            'hx-include="#compare-a-number, #compare-b-number, #products-moved, '
            '#people-page-number, #appeared-page-number, #disappeared-page-number" '
            'hx-target="#products"'
        ) in products
        people = page_links(html, "people")
        assert (
            f'href="?{pair}&amp;products_page=2&amp;people_page=1&amp;appeared_page=2'
            '&amp;disappeared_page=1#people-changes"'
        ) in people
        assert 'rel="next"' not in people
        appeared = page_links(html, "findings that appeared")
        assert (
            f'href="?{pair}&amp;products_page=2&amp;people_page=2&amp;appeared_page=1'
            '&amp;disappeared_page=1#appeared"'
        ) in appeared
        disappeared = page_links(html, "findings that disappeared")
        assert (
            f'href="?{pair}&amp;products_page=2&amp;people_page=2&amp;appeared_page=2'
            '&amp;disappeared_page=2#disappeared"'
        ) in disappeared
        # What the htmx links send besides their own page: the pair and each list's page.
        for name, value in [
            ("a", swapped.before.pk),
            ("b", swapped.after.pk),
            ("products_page", 2),
            ("people_page", 2),
            ("appeared_page", 2),
            ("disappeared_page", 1),
        ]:
            assert f'name="{name}" value="{value}"' in html

    def test_the_pair_chosen_by_default_is_named_in_the_links(self, swapped):
        html = (
            client_for(swapped.organization, MemberRole.VIEWER)
            .get(swapped.url, {"junk": "1", "people_page": "2"})
            .content.decode()
        )
        assert (
            f'href="?a={swapped.before.pk}&amp;b={swapped.after.pk}&amp;people_page=2&amp;products_page=2#products"'
        ) in page_links(html, "products")
        assert "junk" not in main(html)

    @pytest.mark.parametrize(
        "requested, shown", [("9" * 5000, 3), ("4", 3), ("0", 1), ("-2", 1), ("x", 1), ("²", 1)]
    )
    def test_a_page_past_the_end_is_the_last_and_one_not_a_number_the_first(
        self, swapped, requested, shown
    ):
        response = client_for(swapped.organization, MemberRole.VIEWER).get(
            swapped.url, {"products_page": requested, "people_page": requested}
        )
        assert response.status_code == 200
        page = response.context["page"]
        assert page.products.number == shown
        assert page.people.number == min(shown, 2)
        html = response.content.decode()
        assert f'name="products_page" value="{shown}"' in html

    def test_htmx_swaps_one_list_in_place(self, swapped):
        response = client_for(swapped.organization, MemberRole.VIEWER).get(
            swapped.url,
            {"a": swapped.before.pk, "b": swapped.after.pk, "people_page": 2, "products_page": 3},
            headers=hx("people-changes"),
        )
        html = assert_partial(response, "advisor/assessment_compare.html#people")
        assert html.strip().startswith('<section id="people-changes"')
        comparison = response.context["comparison"]
        assert people_shown(html) == [p.name for p in comparison.people[20:]]
        assert (
            f'href="?a={swapped.before.pk}&amp;b={swapped.after.pk}&amp;people_page=1&amp;products_page=3'
            '#people-changes"'
        ) in page_links(html, "people")
        assert 'id="products"' not in html
        assert {"HX-Request", "HX-Target"} <= set(response["Vary"].split(", "))

    def test_htmx_asking_for_a_list_of_a_pair_gone_meanwhile_reloads_the_page(self, swapped):
        swapped.after.delete()
        response = client_for(swapped.organization, MemberRole.VIEWER).get(
            swapped.url, {"products_page": 2}, headers=hx("products")
        )
        assert (response.status_code, response["HX-Refresh"]) == (200, "true")

    def test_the_compare_command_still_lists_everything(self, swapped):
        out = StringIO()
        call_command("compare", swapped.organization.slug, "--format", "json", stdout=out)
        assert len(json.loads(out.getvalue())["products"]) == 23
        out = StringIO()
        call_command("compare", swapped.organization.slug, stdout=out)
        text = out.getvalue()
        assert all(f"PM Product {i:04d}" in text for i in range(23))

    @pytest.mark.parametrize("n_squads", [9, 120])
    def test_queries_do_not_grow_with_the_organization(
        self, n_squads, django_assert_max_num_queries
    ):
        organization = build_organization(n_squads)
        overload_managers(organization, even=True)
        assess(organization)
        overload_managers(organization, even=False)
        assess(organization)
        client = client_for(organization, MemberRole.VIEWER)
        url = reverse("advisor:assessment_compare", args=[organization.slug])
        # Session, user, membership; the two assessments; their products and people, and
        # their findings (advisor.comparison); the assessments offered to choose from.
        with django_assert_max_num_queries(9):
            response = client.get(url, {"products_page": 2})
        assert response.status_code == 200
        page = response.context["page"]
        assert page.products.paginator.count == n_squads // 3 + 1
        assert page.people.paginator.count == n_squads // 3 + 1


@pytest.fixture
def three_moved():
    """66 squads in 23 products, assessed, then three product managers (of products 0, 10
    and 20) overloaded and assessed again: three products' facts moved (their verdicts
    did not), twenty products did not move."""
    organization = build_organization(66)
    before = assess(organization)
    for name in ("PM Product 0000", "PM Product 0010", "PM Product 0020"):
        manager = organization.people.get(name=name)
        manager.time_backlog, manager.time_strategy = 70, 10
        manager.save()
    after = assess(organization)
    url = reverse("advisor:assessment_compare", args=[organization.slug])
    return SimpleNamespace(organization=organization, before=before, after=after, url=url)


class TestOnlyWhatMoved:
    def test_the_products_list_offers_to_list_only_those_that_moved(self, three_moved):
        html = (
            client_for(three_moved.organization, MemberRole.VIEWER)
            .get(three_moved.url)
            .content.decode()
        )
        products = " ".join(section(html, "products").split())
        assert (
            "23 products: 0 whose verdict or recommended staffing changed, 3 with something "
            "that moved; showing products 1\N{EN DASH}10"
        ) in products
        pair = f"a={three_moved.before.pk}&amp;b={three_moved.after.pk}"
        assert (
            f'<a data-list-filter href="?{pair}&amp;moved=1#products" '
            f'hx-get="{three_moved.url}?moved=1"'
        ) in products
        assert "List only the 3 with something that moved</a>" in products

    def test_only_the_products_that_moved_are_listed_each_with_its_place(self, three_moved):
        response = client_for(three_moved.organization, MemberRole.VIEWER).get(
            three_moved.url, {"moved": "1", "people_page": "1"}
        )
        html = response.content.decode()
        products = section(html, "products")
        rows = table_rows(products.split('<section id="product-')[0])[1:]
        assert [row.split(" | ")[0] for row in rows] == [
            "Product 0000",
            "Product 0010",
            "Product 0020",
        ]
        assert product_ids(html) == ["product-1", "product-11", "product-21"]
        assert '<h2 id="products-heading">Products <span class="count">23</span></h2>' in html
        assert "that moved; only those are listed" in " ".join(products.split())
        pair = f"a={three_moved.before.pk}&amp;b={three_moved.after.pk}"
        assert (
            f'<a data-list-filter href="?{pair}&amp;people_page=1#products" '
            f'hx-get="{three_moved.url}"'
        ) in products
        assert "List all the products</a>" in products
        # The other lists' links keep the filter, and htmx sends it from this input.
        assert 'id="products-moved" name="moved" value="1"' in products

    def test_htmx_swaps_in_only_the_products_that_moved(self, three_moved):
        response = client_for(three_moved.organization, MemberRole.VIEWER).get(
            three_moved.url,
            {"a": three_moved.before.pk, "b": three_moved.after.pk, "moved": "1"},
            headers=hx("products"),
        )
        html = assert_partial(response, "advisor/assessment_compare.html#products")
        assert product_ids(html) == ["product-1", "product-11", "product-21"]

    @pytest.mark.parametrize("value", ["", "0", "yes", "1" * 30])
    def test_any_other_value_lists_every_product(self, three_moved, value):
        response = client_for(three_moved.organization, MemberRole.VIEWER).get(
            three_moved.url, {"moved": value}
        )
        page = response.context["page"]
        assert (page.only_moved, page.products.paginator.count) == (False, 23)
        html = response.content.decode()
        assert "moved=" not in page_links(html, "products")
        assert 'name="moved"' not in html

    def test_a_filter_with_nothing_moved_says_so(self):
        organization = build_organization(9)
        assess(organization)
        assess(organization)
        url = reverse("advisor:assessment_compare", args=[organization.slug])
        html = client_for(organization, MemberRole.VIEWER).get(url, {"moved": "1"}).content
        assert "Nothing moved in any product." in html.decode()
