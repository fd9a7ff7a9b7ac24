"""Assessing against the database: the facts builder's queries, stored assessments, the
ruleset version, and heuristics that admins edit."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext

from advisor import recording
from advisor.comparison import compare_assessments
from advisor.jsonio import json_text
from advisor.loading import load_snapshot
from advisor.models import (
    AdvisorSettings,
    AssessedFinding,
    AssessedSubject,
    Assessment,
    Heuristic,
)
from advisor.rulesets import current_ruleset, parsed_ruleset
from advisor.services import run_assessment
from orgs.interchange import export_document, import_document
from orgs.titles import DEFAULT_TITLE_PATTERNS, TitleRule
from tests.advisor.scenarios import set_parameter
from tests.factories import (
    HeuristicFactory,
    OrganizationFactory,
    PersonFactory,
    ProductFactory,
    SquadFactory,
    build_organization,
)

AS_OF = date(2026, 11, 23)
TITLE_RULES = tuple(TitleRule(pattern, str(role)) for pattern, role in DEFAULT_TITLE_PATTERNS)
pytestmark = pytest.mark.django_db


@pytest.fixture
def dana_org():
    """One product, one squad, a PM who reports into engineering and spends 55% on the backlog."""
    org = OrganizationFactory(name="Acme")
    product = ProductFactory(
        organization=org,
        name="Payments",
        roadmap_updated_on=date(2026, 9, 1),
        last_customer_interview_on=None,
    )
    checkout = SquadFactory(product=product, name="Checkout", engineers=6)
    sam = PersonFactory(organization=org, name="Sam Ortiz", title="Engineering Manager")
    PersonFactory(
        organization=org,
        name="Dana Lee",
        title="Product Manager",
        reports_to=sam,
        squads=[checkout],
        time_backlog=55,
        time_stakeholders=20,
        owns_roadmap=False,
        does_market_research=False,
    )
    return org


class TestFactsBuilder:
    @pytest.mark.parametrize("n_squads", [5, 60])
    def test_loads_an_organization_in_a_fixed_number_of_queries(
        self, n_squads, django_assert_max_num_queries
    ):
        org = build_organization(n_squads)
        with django_assert_max_num_queries(4):
            snapshot = load_snapshot(org, title_rules=TITLE_RULES)
        assert len(snapshot.squads) == n_squads
        assert len(snapshot.people) == 1 + (n_squads // 3 + 1) + n_squads * 3

    def test_a_whole_assessment_runs_in_a_fixed_number_of_queries(self):
        # The version in force is parsed once and kept: parse it before counting, so that
        # neither size pays for it, whichever test ran first.
        parsed_ruleset(current_ruleset())
        counts = []
        for n_squads in (5, 60):
            org = build_organization(n_squads, name=f"Org {n_squads}")
            with CaptureQueriesContext(connection) as queries:
                run_assessment(org, as_of=AS_OF)
            counts.append(len(queries))
        # Load (ruleset, four tables), then the assessment, its subjects and its findings.
        assert counts[0] == counts[1] <= 14

    def test_snapshot_carries_every_input(self, dana_org):
        snapshot = load_snapshot(dana_org, title_rules=TITLE_RULES)
        (dana,) = [p for p in snapshot.people if p.name == "Dana Lee"]
        (sam,) = [p for p in snapshot.people if p.name == "Sam Ortiz"]
        (checkout,) = snapshot.squads
        assert dana.reports_to_id == sam.id
        assert dana.squad_ids == (checkout.id,)
        assert dict(dana.time) == {
            "backlog": 55,
            "strategy": 0,
            "discovery": 0,
            "stakeholders": 20,
            "ceremonies": 0,
            "other": 0,
        }
        assert (dana.owns_roadmap, dana.does_market_research, dana.sets_pricing) == (
            False,
            False,
            None,
        )


def disk_full(*args, **kwargs):
    raise RuntimeError("the disk is full")


def assert_nothing_stored() -> None:
    assert Assessment.objects.count() == 0
    assert AssessedSubject.objects.count() == AssessedFinding.objects.count() == 0


class TestRunAssessment:
    def test_a_failure_reopening_decisions_stores_nothing(self, dana_org, monkeypatch):
        monkeypatch.setattr("advisor.services.carry_forward", disk_full)
        with pytest.raises(RuntimeError, match="the disk is full"):
            run_assessment(dana_org, as_of=AS_OF)
        assert_nothing_stored()

    def test_a_failure_writing_the_findings_stores_nothing(self, dana_org, monkeypatch):
        written = []

        def insert_then_fail(model, columns, rows):
            if written:  # the findings, after the subjects
                disk_full()
            written.append(model)
            real_insert(model, columns, rows)

        real_insert = recording._insert
        monkeypatch.setattr(recording, "_insert", insert_then_fail)
        with pytest.raises(RuntimeError, match="the disk is full"):
            run_assessment(dana_org, as_of=AS_OF)
        assert written == [AssessedSubject]
        assert_nothing_stored()

    def test_stores_facts_findings_and_plan(self, dana_org, django_user_model):
        user = django_user_model.objects.create_user("lead")
        _, document, assessment = run_assessment(dana_org, as_of=AS_OF, user=user)
        stored = Assessment.objects.get()
        assert stored == assessment
        assert (stored.organization, stored.as_of, stored.created_by) == (dana_org, AS_OF, user)
        assert stored.report == json.loads(json.dumps(document))
        # split-backlog-overload, split-strategy-stalled, the retitle and
        # note-strategy-starved (Dana spends none of her time on strategy or discovery).
        assert stored.finding_count == 4
        (payments,) = stored.subjects.filter(scope="product")
        assert (payments.name, payments.verdict, payments.product_id) == (
            "Payments",
            "split",
            dana_org.products.get().pk,
        )
        assert payments.facts["pm_backlog_share"] == 55
        assert sorted(stored.findings.values_list("heuristic", flat=True)) == sorted(
            f["heuristic"]
            for kind in ("products", "people", "squads")
            for subject in document[kind]
            for f in subject["findings"]
        )
        assert stored.ruleset == current_ruleset()
        assert document["ruleset_version"] == stored.ruleset.label == "v1"

    def test_stored_rows_read_back_as_the_engine_made_them_key_order_included(self, dana_org):
        # PostgreSQL's jsonb would give the facts back sorted by key length; the rows' JSON
        # columns keep the text as written on every database.
        result, document, assessment = run_assessment(dana_org, as_of=AS_OF)
        (person,) = [p for p in document["people"] if p["findings"]]
        (facts,) = [s.facts for s in result.facts.people if s.name == person["name"]]
        assert list(facts) != sorted(facts, key=lambda k: (len(k), k))
        stored = assessment.subjects.get(scope="person", name=person["name"])
        assert list(stored.facts.items()) == list(facts.items())
        finding = stored.findings.order_by("position").first()
        assert list(finding.evidence.items()) == list(person["findings"][0]["evidence"].items())
        assert list(finding.thresholds.items()) == list(person["findings"][0]["thresholds"].items())
        text = (
            AssessedSubject.objects.filter(pk=stored.pk)
            .annotate(text=Cast("facts", TextField()))
            .values_list("text", flat=True)
            .get()
        )
        assert text == json_text(facts)

    def test_document_follows_the_command_line_contract(self, dana_org):
        _, document, _ = run_assessment(dana_org, as_of=AS_OF, save=False)
        assert set(document) >= {
            "organization",
            "as_of",
            "ruleset_version",
            "products",
            "people",
            "squads",
            "missing_facts",
        }
        (payments,) = document["products"]
        assert payments["verdict"] == "split"
        # Dana Lee counted as the product owner her work shows: the PM is the seat to fill,
        # and the product manager hired owns the roadmap the gap asks for.
        assert payments["current"] == {"product_managers": 0, "product_owners": 1}
        assert payments["recommended"] == {"product_managers": 1, "product_owners": 1}
        assert payments["actions"] == [
            "retitle Dana Lee to Product Owner",
            "add a product manager for Payments",
        ]
        assert [f["heuristic"] for f in payments["findings"]] == [
            "split-backlog-overload",
            "gap-product-without-roadmap-owner",
        ]
        assert {f["outranked"] for f in payments["findings"]} == {False}
        (hire,) = payments["hires"]
        assert set(hire) == {"role", "title", "squads", "reports_to", "responsibilities"}
        assert (hire["role"], hire["title"], hire["squads"]) == (
            "product_manager",
            "Product Manager",
            ["Checkout"],
        )
        assert payments["what_would_change"][0] == {
            "fact": "pm_backlog_share",
            "from": 55,
            "to": 40,
            "verdict": "keep",
            "heuristic": "split-backlog-overload",
        }
        assert all(
            set(c) == {"fact", "from", "to", "verdict", "heuristic"}
            for c in payments["what_would_change"]
        )
        dana = next(p for p in document["people"] if p["name"] == "Dana Lee")
        assert (dana["role"], dana["scope_role"]) == ("product_manager", "product_owner")
        assert dana["findings"][0]["evidence"] == {
            "role": "product_manager",
            "scope_role": "product_owner",
        }
        assert document["squads"] == [{"name": "Checkout", "findings": []}]
        assert Assessment.objects.count() == 0

    def test_an_admin_changing_a_parameter_changes_the_next_assessment(self, dana_org):
        set_parameter("max_backlog_share", 60)
        _, document, _ = run_assessment(dana_org, as_of=AS_OF, save=False)
        # One line for split and merge: past 60% no longer splits, and up to 60% merges.
        assert [f["heuristic"] for f in document["products"][0]["findings"]] == [
            "merge-small-team",
            "gap-product-without-roadmap-owner",
        ]
        assert document["products"][0]["verdict"] == "merge"

    def test_votes_needed_setting_changes_scope_role(self, dana_org):
        dana = dana_org.people.get(name="Dana Lee")
        dana.does_market_research = None
        dana.save()

        def dana_scope_role():
            _, document, _ = run_assessment(dana_org, as_of=AS_OF, save=False)
            return next(p for p in document["people"] if p["name"] == "Dana Lee")["scope_role"]

        assert dana_scope_role() == "product_owner"
        settings_row = AdvisorSettings.load()
        settings_row.scope_votes_needed = 4
        settings_row.save()
        assert dana_scope_role() is None


class TestHeuristicValidation:
    def test_the_twelve_defaults_are_installed_and_valid(self):
        codes = list(Heuristic.objects.values_list("code", flat=True))
        assert codes == [
            "split-three-plus-squads",
            "split-backlog-overload",
            "split-strategy-stalled",
            "split-multiple-markets",
            "merge-small-team",
            "no-po-without-scrum",
            "retitle-pm-doing-po-work",
            "retitle-po-doing-pm-work",
            "gap-squad-without-backlog-owner",
            "gap-product-without-roadmap-owner",
            "note-pm-in-ceremonies",
            "note-strategy-starved",
        ]
        for heuristic in Heuristic.objects.all():
            heuristic.full_clean()

    @pytest.mark.parametrize(
        ("condition", "parameters", "message"),
        [
            (
                {
                    "all": [
                        {"fact": "squads", "op": ">=", "value": 1},
                        {"fact": "sqauds", "op": ">="},
                    ]
                },
                {},
                "condition.all[1]: unknown fact 'sqauds' for product heuristics",
            ),
            (
                {"fact": "squads", "op": ">=", "param": "min_sqauds"},
                {},
                "condition: unknown parameter 'min_sqauds' (defined: max_backlog_share, ",
            ),
            (
                {"fact": "squads", "op": "~=", "value": 3},
                {},
                "condition: unknown operator '~=' (use one of ==, !=, <, <=, >, >=, "
                "is_unknown, is_known)",
            ),
            (
                {"any": [{"fact": "squads", "op": ">=", "value": "three"}]},
                {},
                "condition.any[0]: value 'three' does not fit squads, which takes a number",
            ),
            (
                {"any": []},
                {},
                "condition.any: must be a non-empty list",
            ),
            (
                "squads >= 3",
                {},
                "condition: must be an object (an all/any group or a clause)",
            ),
            (
                {"fact": "squads", "op": "is_unknown", "value": 3},
                {},
                "condition: is_unknown compares with nothing; remove value/param",
            ),
        ],
    )
    def test_a_bad_condition_fails_on_save_naming_the_clause(self, condition, parameters, message):
        heuristic = HeuristicFactory.build(condition=condition, parameters=parameters)
        with pytest.raises(ValidationError) as caught:
            heuristic.full_clean()
        assert any(m.startswith(message) for m in caught.value.message_dict["condition"])

    def test_ordering_operator_on_a_role_is_refused(self):
        heuristic = HeuristicFactory.build(
            scope="person",
            condition={"fact": "role", "op": ">", "value": "product_owner"},
            parameters={},
            outcome="retitle",
            message="{subject}",
        )
        with pytest.raises(ValidationError) as caught:
            heuristic.full_clean()
        assert caught.value.message_dict["condition"] == [
            "condition: operator > does not fit role, which is not a number"
        ]

    def test_outcome_must_fit_the_scope(self):
        heuristic = HeuristicFactory.build(
            scope="squad", condition={"fact": "engineers", "op": ">", "value": 9}
        )
        with pytest.raises(ValidationError) as caught:
            heuristic.full_clean()
        assert caught.value.message_dict["outcome"] == [
            "A squad heuristic's outcome is one of gap."
        ]

    def test_message_placeholders_must_be_facts_or_parameters(self):
        heuristic = HeuristicFactory.build(message="{subject} has {sqauds} squads")
        with pytest.raises(ValidationError) as caught:
            heuristic.full_clean()
        assert caught.value.message_dict["message"] == [
            "message: unknown placeholder {sqauds} (use a fact, a parameter or {subject})"
        ]

    def test_a_format_string_attack_in_the_message_is_refused(self):
        heuristic = HeuristicFactory.build(message="{subject.__class__} {0} {squads!r}")
        with pytest.raises(ValidationError) as caught:
            heuristic.full_clean()
        assert caught.value.message_dict["message"] == [
            "message: unknown placeholder {0} (use a fact, a parameter or {subject})"
        ]

    def test_an_invalid_row_written_behind_validation_does_not_break_the_assessment(self, dana_org):
        HeuristicFactory(code="typo", condition={"fact": "sqauds", "op": ">=", "value": 1})
        _, document, _ = run_assessment(dana_org, as_of=AS_OF, save=False)
        assert document["products"][0]["verdict"] == "split"
        assert len(document["errors"]) == 1
        assert document["errors"][0].startswith("typo: skipped, its definition is invalid: ")


class TestAssessCommand:
    def test_prints_json_of_the_contract(self, dana_org):
        out = StringIO()
        call_command(
            "assess", dana_org.slug, "--as-of", "2026-11-23", "--format", "json", stdout=out
        )
        document = json.loads(out.getvalue())
        assert document["organization"] == "Acme"
        assert document["as_of"] == "2026-11-23"
        assert document["products"][0]["verdict"] == "split"
        assert Assessment.objects.count() == 1

    def test_no_save_stores_nothing(self, dana_org):
        call_command("assess", dana_org.slug, "--no-save", stdout=StringIO())
        assert Assessment.objects.count() == 0

    def test_prints_a_readable_report_by_default(self, dana_org):
        out = StringIO()
        call_command("assess", dana_org.slug, "--as-of", "2026-11-23", stdout=out)
        text = out.getvalue()
        assert text.startswith("Assessment of Acme as of 2026-11-23 (ruleset ")
        assert "Payments: SPLIT the PM and PO roles" in text
        assert (
            "  actions:\n    - retitle Dana Lee to Product Owner\n"
            "    - add a product manager for Payments\n" in text
        )
        assert "evidence: pm_backlog_share=55% > 40% (max_backlog_share) ✓" in text
        assert (
            "  - Payments: last customer interview date not entered "
            "(product Payments, fact interview_age_days, field last_customer_interview_on)\n"
            in text
        )
        # The hire's profile and what would change the verdict.
        assert (
            "  hire: Product Manager for Checkout, reporting to nobody yet (the organization "
            "has no product leader or executive)\n"
        ) in text
        assert "    - own the product vision, strategy and roadmap\n" in text
        assert "  what would change this verdict" in text
        assert (
            "its product manager's backlog share is 55%: at 40% this becomes keep (nothing "
            "would fire) (split-backlog-overload)"
        ) in text

    def test_unknown_slug_is_an_error_naming_it(self):
        with pytest.raises(CommandError, match="no organization with the slug 'nope'"):
            call_command("assess", "nope")

    def test_bad_date_is_an_error_naming_the_option(self, dana_org):
        with pytest.raises(CommandError, match="--as-of: '2026-13-01' is not a date"):
            call_command("assess", dana_org.slug, "--as-of", "2026-13-01")


@pytest.mark.django_db
class TestHistoryAcrossAReplace:
    def test_a_replace_keeps_the_subjects_so_the_comparison_follows_them_by_id(self):
        organization = import_document(
            {
                "format": "team-structure-advisor/v1",
                "organization": {"name": "Acme"},
                "products": [
                    {
                        "name": "Payments",
                        "markets": ["EU"],
                        "personas": ["Merchant"],
                        "squads": [{"name": "Checkout"}],
                    }
                ],
                "people": [
                    {
                        "name": "Dana Lee",
                        "title": "Product Manager",
                        "squads": ["Checkout"],
                        "time": {"backlog": 55, "strategy": 20},
                        "owns_roadmap": True,
                    }
                ],
            }
        )
        product_pk = organization.products.get().pk
        _, _, before = run_assessment(organization, as_of=AS_OF)
        document = export_document(organization)
        document["people"][0]["time"] = {"backlog": 30, "strategy": 45}
        import_document(document, replace=True)
        _, _, after = run_assessment(organization, as_of=AS_OF)

        assert organization.products.get().pk == product_pk
        assert list(
            after.subjects.filter(scope="product").values_list("product_id", flat=True)
        ) == [product_pk]
        comparison = compare_assessments(before, after)
        assert [(p.name, p.verdict_before, p.verdict_after) for p in comparison.products] == [
            ("Payments", "split", "merge")
        ]
        assert [f.heuristic for f in comparison.disappeared] == ["split-backlog-overload"]
