"""Published ruleset versions: every kind of rule change publishes one, in the same
transaction; the engine runs from the version; an old assessment keeps its own."""

import hashlib
import json
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.models import ProtectedError
from django.urls import reverse

from advisor import rulesets
from advisor.defaults import DEFAULT_EXAMPLES, DEFAULT_HEURISTICS, NOTE_HEURISTICS
from advisor.models import (
    AdvisorSettings,
    Heuristic,
    Parameter,
    RulesetVersion,
    VersionChangeError,
)
from advisor.report import render_text
from advisor.rulesets import RuleModels, current_ruleset, publish_ruleset
from advisor.services import run_assessment
from orgs.models import TitlePattern
from orgs.titles import DEFAULT_TITLE_PATTERNS
from tests.advisor.admin_forms import heuristic_form
from tests.advisor.scenarios import edit, set_parameter
from tests.advisor.scenarios import latest_version as latest
from tests.factories import (
    HeuristicFactory,
    MembershipFactory,
    OrganizationFactory,
    PersonFactory,
    ProductFactory,
    SquadFactory,
)

AS_OF = date(2026, 11, 23)

pytestmark = pytest.mark.django_db


def versions() -> list[tuple[int, str]]:
    """(number, note) of every version, oldest first."""
    return list(RulesetVersion.objects.order_by("number").values_list("number", "note"))


@pytest.fixture
def acme():
    """Payments: three Scrum squads, all served by Dana Lee, a PM who spends 55% on the
    backlog and owns the roadmap: split on squads and on backlog."""
    org = OrganizationFactory(name="Acme")
    payments = ProductFactory(organization=org, name="Payments")
    squads = [SquadFactory(product=payments, name=n) for n in ("Checkout", "Billing", "Fraud")]
    PersonFactory(
        organization=org,
        name="Dana Lee",
        title="Product Manager",
        squads=squads,
        time_backlog=55,
        time_strategy=20,
        owns_roadmap=True,
        does_market_research=True,
    )
    return org


class TestTheFirstVersion:
    def test_the_migrations_publish_the_defaults_as_v1(self):
        (version,) = RulesetVersion.objects.all()
        assert (version.label, version.rebuilt, version.published_by) == ("v1", False, None)
        assert version.note == "The rules in force when ruleset versions were introduced."
        content = version.content
        assert content["format"] == "team-structure-advisor/ruleset/v1"
        assert [h["code"] for h in content["heuristics"]] == [
            h["code"] for h in (*DEFAULT_HEURISTICS, *NOTE_HEURISTICS)
        ]
        assert content["title_patterns"] == [
            {"pattern": pattern, "role": str(role)} for pattern, role in DEFAULT_TITLE_PATTERNS
        ]
        assert content["staffing"] == {
            "pms_per_product": "1.00",
            "pos_per_scrum_squad": "1.00",
            "scope_votes_needed": 3,
        }

    def test_each_heuristic_is_held_whole(self):
        entry = RulesetVersion.objects.get().content["heuristics"][0]
        default = DEFAULT_HEURISTICS[0]
        assert entry == {
            "code": "split-three-plus-squads",
            "name": "Three or more squads",
            "description": default["description"],
            "position": 10,
            "state": "on",
            "scope": "product",
            "condition": default["condition"],
            "outcome": "split",
            "severity": "warning",
            "message": default["message"],
            "sources": default["sources"],
            "examples": DEFAULT_EXAMPLES["split-three-plus-squads"],
        }

    def test_the_digest_is_the_sha256_of_the_canonical_document(self):
        version = RulesetVersion.objects.get()
        canonical = json.dumps(
            version.content, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        assert version.digest == hashlib.sha256(canonical.encode()).hexdigest()
        assert len(version.digest) == 64


class TestEveryRuleChangePublishes:
    def test_a_heuristic_edited_through_the_model_api(self):
        edit("split-three-plus-squads", severity="critical")
        assert versions()[-1] == (2, "heuristic split-three-plus-squads changed.")
        assert latest().content["heuristics"][0]["severity"] == "critical"

    def test_a_parameter_edited_through_the_model_api(self):
        set_parameter("min_squads", 4)
        assert versions()[-1] == (2, "parameter min_squads changed.")
        assert latest().content["parameters"]["min_squads"] == 4
        assert "parameters" not in latest().content["heuristics"][0]

    def test_a_heuristic_added_and_deleted(self):
        heuristic = HeuristicFactory(code="custom-rule")
        heuristic.delete()
        assert versions()[1:] == [
            (2, "heuristic custom-rule added."),
            (3, "heuristic custom-rule deleted."),
        ]
        assert latest().digest == RulesetVersion.objects.get(number=1).digest

    def test_a_heuristic_switched_off_is_kept_with_its_state(self):
        edit("merge-small-team", enabled=False)
        states = {h["code"]: h["state"] for h in latest().content["heuristics"]}
        assert states["merge-small-team"] == "off"
        assert states["split-three-plus-squads"] == "on"

    def test_a_title_pattern_added_edited_and_deleted(self):
        pattern = TitlePattern.objects.create(position=5, pattern=r"\bCOO\b", role="executive")
        pattern.role = "product_leader"
        pattern.save()
        pattern.delete()
        assert [note for _, note in versions()[1:]] == [
            r"title pattern \bCOO\b → Executive added.",
            r"title pattern \bCOO\b → Product leader changed.",
            r"title pattern \bCOO\b → Product leader deleted.",
        ]
        v2, v3 = (RulesetVersion.objects.get(number=n).content for n in (2, 3))
        assert v2["title_patterns"][0] == {"pattern": r"\bCOO\b", "role": "executive"}
        assert v3["title_patterns"][0] == {"pattern": r"\bCOO\b", "role": "product_leader"}
        assert r"\bCOO\b" not in json.dumps(latest().content["title_patterns"])

    def test_the_staffing_settings_edited(self):
        settings_row = AdvisorSettings.load()
        settings_row.pos_per_scrum_squad = Decimal("0.5")
        settings_row.save()
        assert versions()[-1] == (2, "advisor settings Advisor settings changed.")
        assert latest().content["staffing"]["pos_per_scrum_squad"] == "0.50"

    def test_saving_what_did_not_change_publishes_nothing(self):
        Heuristic.objects.get(code="split-three-plus-squads").save()
        AdvisorSettings.load().save()
        TitlePattern.objects.first().save()
        assert versions() == [(1, "The rules in force when ruleset versions were introduced.")]

    def test_restoring_the_earlier_rules_publishes_the_same_content_under_a_new_number(self):
        set_parameter("min_squads", 4)
        set_parameter("min_squads", 3)
        first, _, third = RulesetVersion.objects.order_by("number")
        assert third.number == 3
        assert third.digest == first.digest
        assert third.content == first.content

    def test_a_change_rolled_back_leaves_no_version(self):
        with pytest.raises(RuntimeError), transaction.atomic():
            set_parameter("min_squads", 4)
            raise RuntimeError("the rest of the change failed")
        assert len(versions()) == 1

    def test_a_publication_that_fails_undoes_the_change(self, monkeypatch):
        def fail(*args, **kwargs):
            raise RuntimeError("publication failed")

        monkeypatch.setattr(rulesets, "content_digest", fail)
        parameter = Parameter.objects.get(name="min_squads")
        parameter.value = 4
        with pytest.raises(RuntimeError, match="publication failed"):
            parameter.save()
        parameter.refresh_from_db()
        assert parameter.value == 3
        assert len(versions()) == 1

    def test_a_data_migration_publishes_by_calling_the_builder_on_historical_models(self):
        executor = MigrationExecutor(connection)
        apps = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps
        row = apps.get_model("advisor", "Parameter").objects.get(name="min_squads")
        row.value = 4
        row.save()
        assert len(versions()) == 1  # historical models send our receivers nothing
        version = rulesets.publish_from(RuleModels.of(apps), note="Four squads, by migration.")
        assert (version.number, version.note) == (2, "Four squads, by migration.")
        assert version.content["parameters"]["min_squads"] == 4
        assert version.content == rulesets.build_content(RuleModels.live())

    def test_a_bulk_update_sends_no_signal_and_publishes_only_when_asked(self):
        Heuristic.objects.filter(code="merge-small-team").update(enabled=False)
        assert len(versions()) == 1
        version = publish_ruleset(note="After a bulk update.")
        assert (version.label, version.note) == ("v2", "After a bulk update.")


class TestAdminPublishes:
    def test_a_heuristic_edit_is_credited_to_the_admin_with_the_change_message(
        self, admin_client, admin_user
    ):
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        response = admin_client.post(
            reverse("admin:advisor_heuristic_change", args=[heuristic.pk]),
            heuristic_form(heuristic, severity="critical"),
        )
        assert response.status_code == 302
        version = latest()
        assert (version.label, version.published_by) == ("v2", admin_user)
        assert version.note == "Heuristic “split-three-plus-squads”: Changed Severity."

    def test_a_parameter_edit_is_credited_to_the_admin_with_the_change_message(
        self, admin_client, admin_user
    ):
        parameter = Parameter.objects.get(name="min_squads")
        response = admin_client.post(
            reverse("admin:advisor_parameter_change", args=[parameter.pk]),
            {"value": "4", "description": parameter.description, "_publish": "1"},
        )
        assert response.status_code == 302
        version = latest()
        assert (version.label, version.published_by) == ("v2", admin_user)
        assert version.note == "Parameter “min_squads”: Changed Value."
        assert version.content["parameters"]["min_squads"] == 4

    def test_a_title_pattern_added_changed_and_deleted_in_the_admin(self, admin_client, admin_user):
        add = admin_client.post(
            reverse("admin:orgs_titlepattern_add"),
            {"position": "5", "pattern": r"\bCOO\b", "role": "executive", "_publish": "1"},
        )
        assert add.status_code == 302
        pattern = TitlePattern.objects.get(pattern=r"\bCOO\b")
        admin_client.post(
            reverse("admin:orgs_titlepattern_change", args=[pattern.pk]),
            {"position": "5", "pattern": r"\bCOO\b", "role": "product_leader", "_publish": "1"},
        )
        admin_client.post(
            reverse("admin:orgs_titlepattern_delete", args=[pattern.pk]),
            {"post": "yes", "_publish": "1"},
        )
        assert versions()[1:] == [
            (2, r"Title pattern “\bCOO\b → Executive”: Added."),
            (3, r"Title pattern “\bCOO\b → Product leader”: Changed Role."),
            (4, r"Title pattern “\bCOO\b → Product leader”: Deleted."),
        ]
        assert set(RulesetVersion.objects.values_list("published_by", flat=True)) == {
            None,
            admin_user.pk,
        }

    def test_the_settings_edited_in_the_admin(self, admin_client, admin_user):
        row = AdvisorSettings.load()
        response = admin_client.post(
            reverse("admin:advisor_advisorsettings_change", args=[row.pk]),
            {
                "pms_per_product": "1",
                "pos_per_scrum_squad": "0.5",
                "scope_votes_needed": "3",
                "_publish": "1",
            },
        )
        assert response.status_code == 302
        assert versions()[-1] == (
            2,
            "Advisor settings “Advisor settings”: Changed Product owners per Scrum squad.",
        )
        assert latest().published_by == admin_user

    def test_deleting_selected_heuristics_names_them(self, admin_client):
        first, second = HeuristicFactory(code="custom-a"), HeuristicFactory(code="custom-b")
        response = admin_client.post(
            reverse("admin:advisor_heuristic_changelist"),
            {
                "action": "delete_selected",
                "_selected_action": [first.pk, second.pk],
                "post": "yes",
                "_publish": "1",
            },
        )
        assert response.status_code == 302
        assert not Heuristic.objects.filter(code__startswith="custom-").exists()
        assert versions()[-1][1] == "Deleted 2 heuristics: custom-a, custom-b."
        assert latest().digest == RulesetVersion.objects.get(number=1).digest

    def test_versions_are_read_only_in_the_admin(self, admin_client):
        version = RulesetVersion.objects.get()
        changelist = admin_client.get(reverse("admin:advisor_rulesetversion_changelist"))
        assert [v.pk for v in changelist.context["cl"].result_list] == [version.pk]
        page = admin_client.get(reverse("admin:advisor_rulesetversion_change", args=[version.pk]))
        assert page.status_code == 200
        assert page.context["has_change_permission"] is False
        assert "team-structure-advisor/ruleset/v1" in page.content.decode()
        assert admin_client.get(reverse("admin:advisor_rulesetversion_add")).status_code == 403
        delete = reverse("admin:advisor_rulesetversion_delete", args=[version.pk])
        assert admin_client.post(delete, {"post": "yes"}).status_code == 403
        assert RulesetVersion.objects.count() == 1


class TestVersionsAreKept:
    def test_a_published_version_never_changes(self):
        version = RulesetVersion.objects.get()
        version.note = "Rewritten"
        with pytest.raises(
            VersionChangeError, match=r"Ruleset v1 is published and never changes\."
        ):
            version.save()
        assert RulesetVersion.objects.get().note != "Rewritten"

    def test_an_assessments_version_cannot_be_deleted(self, acme):
        assessment = run_assessment(acme, as_of=AS_OF)[2]
        with pytest.raises(ProtectedError):
            assessment.ruleset.delete()


class TestTheEngineRunsFromTheVersion:
    def test_the_assessment_names_the_latest_version(self, acme):
        set_parameter("min_squads", 4)
        _, document, assessment = run_assessment(acme, as_of=AS_OF)
        assert assessment.ruleset == latest()
        assert document["ruleset_version"] == "v2"

    def test_rows_changed_behind_the_signals_do_not_change_the_advice(self, acme):
        Parameter.objects.filter(name="min_squads").update(value=9)
        TitlePattern.objects.filter(role="product_manager").update(role="other")
        _, document, _ = run_assessment(acme, as_of=AS_OF, save=False)
        (payments,) = document["products"]
        assert [f["heuristic"] for f in payments["findings"]] == [
            "split-three-plus-squads",
            "split-backlog-overload",
        ]
        assert payments["findings"][0]["thresholds"] == {"min_squads": 3}
        dana = next(p for p in document["people"] if p["name"] == "Dana Lee")
        assert dana["role"] == "product_manager"

    def test_the_title_rules_are_the_versions(self, acme):
        pattern = TitlePattern.objects.get(pattern="product manager")
        pattern.role = "product_owner"
        pattern.save()
        _, document, _ = run_assessment(acme, as_of=AS_OF, save=False)
        dana = next(p for p in document["people"] if p["name"] == "Dana Lee")
        assert dana["role"] == "product_owner"

    def test_a_parsed_version_is_reused(self, acme, django_assert_num_queries):
        run_assessment(acme, as_of=AS_OF, save=False)
        # The version (1), products, squads, people and their squads (4): its document
        # was parsed by the first run.
        with django_assert_num_queries(5):
            run_assessment(acme, as_of=AS_OF, save=False)

    def test_with_no_version_yet_the_rules_are_published_first(self, acme):
        RulesetVersion.objects.all().delete()
        _, document, assessment = run_assessment(acme, as_of=AS_OF)
        assert document["ruleset_version"] == "v1"
        assert assessment.ruleset.note == "First publication."


class TestAnOldAssessmentKeepsItsOwnRules:
    def test_thresholds_wording_and_sources_as_they_were(self, acme, member_client):
        before = run_assessment(acme, as_of=AS_OF)[2]
        with rulesets.publishing_as(user=None, note="Two squads, team lore."), transaction.atomic():
            set_parameter("min_squads", 2)
            edit(
                "split-three-plus-squads",
                message="{subject} has {squads} squads: from {min_squads}, split.",
                sources=[{"title": "Team lore", "quote": "Two squads are enough.", "link": ""}],
            )
        after = run_assessment(acme, as_of=AS_OF)[2]
        assert (before.ruleset.label, after.ruleset.label) == ("v1", "v3")
        client = member_client(acme)

        def squads_finding(assessment):
            response = client.get(assessment.get_absolute_url())
            (payments,) = response.context["page"].products
            finding = payments.findings[0]
            assert finding.heuristic == "split-three-plus-squads"
            thresholds = [(row.fact, row.threshold) for row in finding.evidence if row.fact]
            return response.content.decode(), thresholds, finding

        html, thresholds, finding = squads_finding(before)
        assert thresholds == [("squads", "3"), ("pm_squads", "3")]
        assert finding.message.endswith(
            "(split from 3). One person cannot keep every backlog ready and still own the strategy."
            " Dana Lee is the product manager spread over 3 squads."
        )
        assert [s.title for s in finding.sources] == ["The Role Confusion Problem"]
        assert "ruleset <code>v1</code>" in html
        assert "Two squads are enough." not in html

        html, thresholds, finding = squads_finding(after)
        assert thresholds == [("squads", "2"), ("pm_squads", "2")]
        assert finding.message == (
            "Payments has 3 squads: from 2, split. "
            "Dana Lee is the product manager spread over 3 squads."
        )
        assert [(s.title, s.quote) for s in finding.sources] == [
            ("Team lore", "Two squads are enough.")
        ]
        assert "ruleset <code>v3</code>" in html
        assert "One person cannot keep every backlog ready" not in html

    def test_the_text_report_shows_the_sources_of_its_version(self, acme):
        before = run_assessment(acme, as_of=AS_OF)[2]
        edit(
            "split-backlog-overload",
            sources=[{"title": "Team lore", "quote": "Backlogs grow.", "link": "https://x.test/"}],
        )
        after = run_assessment(acme, as_of=AS_OF)[2]
        assert (
            '    source: The Role Confusion Problem: "If writing stories and grooming the backlog '
            "consumes more than 40% of the PM's time, they need a PO\"\n"
        ) in render_text(before.report)
        assert '    source: Team lore <https://x.test/>: "Backlogs grow."\n' in render_text(
            after.report
        )

    def test_the_charts_draw_the_versions_threshold_when_no_finding_recorded_it(
        self, acme, member_client
    ):
        dana = acme.people.get()
        dana.time_backlog = 20
        dana.save()
        before = run_assessment(acme, as_of=AS_OF)[2]
        assert "split-backlog-overload" not in json.dumps(before.report["products"])
        set_parameter("max_backlog_share", 25)
        page = member_client(acme).get(before.get_absolute_url()).context["page"]
        assert page.backlog_limit == 40


class TestInvalidStoredHeuristics:
    """Rows written behind validation (QuerySet.update, raw SQL), then published."""

    @pytest.mark.parametrize(
        ("fields", "problem"),
        [
            ({"scope": "team"}, "unknown scope 'team'"),
            (
                {"outcome": "explode"},
                "A product heuristic's outcome is one of pm_only, split, merge, gap.",
            ),
            ({"sources": "a.txt: quote"}, "sources: must be a list of {title, quote, link}"),
        ],
    )
    def test_are_skipped_with_a_note_on_the_page_and_in_the_assessment(
        self, acme, member_client, fields, problem
    ):
        Heuristic.objects.filter(code="split-three-plus-squads").update(**fields)
        publish_ruleset(note="After a bad row.")
        client = member_client(acme)
        response = client.get(reverse("advisor:heuristic_list"))
        assert response.status_code == 200
        (skipped,) = response.context["page"].skipped
        assert (skipped.code, skipped.problems) == ("split-three-plus-squads", (problem,))
        html = response.content.decode()
        assert "<code>split-three-plus-squads</code>: skipped, its definition is invalid" in html
        assert 'id="heuristic-split-three-plus-squads"' not in html
        assert 'id="heuristic-split-backlog-overload"' in html

        _, document, assessment = run_assessment(acme, as_of=AS_OF)
        assert document["errors"] == [
            f"split-three-plus-squads: skipped, its definition is invalid: {problem}"
        ]
        (payments,) = document["products"]
        assert [f["heuristic"] for f in payments["findings"]] == ["split-backlog-overload"]
        detail = client.get(assessment.get_absolute_url())
        assert detail.status_code == 200
        assert "split-three-plus-squads: skipped" in detail.content.decode()

    def test_a_title_pattern_that_is_not_a_regular_expression_is_left_out(
        self, acme, member_client
    ):
        TitlePattern.objects.filter(pattern="product manager").update(pattern="product (manager")
        publish_ruleset()
        _, document, _ = run_assessment(acme, as_of=AS_OF, save=False)
        (error,) = document["errors"]
        assert error.startswith(
            "title_patterns[11]: skipped, 'product (manager' is not a regular expression the "
            "matcher can use (missing ): product (manager)"
        )
        dana = next(p for p in document["people"] if p["name"] == "Dana Lee")
        # The line left out was the only one to match her title.
        assert dana["role"] == "other"
        response = member_client(acme).get(reverse("advisor:heuristic_list"))
        assert "title_patterns[11]: skipped" in response.content.decode()


class TestHeuristicsPage:
    def test_shows_the_current_version_with_its_note_time_and_publisher(
        self, acme, member_client, admin_user
    ):
        with rulesets.publishing_as(user=admin_user, note="Four squads, after the offsite."):
            set_parameter("min_squads", 4)
        html = member_client(acme).get(reverse("advisor:heuristic_list")).content.decode()
        assert "Ruleset <code>v2</code>" in html
        assert f"<dd>{admin_user.get_username()}</dd>" in html
        assert "<dd>Four squads, after the offsite.</dd>" in html
        assert "squads ≥ min_squads (4) or pm_squads ≥ min_squads (4)" in html

    def test_without_a_version_it_says_so_and_writes_nothing(self, acme, member_client):
        RulesetVersion.objects.all().delete()
        html = member_client(acme).get(reverse("advisor:heuristic_list")).content.decode()
        assert "No ruleset has been published yet" in html
        assert not RulesetVersion.objects.exists()


@pytest.fixture
def member_client(client):
    def member_client(organization):
        client.force_login(MembershipFactory(organization=organization).user)
        return client

    return member_client


def test_current_ruleset_reads_the_latest_without_its_document(django_assert_num_queries):
    set_parameter("min_squads", 4)
    with django_assert_num_queries(1):
        version = current_ruleset()
    assert version.label == "v2"
    assert "content" in version.get_deferred_fields()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite writes one transaction at a time anyway"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_publications_at_once_take_turns_and_the_second_holds_both_changes():
    """The second waits for the first to commit, then numbers after it and reads its change:
    without the lock it would take the same number and fail, or miss the first change."""
    first_published, release_first = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def change(name: str, value: int, hold: bool) -> None:
        try:
            with transaction.atomic():
                set_parameter(name, value)
                if hold:
                    first_published.set()
                    assert release_first.wait(10)
        except BaseException as e:
            failures.append(e)
            first_published.set()
        finally:
            connection.close()

    first = threading.Thread(target=change, args=("min_squads", 4, True))
    second = threading.Thread(target=change, args=("min_markets", 3, False))
    first.start()
    assert first_published.wait(10)
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the first publication's lock
    release_first.set()
    first.join(10)
    second.join(10)
    assert failures == []
    assert versions()[1:] == [
        (2, "parameter min_squads changed."),
        (3, "parameter min_markets changed."),
    ]
    parameters = latest().content["parameters"]
    assert (parameters["min_squads"], parameters["min_markets"]) == (4, 3)
