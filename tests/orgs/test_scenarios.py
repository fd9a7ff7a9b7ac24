"""What-if scenarios: a copy of an organization, changed with the same pages, never the live
organization's, applied by an owner in one transaction unless the live one changed."""

import gc
import re

import pytest
from django.db import transaction
from django.urls import reverse

from orgs.interchange import export_document, import_document, write_contents
from orgs.models import (
    Invitation,
    MemberRole,
    Membership,
    Organization,
    Person,
    Scenario,
    unique_slug,
)
from orgs.scenarios import (
    ScenarioError,
    apply_scenario,
    changes_made,
    copy_organization,
    fingerprint,
)
from tests.factories import (
    InvitationFactory,
    OrganizationFactory,
    PersonFactory,
    ProductFactory,
    SquadFactory,
)
from tests.helpers import assert_redirects_to, lose_the_slug_race
from tests.orgs.documents import people_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(acme) -> Organization:
    return copy_organization(acme, name="Hire POs")


def names(queryset) -> list[str]:
    return sorted(queryset.values_list("name", flat=True))


class TestCopy:
    def test_a_copy_has_the_same_content_and_none_of_the_rows(self, acme, scenario):
        assert scenario.scenario_of == acme
        assert (scenario.name, scenario.slug) == ("Hire POs", "acme-hire-pos")
        live, copy = export_document(acme), export_document(scenario)
        assert copy["products"] == live["products"]
        assert copy["people"] == live["people"]
        assert not set(scenario.people.values_list("pk", flat=True)) & set(
            acme.people.values_list("pk", flat=True)
        )
        record = Scenario.objects.get(pk=scenario.pk)
        assert record.base == live
        assert record.fingerprint == fingerprint(live)

    def test_the_collector_is_off_while_the_copy_is_written_and_on_after(self, acme, monkeypatch):
        from orgs import interchange

        seen = []
        real = interchange._write_contents
        monkeypatch.setattr(
            interchange,
            "_write_contents",
            lambda *args: seen.append(gc.isenabled()) or real(*args),
        )
        copy_organization(acme, name="Paused")
        assert seen == [False]
        assert gc.isenabled()

    def test_changing_the_scenario_never_touches_the_live_organization(self, acme, scenario):
        before = export_document(acme)
        scenario.people.filter(name="Dana Lee").update(time_backlog=20)
        scenario.squads.get(name="Ledger").delete()
        assert export_document(acme) == before

    def test_a_scenario_is_never_listed_as_an_organization(self, acme, scenario, member):
        client = member(MemberRole.OWNER)
        response = client.get(reverse("orgs:organization_list"))
        assert [m.organization for m in response.context["page_obj"]] == [acme]
        assert list(Organization.objects.live()) == [acme]

    def test_the_live_page_lists_its_scenarios(self, acme, scenario, member):
        html = member(MemberRole.VIEWER).get(acme.get_absolute_url()).content.decode()
        assert f'<a href="{scenario.get_absolute_url()}">Hire POs</a>' in html
        assert "Copy into a new scenario" not in html

    def test_an_editor_copies_one_from_the_live_page(self, acme, member):
        client = member(MemberRole.EDITOR)
        response = client.post(
            reverse("orgs:scenario_create", args=["acme"]), {"name": "Two more squads"}
        )
        scenario = Organization.objects.get(scenario_of=acme)
        assert_redirects_to(response, scenario.get_absolute_url())
        assert scenario.name == "Two more squads"
        assert Scenario.objects.get(pk=scenario.pk).created_by == client.user

    @pytest.mark.parametrize(
        ("name", "error"),
        [
            ("", "This field is required."),
            ("hire pos", "Acme already has a scenario of that name."),
            ("Two\tmore", "Must not contain control characters: U+0009 at character 4."),
        ],
    )
    def test_a_name_is_needed_and_unique_among_the_scenarios(
        self, acme, scenario, member, name, error
    ):
        response = member(MemberRole.EDITOR).post(
            reverse("orgs:scenario_create", args=["acme"]), {"name": name}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["name"] == [error]
        assert Organization.objects.filter(scenario_of=acme).count() == 1

    def test_a_viewer_cannot_copy_and_a_stranger_gets_404(self, acme, member):
        url = reverse("orgs:scenario_create", args=["acme"])
        assert member(MemberRole.VIEWER).post(url, {"name": "x"}).status_code == 403
        assert member(None).post(url, {"name": "x"}).status_code == 404
        assert not Organization.objects.filter(scenario_of=acme).exists()


class TestAccess:
    def test_members_of_the_live_organization_reach_the_scenario_with_their_role(
        self, acme, scenario, member
    ):
        viewer, editor = member(MemberRole.VIEWER), member(MemberRole.EDITOR)
        assert viewer.get(scenario.get_absolute_url()).status_code == 200
        create = reverse("orgs:product_create", args=[scenario.slug])
        assert viewer.post(create, {"name": "Lending"}).status_code == 403
        response = editor.post(create, {"name": "Lending"})
        assert response.status_code == 302
        assert names(scenario.products) == ["Lending", "Payments"]
        assert names(acme.products) == ["Payments"]

    def test_a_stranger_gets_404_on_the_scenario(self, scenario, member):
        assert member(None).get(scenario.get_absolute_url()).status_code == 404

    def test_a_scenario_has_no_members_of_its_own(self, scenario, member):
        client = member(MemberRole.OWNER)
        assert client.get(reverse("orgs:member_list", args=[scenario.slug])).status_code == 404
        add = reverse("orgs:member_add", args=[scenario.slug])
        assert client.post(add, {"user": "x", "role": "viewer"}).status_code == 404
        assert not Membership.objects.filter(organization=scenario).exists()

    def test_nobody_is_invited_to_a_scenario(self, scenario, member):
        client = member(MemberRole.OWNER)
        invite = reverse("orgs:invitation_create", args=[scenario.slug])
        assert client.post(invite, {"email": "x@example.com", "role": "viewer"}).status_code == 404
        assert not Invitation.objects.exists()
        invitation = InvitationFactory(organization=scenario)
        withdraw = reverse("orgs:invitation_withdraw", args=[scenario.slug, invitation.pk])
        assert client.post(withdraw).status_code == 404
        assert Invitation.objects.filter(pk=invitation.pk).exists()


class TestApply:
    def test_only_an_owner_applies(self, scenario, member):
        url = reverse("orgs:scenario_apply", args=[scenario.slug])
        assert member(MemberRole.EDITOR).post(url).status_code == 403
        assert member(MemberRole.EDITOR).get(url).status_code == 403

    def test_the_confirmation_lists_the_changes_made(self, acme, scenario, member):
        scenario.people.filter(name="Dana Lee").update(time_backlog=30, time_strategy=35)
        SquadFactory(product=scenario.products.get(), name="Fraud", engineers=3)
        scenario.people.get(name="Pat Kim").delete()
        changes = [str(c) for c in changes_made(scenario)]
        assert changes == [
            "Squad Fraud added",
            "Person Pat Kim removed",
            "Person Dana Lee: backlog share 55% → 30%; strategy share 10% → 35%",
        ]
        html = (
            member(MemberRole.OWNER)
            .get(reverse("orgs:scenario_apply", args=[scenario.slug]))
            .content.decode()
        )
        assert "<strong>Fraud</strong>" in html and "backlog share: 55% → 30%" in html

    def test_time_never_entered_is_listed_as_not_entered_never_as_zero(self, scenario):
        scenario.people.filter(name="Sam Ortiz").update(time_backlog=60, time_other=40)
        scenario.people.filter(name="Dana Lee").update(
            time_backlog=0,
            time_strategy=0,
            time_discovery=0,
            time_stakeholders=0,
            time_ceremonies=0,
        )
        assert [str(c) for c in changes_made(scenario)] == [
            "Person Dana Lee: time backlog 55% / strategy 10% / discovery 5% / stakeholders "
            "20% / ceremonies 10% → not entered",
            "Person Sam Ortiz: time not entered → backlog 60% / other 40%",
        ]

    def test_applying_updates_in_place_creates_and_deletes_in_one_step(
        self, acme, scenario, member
    ):
        ids = dict(acme.people.values_list("name", "pk"))
        squad_ids = dict(acme.squads.values_list("name", "pk"))
        payments = acme.products.get()
        copy = scenario.products.get()
        scenario.people.filter(name="Dana Lee").update(time_backlog=30, time_strategy=35)
        ledger = scenario.squads.get(name="Ledger")
        lending = ProductFactory(organization=scenario, name="Lending", markets=["EU"])
        ledger.product = lending
        ledger.save()
        fraud = SquadFactory(product=copy, name="Fraud", engineers=3)
        scenario.squads.get(name="Billing").delete()
        scenario.people.get(name="Pat Kim").delete()
        PersonFactory(
            organization=scenario,
            name="Lee Park",
            title="Product Owner",
            reports_to=scenario.people.get(name="Dana Lee"),
            squads=[fraud],
        )
        client = member(MemberRole.OWNER)
        response = client.post(reverse("orgs:scenario_apply", args=[scenario.slug]))
        assert_redirects_to(response, acme.get_absolute_url())
        assert export_document(acme)["products"] == export_document(scenario)["products"]
        assert export_document(acme)["people"] == export_document(scenario)["people"]
        dana = acme.people.get(name="Dana Lee")
        assert (dana.pk, dana.time_backlog) == (ids["Dana Lee"], 30)
        assert acme.products.get(name="Payments").pk == payments.pk
        assert acme.squads.get(name="Ledger").pk == squad_ids["Ledger"]
        assert acme.squads.get(name="Ledger").product.name == "Lending"
        assert not Person.objects.filter(pk=ids["Pat Kim"]).exists()
        assert acme.people.get(name="Lee Park").reports_to == dana
        record = Scenario.objects.get(pk=scenario.pk)
        assert record.applied_by == client.user and record.applied_at is not None

    def test_a_live_organization_changed_since_the_copy_refuses_it_saying_what_changed(
        self, acme, scenario, member
    ):
        scenario.people.filter(name="Dana Lee").update(time_backlog=30, time_strategy=35)
        acme.people.filter(name="Pat Kim").update(title="Senior Product Owner")
        before = export_document(acme)
        response = member(MemberRole.OWNER).post(
            reverse("orgs:scenario_apply", args=[scenario.slug])
        )
        assert response.status_code == 409
        html = response.content.decode()
        assert "Acme changed since this scenario was copied; nothing was applied." in html
        assert "Person Pat Kim: title Product Owner → Senior Product Owner" in html
        assert export_document(acme) == before
        assert Scenario.objects.get(pk=scenario.pk).applied_at is None

    def test_a_scenario_applies_once(self, acme, scenario):
        apply_scenario(scenario)
        with pytest.raises(ScenarioError, match="This scenario was applied on"):
            apply_scenario(scenario)

    def test_an_applied_scenario_stays_as_a_record_nobody_edits(self, acme, scenario, member):
        from advisor.services import run_assessment

        assessment = run_assessment(scenario)[2]
        apply_scenario(scenario)
        editor, owner = member(MemberRole.EDITOR), member(MemberRole.OWNER)
        person = scenario.people.get(name="Dana Lee")
        for client in (editor, owner):
            for method, url in [
                (client.post, reverse("orgs:product_create", args=[scenario.slug])),
                (client.get, reverse("orgs:person_edit", args=[scenario.slug, person.pk])),
                (client.post, reverse("orgs:person_delete", args=[scenario.slug, person.pk])),
                (client.post, reverse("orgs:organization_settings", args=[scenario.slug])),
                (client.post, reverse("advisor:assess", args=[scenario.slug])),
                (client.post, reverse("advisor:scenario_add_hires", args=[scenario.slug])),
                (
                    client.post,
                    reverse("advisor:assessment_delete", args=[scenario.slug, assessment.pk]),
                ),
            ]:
                response = method(url, {"name": "Fraud"})
                assert response.status_code == 403, url
                # Deleting an assessment needs the owner role: an editor is told that first.
                owners_only = "/assessments/" in url and client is editor
                said = "needs the owner role" if owners_only else "it stays as a record"
                assert said in response.content.decode()
        assert names(scenario.products) == ["Payments"]
        assert scenario.people.filter(name="Dana Lee").exists()
        assert list(scenario.assessments.all()) == [assessment]
        assert (
            "Delete this assessment"
            not in owner.get(assessment.get_absolute_url()).content.decode()
        )
        page = owner.get(scenario.get_absolute_url()).content.decode()
        assert "Applied</span> to Acme" in page
        assert reverse("orgs:organization_settings", args=[scenario.slug]) not in page
        assert reverse("orgs:person_edit", args=[scenario.slug, person.pk]) not in page
        assert "Add the hires the latest plan asks for" not in page
        # Its pages stay, and an owner may still delete it.
        assert member(MemberRole.VIEWER).get(scenario.get_absolute_url()).status_code == 200
        delete = reverse("orgs:organization_delete", args=[scenario.slug])
        assert delete in page
        assert owner.post(delete).status_code == 302
        assert not Organization.objects.filter(pk=scenario.pk).exists()

    def test_a_failure_midway_applies_nothing(self, acme, scenario, monkeypatch):
        from orgs import scenarios

        scenario.people.filter(name="Dana Lee").update(time_backlog=30, time_strategy=35)
        before = export_document(acme)

        def broken(live, document):
            live.people.filter(name="Dana Lee").update(time_backlog=30, time_strategy=35)
            raise RuntimeError("disk full")

        monkeypatch.setattr(scenarios, "_write_in_place", broken)
        with pytest.raises(RuntimeError):
            apply_scenario(scenario)
        assert export_document(acme) == before
        assert Scenario.objects.get(pk=scenario.pk).applied_at is None


class TestDeleting:
    def test_deleting_the_live_organization_says_its_scenarios_go_too(self, acme, scenario, member):
        client = member(MemberRole.OWNER)
        response = client.get(reverse("orgs:organization_delete", args=["acme"]))
        assert "1 what-if scenario" in response.context["summary"]
        client.post(reverse("orgs:organization_delete", args=["acme"]))
        assert not Organization.objects.exists()

    def test_deleting_a_scenario_returns_to_its_live_organization(self, acme, scenario, member):
        client = member(MemberRole.OWNER)
        response = client.post(reverse("orgs:organization_delete", args=[scenario.slug]))
        assert_redirects_to(response, acme.get_absolute_url())
        assert list(Organization.objects.all()) == [acme]


def chain(people: int, kept: int | None = None) -> list[dict]:
    """People each reporting to the one before (as deep a chart as there are people); past
    the first `kept`, named anew."""
    kept = people if kept is None else kept
    names = [f"{'P' if i < kept else 'N'}{i:04}" for i in range(people)]
    return [
        {"name": name, "reports_to": names[i - 1] if i else None} for i, name in enumerate(names)
    ]


class TestSlugs:
    def test_a_scenario_whose_slug_is_taken_meanwhile_gets_the_next(self, acme, monkeypatch):
        picked = lose_the_slug_race(monkeypatch)
        scenario = copy_organization(acme, name="Hire POs")
        assert picked == ["acme-hire-pos", "acme-hire-pos-2"]
        assert scenario.slug == "acme-hire-pos-2"

    def test_a_third_try_adds_a_random_ending_so_many_at_once_all_get_one(self, monkeypatch):
        from orgs import models

        real, tries = models.unique_slug, []

        def always_taken(name: str) -> str:
            slug = real(name)
            if len(tries) < 2:
                OrganizationFactory(name=name, slug=slug)
            tries.append(slug)
            return slug

        monkeypatch.setattr(models, "unique_slug", always_taken)
        organization = Organization(name="Acme")
        organization.save()
        assert tries == ["acme", "acme-2", "acme-3"]
        assert re.fullmatch(r"acme-3-[0-9a-f]{6}", organization.slug)

    def test_the_next_free_slug_is_found_in_one_query_however_many_share_the_name(
        self, django_assert_num_queries
    ):
        Organization.objects.bulk_create(
            Organization(name="Acme", slug="acme" if i == 1 else f"acme-{i}") for i in range(1, 300)
        )
        with django_assert_num_queries(1):
            assert unique_slug("Acme") == "acme-300"


@pytest.mark.parametrize("people", [10, 200])
class TestAReportingChain:
    """Copying and applying cost the same queries however deep the reporting chart."""

    def test_copying_it(self, people, django_assert_num_queries):
        live = import_document(people_document(chain(people), name="Chain"))
        # Export (four), the scenario's row (slug, insert in a savepoint of its own, so a
        # slug taken meanwhile is retried: three), people (one insert, the one update of
        # their managers) and the scenario record.
        with django_assert_num_queries(12):
            copy = copy_organization(live, name="Copy")
        managers = dict(copy.people.values_list("name", "reports_to__name"))
        assert managers == {spec["name"]: spec["reports_to"] for spec in chain(people)}

    def test_applying_it_with_half_the_people_new(self, people, django_assert_num_queries):
        live = import_document(people_document(chain(people), name="Chain"))
        scenario = copy_organization(live, name="Copy")
        changed = chain(people, kept=people // 2)
        with transaction.atomic():
            write_contents(scenario, people_document(changed, name="Copy"), replace=True)
        with django_assert_num_queries(24):
            apply_scenario(scenario)
        managers = dict(live.people.values_list("name", "reports_to__name"))
        assert managers == {spec["name"]: spec["reports_to"] for spec in changed}
