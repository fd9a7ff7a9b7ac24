"""A heuristic in shadow: evaluated with each assessment and shown to admins, never counted in
a verdict or a plan."""

import dataclasses
import json
from datetime import date

import pytest
from django.urls import reverse

from advisor.defaults import DEFAULT_HEURISTICS, default_specs
from advisor.engine.ruleset import ruleset_from_content
from advisor.models import Heuristic
from advisor.ruleset_documents import export_ruleset, preview
from advisor.services import run_assessment
from orgs.models import MemberRole
from tests.advisor.admin_forms import heuristic_form
from tests.advisor.builders import person, product, run, snapshot, squad
from tests.advisor.scenarios import edit, latest_version
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ProductFactory,
    SquadFactory,
    UserFactory,
)

AS_OF = date(2026, 11, 23)


def three_squads():
    dana = person("Dana Lee", 100, squad_ids=(10, 11, 12), time={"backlog": 30}, owns_roadmap=True)
    return snapshot(
        products=[product()],
        squads=[squad(f"S{i}", id=10 + i) for i in range(3)],
        people=[dana],
    )


class TestTheEngine:
    def test_a_shadow_finding_is_kept_apart_from_the_verdict_and_the_report(self):
        specs = [
            dataclasses.replace(s, shadow=True) if s.code == "split-three-plus-squads" else s
            for s in default_specs()
        ]
        result = run(three_squads(), specs)
        (plan,) = result.products
        assert plan.verdict == "keep"
        assert "split-three-plus-squads" not in json.dumps(result.to_json(ruleset_version="v1"))
        (shadow,) = result.shadow_json()
        assert (shadow["scope"], shadow["subject"], shadow["heuristic"], shadow["outcome"]) == (
            "product",
            "Payments",
            "split-three-plus-squads",
            "split",
        )

    def test_the_document_state_shadow_makes_a_shadow_spec(self):
        content = {
            "parameters": {"min_squads": 3},
            "heuristics": [{**export_entry("split-three-plus-squads"), "state": "shadow"}],
        }
        (spec,) = ruleset_from_content(content).heuristics
        assert (spec.enabled, spec.shadow) == (True, True)


def export_entry(code: str) -> dict:
    return next(
        {k: v for k, v in row.items() if k != "parameters"} | {"scope": str(row["scope"])}
        for row in DEFAULT_HEURISTICS
        if row["code"] == code
    )


@pytest.fixture
def acme(db):
    org = OrganizationFactory(name="Acme")
    payments = ProductFactory(organization=org, name="Payments")
    squads = [SquadFactory(product=payments, name=f"S{i}") for i in range(3)]
    PersonFactory(
        organization=org,
        title="Product Manager",
        squads=squads,
        time_backlog=30,
        time_strategy=30,
        owns_roadmap=True,
    )
    return org


def shadow_the_squads_rule() -> None:
    edit("split-three-plus-squads", shadow=True)


@pytest.mark.django_db
class TestStoredAndShown:
    def test_the_version_holds_the_state(self):
        shadow_the_squads_rule()
        states = {h["code"]: h["state"] for h in latest_version().content["heuristics"]}
        assert states["split-three-plus-squads"] == "shadow"
        assert export_ruleset()["heuristics"][0]["state"] == "shadow"

    def test_admins_see_shadow_findings_with_the_assessment_and_members_do_not(self, acme, client):
        shadow_the_squads_rule()
        _, document, assessment = run_assessment(acme, as_of=AS_OF)
        (payments,) = document["products"]
        assert payments["verdict"] == "keep"
        assert "split-three-plus-squads" not in json.dumps(document)
        assert [f["heuristic"] for f in assessment.shadow_findings] == ["split-three-plus-squads"]

        admin = UserFactory(is_staff=True)
        MembershipFactory(organization=acme, user=admin, role=MemberRole.VIEWER)
        client.force_login(admin)
        html = client.get(assessment.get_absolute_url()).content.decode()
        assert 'id="shadow-findings"' in html
        assert "<td><code>split-three-plus-squads</code></td><td>split</td>" in html

        member = MembershipFactory(organization=acme, role=MemberRole.VIEWER).user
        client.force_login(member)
        html = client.get(assessment.get_absolute_url()).content.decode()
        assert 'id="shadow-findings"' not in html
        assert "<code>split-three-plus-squads</code>" not in html

    def test_the_preview_counts_no_shadow_heuristic(self, acme):
        run_assessment(acme, as_of=AS_OF)
        document = export_ruleset()
        document["heuristics"][0]["state"] = "shadow"
        (changes,) = preview(document)
        (payments,) = changes.products
        assert (payments.verdict_from, payments.verdict_to) == ("split", "keep")
        assert payments.resolved == ("split-three-plus-squads",)

    def test_the_admin_puts_a_heuristic_in_shadow(self, admin_client):
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        response = admin_client.post(
            reverse("admin:advisor_heuristic_change", args=[heuristic.pk]),
            heuristic_form(heuristic, enabled="on", shadow="on"),
        )
        assert response.status_code == 302
        content = latest_version().content
        assert content["heuristics"][0]["state"] == "shadow"
