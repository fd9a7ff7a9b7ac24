"""Migration 0003 on a database with assessments made before ruleset versions existed, run
by Django's migration executor: back to 0002, old rows written, forward again."""

import pytest

from advisor.defaults import DEFAULT_HEURISTICS
from tests.helpers import migrate, migrated_back_to

BEFORE = [("advisor", "0002_default_heuristics")]
AFTER = [("advisor", "0003_ruleset_versions")]
OLD_FINDING_SOURCE = 'pm-vs-po-split-or-merge.txt: "You have 3+ squads"'
EDITED_SOURCE = 'Team lore; pm-vs-po-roles-and-hiring.txt: "you likely don\'t need a product owner"'


@pytest.fixture
def at_0002():
    """The database as it was before 0003; back at the latest migrations afterwards."""
    yield from migrated_back_to(*BEFORE[0])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestRulesetVersionsMigration:
    def test_earlier_assessments_get_a_rebuilt_version_and_the_rules_in_force_a_new_one(
        self, at_0002
    ):
        old = at_0002
        organization = old.get_model("orgs", "Organization").objects.create(
            name="Acme", slug="acme"
        )
        old.get_model("advisor", "Heuristic").objects.filter(code="no-po-without-scrum").update(
            source=EDITED_SOURCE
        )
        finding = {"heuristic": "split-three-plus-squads", "source": OLD_FINDING_SOURCE}
        old.get_model("advisor", "Assessment").objects.create(
            organization=organization,
            as_of="2026-11-23",
            ruleset_version="0123456789ab",
            facts={},
            report={
                "organization": "Acme",
                "ruleset_version": "0123456789ab",
                "products": [{"name": "Payments", "findings": [finding]}],
                "people": [],
                "squads": [],
            },
        )

        new = migrate(AFTER)

        versions = list(
            new.get_model("advisor", "RulesetVersion")
            .objects.order_by("number")
            .values_list("number", "rebuilt", "digest")
        )
        assert [(number, rebuilt) for number, rebuilt, _ in versions] == [(1, True), (2, False)]
        assert versions[0][2] == versions[1][2]
        assessment = new.get_model("advisor", "Assessment").objects.get()
        assert assessment.ruleset.number == 1
        assert assessment.report["ruleset_version"] == "v1"
        (payments,) = assessment.report["products"]
        assert payments["findings"] == [
            {
                "heuristic": "split-three-plus-squads",
                "sources": [
                    {
                        "title": "The Role Confusion Problem",
                        "quote": "You have 3+ squads",
                        "link": "",
                    }
                ],
            }
        ]
        sources = dict(new.get_model("advisor", "Heuristic").objects.values_list("code", "sources"))
        assert sources.pop("no-po-without-scrum") == [
            {"title": "Untitled source", "quote": "Team lore", "link": ""},
            {
                "title": "Product manager vs product owner",
                "quote": "you likely don't need a product owner",
                "link": "",
            },
        ]
        assert sources == {
            row["code"]: row["sources"]
            for row in DEFAULT_HEURISTICS
            if row["code"] != "no-po-without-scrum"
        }

    def test_a_database_without_assessments_gets_v1_alone(self, at_0002):
        new = migrate(AFTER)
        versions = new.get_model("advisor", "RulesetVersion").objects.values_list(
            "number", "rebuilt"
        )
        assert list(versions) == [(1, False)]


@pytest.fixture
def at_0003():
    """The database as it was before assessments had rows; back at the latest afterwards."""
    yield from migrated_back_to("advisor", "0003_ruleset_versions")


def old_finding(heuristic: str, outcome: str) -> dict:
    return {
        "heuristic": heuristic,
        "name": heuristic.replace("-", " "),
        "outcome": outcome,
        "severity": "warning",
        "message": f"{heuristic} fired",
        "evidence": {"squads": 3},
        "thresholds": {"min_squads": 3},
        "trace": [],
        "sources": [],
    }


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestAssessmentRowsMigration:
    def test_each_document_becomes_rows_linked_by_name_to_the_live_subjects(self, at_0003):
        old = at_0003
        organization = old.get_model("orgs", "Organization").objects.create(
            name="Acme", slug="acme"
        )
        payments = old.get_model("orgs", "Product").objects.create(
            organization=organization, name="Payments"
        )
        dana = old.get_model("orgs", "Person").objects.create(
            organization=organization, name="Dana Lee"
        )
        version = old.get_model("advisor", "RulesetVersion").objects.get()
        old.get_model("advisor", "Assessment").objects.create(
            organization=organization,
            as_of="2026-11-23",
            ruleset=version,
            facts={
                "products": [
                    {"name": "Payments", "facts": {"squads": 3}},
                    {"name": "Ledger", "facts": {"squads": 1}},
                ],
                "people": [{"name": "Dana Lee", "facts": {"squads_served": 3}}],
                "squads": [],
            },
            verdicts={"Payments": "split", "Ledger": "merge"},
            report={
                "organization": "Acme",
                "ruleset_version": f"v{version.number}",
                "products": [
                    {
                        "name": "Payments",
                        "verdict": "split",
                        "current": {"product_managers": 1, "product_owners": 0},
                        "recommended": {"product_managers": 1, "product_owners": 3},
                        "actions": ["add 3 product owners"],
                        "findings": [old_finding("split-three-plus-squads", "split")],
                    },
                    {
                        "name": "Ledger",
                        "verdict": "merge",
                        "current": {"product_managers": 1, "product_owners": 1},
                        "recommended": {"product_managers": 1, "product_owners": 0},
                        "actions": [],
                        "findings": [],
                    },
                ],
                "people": [
                    {
                        "name": "Dana Lee",
                        "role": "product_manager",
                        "scope_role": "product_manager",
                        "scope_votes": [],
                        "findings": [],
                    }
                ],
                "squads": [],
                "missing_facts": [
                    {
                        "scope": "product",
                        "subject": "Ledger",
                        "fact": "markets",
                        "field": "markets",
                        "meaning": "markets served",
                    }
                ],
                "errors": ["one heuristic skipped"],
            },
        )

        new = migrate([("advisor", "0005_drop_assessment_documents")])

        assessment = new.get_model("advisor", "Assessment").objects.get()
        assert assessment.errors == ["one heuristic skipped"]
        subjects = new.get_model("advisor", "AssessedSubject").objects.order_by("scope", "position")
        assert [
            (s.scope, s.position, s.name, s.product_id, s.person_id, s.verdict) for s in subjects
        ] == [
            ("person", 1, "Dana Lee", None, dana.pk, ""),
            ("product", 1, "Payments", payments.pk, None, "split"),
            # Ledger no longer exists: kept, unlinked.
            ("product", 2, "Ledger", None, None, "merge"),
        ]
        payments_row = subjects.get(name="Payments")
        assert (payments_row.current_pos, payments_row.recommended_pos) == (0, 3)
        assert payments_row.facts == {"squads": 3}
        assert payments_row.actions == ["add 3 product owners"]
        assert subjects.get(name="Dana Lee").squads_served == 3
        assert subjects.get(name="Ledger").missing_facts == [
            {"fact": "markets", "field": "markets", "meaning": "markets served"}
        ]
        (finding,) = new.get_model("advisor", "AssessedFinding").objects.all()
        assert (finding.subject_id, finding.heuristic, finding.outcome, finding.thresholds) == (
            payments_row.pk,
            "split-three-plus-squads",
            "split",
            {"min_squads": 3},
        )


@pytest.fixture
def at_0006():
    """The database as it was before 0007; back at the latest migrations afterwards."""
    yield from migrated_back_to("advisor", "0006_assessed_row_indexes")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestNotesAndProjectionsMigration:
    def test_marks_projections_adds_the_notes_once_and_publishes_them(self, at_0006):
        import datetime

        old = at_0006
        assert not old.get_model("advisor", "Heuristic").objects.filter(outcome="note").exists()
        organization = old.get_model("orgs", "Organization").objects.create(
            name="Acme", slug="acme"
        )
        version = old.get_model("advisor", "RulesetVersion").objects.order_by("number").last()
        Assessment = old.get_model("advisor", "Assessment")
        made = datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC)
        for as_of in ("2026-11-23", "2026-11-24"):
            pk = Assessment.objects.create(
                organization=organization, as_of=as_of, ruleset=version, report={}
            ).pk
            Assessment.objects.filter(pk=pk).update(created_at=made)
        # An admin's heuristic of one of the notes' codes is kept as it is.
        Heuristic = old.get_model("advisor", "Heuristic")
        mine = Heuristic.objects.get(code="retitle-po-doing-pm-work")
        mine.pk, mine.code, mine.position = None, "note-strategy-starved", 999
        mine.save()

        new = migrate([("advisor", "0008_notes_and_projections")])

        marked = new.get_model("advisor", "Assessment").objects.order_by("as_of")
        assert [(str(a.as_of), a.is_projection) for a in marked] == [
            ("2026-11-23", False),
            ("2026-11-24", True),
        ]
        notes = new.get_model("advisor", "Heuristic").objects.filter(code__startswith="note-")
        assert sorted(notes.values_list("code", "outcome", "position")) == [
            ("note-pm-in-ceremonies", "note", 1009),
            ("note-strategy-starved", "retitle", 999),
        ]
        latest = new.get_model("advisor", "RulesetVersion").objects.order_by("number").last()
        assert latest.number == version.number + 1
        assert [h["code"] for h in latest.content["heuristics"]][-2:] == [
            "note-strategy-starved",
            "note-pm-in-ceremonies",
        ]


@pytest.fixture
def at_0011():
    """The database as it was before 0012; back at the latest migrations afterwards."""
    yield from migrated_back_to("advisor", "0011_ruleset_parameters")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
class TestCompressedArchiveMigration:
    DOCUMENT = {
        "organization": "Acme",
        "as_of": "2026-11-23",
        "products": [{"name": "Zahlungen — Ölfeld", "verdict": "split", "findings": []}],
        "people": [],
        "squads": [],
    }

    def _old_assessment(self, apps):
        organization = apps.get_model("orgs", "Organization").objects.create(
            name="Acme", slug="acme"
        )
        version = apps.get_model("advisor", "RulesetVersion").objects.order_by("number").last()
        return apps.get_model("advisor", "Assessment").objects.create(
            organization=organization, as_of="2026-11-23", ruleset=version, report=self.DOCUMENT
        )

    def test_an_archived_document_reads_the_same_after_it_is_compressed(self, at_0011):
        pk = self._old_assessment(at_0011).pk

        migrate([("advisor", "0012_archive_compressed")])

        from advisor.models import Assessment

        assert Assessment.objects.get(pk=pk).report == self.DOCUMENT

    def test_going_back_restores_the_document_as_json(self, at_0011):
        pk = self._old_assessment(at_0011).pk
        migrate([("advisor", "0012_archive_compressed")])

        old = migrate([("advisor", "0011_ruleset_parameters")])

        assert old.get_model("advisor", "Assessment").objects.get(pk=pk).report == self.DOCUMENT
