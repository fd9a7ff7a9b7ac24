"""The history pages: the list with its ruleset notes, an old assessment opened as it was,
deleting one made by mistake, the compare page with the cause of each change, and trends."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from advisor.models import Assessment, Heuristic
from advisor.services import run_assessment
from orgs.models import MemberRole
from tests.advisor.scenarios import AS_OF, assess, grow, set_parameter, small_payments
from tests.factories import PersonFactory, build_organization
from tests.helpers import client_for, table_rows

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
