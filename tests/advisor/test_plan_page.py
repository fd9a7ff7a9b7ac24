"""The assessment page shows the plan's hires, what would change each verdict, the outranked
findings and the nearest misses, from the stored rows."""

from datetime import date

from advisor.models import AssessedFinding
from advisor.services import run_assessment
from orgs.models import MemberRole
from tests.advisor.scenarios import detail_url
from tests.factories import PersonFactory, ProductFactory, SquadFactory


def page(client, assessment):
    response = client.get(detail_url(assessment))
    assert response.status_code == 200
    return response, response.content.decode()


class TestPlanOnThePage:
    def test_hires_and_what_would_change(self, assessment, member):
        response, html = page(member(MemberRole.VIEWER), assessment)
        (payments,) = response.context["page"].products
        assert [h["squads"] for h in payments.hires] == [["Billing"], ["Ledger"]]
        assert "<strong>Product Owner</strong> for Billing, reporting to" in html
        assert "Create, prioritize and refine the backlog" in html
        assert "What would change this verdict" in html
        assert payments.changes, "a split of three squads changes somewhere"

    def test_outranked_findings_are_stored_and_marked(self, acme, member):
        product = ProductFactory(
            organization=acme,
            markets=["EU"],
            personas=["Ops"],
            roadmap_updated_on=date(2026, 1, 1),
        )
        SquadFactory(product=product, name="Yard", methodology="kanban")
        _, _, assessment = run_assessment(acme, as_of=date(2026, 11, 23))
        stored = dict(
            AssessedFinding.objects.filter(assessment=assessment).values_list(
                "heuristic", "outranked"
            )
        )
        assert stored["split-strategy-stalled"] is True
        assert stored["no-po-without-scrum"] is False
        _, html = page(member(MemberRole.VIEWER), assessment)
        assert '<span class="badge outranked">Outranked</span>' in html
        assert "Any one of these" in html

    def test_a_kept_product_shows_its_nearest_misses(self, acme, member):
        product = ProductFactory(
            organization=acme,
            markets=["EU"],
            personas=["Ops", "Buyers"],
            roadmap_updated_on=date(2026, 11, 1),
            last_customer_interview_on=date(2026, 11, 1),
            roadmap_reviews_cancelled=0,
        )
        squad = SquadFactory(product=product, name="Dock")
        lead = PersonFactory(
            organization=acme,
            title="Product Manager",
            owns_roadmap=True,
            time_backlog=30,
            time_strategy=40,
        )
        lead.squads.add(squad)
        _, _, assessment = run_assessment(acme, as_of=date(2026, 11, 23))
        response, html = page(member(MemberRole.VIEWER), assessment)
        (kept,) = [p for p in response.context["page"].products if p.name == product.name]
        assert kept.verdict == "keep"
        assert "Why: nothing fired" in html
        assert "Backlog work crowds out strategy: pm backlog share 30%, split above 40%" in html


class TestRetitlesOnThePage:
    def test_now_says_it_counts_the_retitles(self, acme, member):
        product = ProductFactory(organization=acme, markets=["UK"], personas=["Roaster"])
        squads = [SquadFactory(product=product, name=name) for name in ("Roast", "Ship")]
        ceo = PersonFactory(organization=acme, title="CEO")
        maya = PersonFactory(
            organization=acme,
            name="Maya Okafor",
            title="Product Owner",
            reports_to=ceo,
            owns_roadmap=True,
            does_market_research=True,
            time_backlog=30,
            time_strategy=40,
        )
        maya.squads.add(*squads)
        _, _, assessment = run_assessment(acme, as_of=date(2026, 11, 23))
        response, html = page(member(MemberRole.VIEWER), assessment)
        (card,) = [p for p in response.context["page"].products if p.name == product.name]
        assert card.actions[0] == "retitle Maya Okafor to Product Manager"
        assert card.current == {"product_managers": 1, "product_owners": 0}
        assert "counts each person as the role their work shows" in html
