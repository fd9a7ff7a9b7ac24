"""The whole ruleset as one document: export_ruleset, import_ruleset [--dry-run] (validated
whole by JSON path, one transaction), the preview, restoring a version or the defaults, and
the difference between versions."""

import io
import json
import re
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from advisor import ruleset_documents
from advisor.defaults import DEFAULT_PARAMETERS
from advisor.engine.ruleset import parameters_read
from advisor.models import Heuristic, Parameter, RulesetVersion
from advisor.ruleset_documents import (
    Change,
    current_form,
    defaults_document,
    export_ruleset,
    restore_defaults,
    restore_version,
    version_diff,
)
from advisor.services import run_assessment
from orgs.models import Organization
from tests.advisor.scenarios import latest_version as latest
from tests.factories import OrganizationFactory, PersonFactory, ProductFactory, SquadFactory

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 11, 23)


def command(*args: str, document=None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO(json.dumps(document)) if document is not None else None
    call_command(*args, stdout=out, stderr=err, **({"stdin": stdin} if stdin else {}))
    return out.getvalue(), err.getvalue()


def refused(*args: str, document) -> str:
    """What a command that refuses the document writes to stderr."""
    err = io.StringIO()
    stdin = io.StringIO(json.dumps(document))
    with pytest.raises(CommandError, match="nothing was published"):
        call_command(*args, stdout=io.StringIO(), stderr=err, stdin=stdin)
    return err.getvalue()


def with_parameter(name: str, value) -> dict:
    document = export_ruleset()
    document["parameters"][name] = value
    return document


def three_squad_org(name: str, squads: int):
    """A product of `squads` Scrum squads served by one PM who owns the roadmap."""
    org = OrganizationFactory(name=name)
    product = ProductFactory(organization=org, name=f"{name} app")
    served = [SquadFactory(product=product, name=f"{name} squad {i}") for i in range(squads)]
    PersonFactory(
        organization=org,
        name=f"{name} PM",
        title="Product Manager",
        squads=served,
        time_backlog=30,
        time_strategy=30,
        owns_roadmap=True,
    )
    return org


class TestExport:
    def test_prints_the_document_of_the_version_in_force(self):
        out, _ = command("export_ruleset")
        document = json.loads(out)
        assert document == latest().content
        assert document["format"] == "team-structure-advisor/ruleset/v1"
        assert document["parameters"] == DEFAULT_PARAMETERS
        assert {"examples", "state"} <= set(document["heuristics"][0])

    def test_an_export_imported_again_changes_nothing(self):
        out, _ = command("export_ruleset")
        imported, _ = command("import_ruleset", "-", document=json.loads(out))
        assert imported == "Nothing changed: ruleset v1 is in force.\n"
        assert RulesetVersion.objects.count() == 1


class TestImport:
    def test_publishes_the_document_as_the_new_version(self):
        out, _ = command(
            "import_ruleset",
            "-",
            "--note",
            "Four squads.",
            document=with_parameter("min_squads", 4),
        )
        assert out == "Published ruleset v2.\n"
        version = latest()
        assert (version.label, version.note, version.published_by) == ("v2", "Four squads.", None)
        assert version.content["parameters"]["min_squads"] == 4
        assert Parameter.objects.get(name="min_squads").value == 4

    @pytest.mark.parametrize(
        ("note", "said"),
        [
            ("bad\udcffnote", "--note: is not valid text (character 4)."),
            ("a\x00", "--note: must not contain control characters (U+0000 at character 2)."),
        ],
    )
    def test_a_note_that_cannot_be_stored_is_refused_naming_the_option(self, note, said):
        # A command line's undecodable bytes reach Python as lone surrogates.
        with pytest.raises(CommandError, match=re.escape(said)):
            command("import_ruleset", "-", "--note", note, document=with_parameter("min_squads", 4))
        assert RulesetVersion.objects.count() == 1

    def test_a_whole_document_is_written_in_one_publication(self):
        document = with_parameter("min_squads", 4)
        document["heuristics"] = [
            h for h in document["heuristics"] if h["code"] != "merge-small-team"
        ]
        document["heuristics"][0]["state"] = "off"
        document["title_patterns"] = document["title_patterns"][:3]
        document["staffing"]["pos_per_scrum_squad"] = "0.50"
        command("import_ruleset", "-", document=document)
        assert RulesetVersion.objects.count() == 2
        assert latest().content == document
        assert not Heuristic.objects.filter(code="merge-small-team").exists()

    def test_every_problem_is_named_by_path_and_nothing_is_written(self):
        document = export_ruleset()
        document["parameters"]["min_squads"] = "lots"
        document["heuristics"][1]["condition"] = {"fact": "pm_backlog_shar", "op": ">", "value": 1}
        document["heuristics"][3]["condition"]["op"] = ">"
        document["heuristics"][4]["code"] = document["heuristics"][0]["code"]
        document["title_patterns"][0]["pattern"] = "product (manager"
        document["staffing"]["scope_votes_needed"] = 9
        document["extra"] = 1
        lines = refused("import_ruleset", "-", document=document).splitlines()
        assert (
            "extra: unknown key (the keys are format, parameters, heuristics, "
            "title_patterns, staffing)"
        ) in lines
        assert (
            "parameters.min_squads: must be a number, true/false or a role/methodology name, "
            "not 'lots'"
        ) in lines
        assert any(
            line.startswith("heuristics[1].condition: unknown fact 'pm_backlog_shar'")
            for line in lines
        )
        assert (
            "heuristics[3].examples[0]: “at the line” (markets min_markets (2)): must fire, "
            "but does not fire"
        ) in lines
        assert 'heuristics[4].code: "split-three-plus-squads" is also heuristics[0]' in lines
        assert any(
            line.startswith("title_patterns[0].pattern: not a regular expression") for line in lines
        )
        assert "staffing.scope_votes_needed: must be a whole number from 1 to 4" in lines
        assert RulesetVersion.objects.count() == 1
        assert Parameter.objects.get(name="min_squads").value == 3

    @pytest.mark.parametrize(
        ("change", "problem"),
        [
            (
                ('"format": ', '"format": 1, "format": '),
                'format: key "format" is written 2 times; write it once',
            ),
            (
                ('"min_squads": 3', '"min_squads": NaN'),
                "parameters.min_squads: NaN is not a JSON value",
            ),
            (
                ('"min_squads": 3', '"min_squads": ' + "9" * 5000),
                "parameters.min_squads: is a number of 5,000 digits; at most 20 digits allowed",
            ),
            (
                ("FIRST_MESSAGE", '"\\ud800 broken"'),
                "heuristics[0].message: is not valid text (it holds a lone surrogate)",
            ),
            (
                ("FIRST_NAME", '"Bad\\u0000name"'),
                "heuristics[0].name: character 4 is the control character U+0000",
            ),
            (None, "not valid JSON: nested too deeply"),
        ],
    )
    def test_hostile_json_is_refused_by_path_and_nothing_is_written(self, change, problem):
        exported = export_ruleset()
        text = json.dumps(exported)
        if change is None:
            text = "[" * 100_000
        else:
            old, new = change
            old = {
                "FIRST_MESSAGE": json.dumps(exported["heuristics"][0]["message"]),
                "FIRST_NAME": json.dumps(exported["heuristics"][0]["name"]),
            }.get(old, old)
            text = text.replace(old, new, 1)
        rows_before = list(Heuristic.objects.values_list("code", "name", "message", "condition"))
        err = io.StringIO()

        with pytest.raises(CommandError, match="1 problem in -; nothing was published"):
            call_command(
                "import_ruleset", "-", stdin=io.StringIO(text), stdout=io.StringIO(), stderr=err
            )

        assert err.getvalue().strip() == problem
        assert RulesetVersion.objects.count() == 1
        assert Parameter.objects.get(name="min_squads").value == 3
        assert list(Heuristic.objects.values_list("code", "name", "message", "condition")) == (
            rows_before
        )

    def test_a_failure_while_writing_leaves_everything_as_it_was(self, monkeypatch):
        def fail(staffing):
            raise RuntimeError("disk full")

        monkeypatch.setattr(ruleset_documents, "_write_staffing", fail)
        with pytest.raises(RuntimeError):
            command("import_ruleset", "-", document=with_parameter("min_squads", 4))
        assert Parameter.objects.get(name="min_squads").value == 3
        assert RulesetVersion.objects.count() == 1


class TestDryRun:
    def test_names_the_products_whose_advice_would_change_and_publishes_nothing(self):
        three = three_squad_org("Acme", 3)
        two = three_squad_org("Bolt", 2)
        run_assessment(three, as_of=AS_OF)
        run_assessment(two, as_of=AS_OF)
        out, _ = command(
            "import_ruleset",
            "-",
            "--dry-run",
            "--format",
            "json",
            document=with_parameter("min_squads", 4),
        )
        assert json.loads(out) == {
            "organizations": [
                {
                    "slug": three.slug,
                    "products": [
                        {
                            "name": "Acme app",
                            "verdict": {"from": "split", "to": "merge"},
                            "appeared": ["merge-small-team"],
                            "resolved": ["split-three-plus-squads"],
                        }
                    ],
                }
            ]
        }
        assert RulesetVersion.objects.count() == 1
        assert Parameter.objects.get(name="min_squads").value == 3

    def test_in_text(self):
        run_assessment(three_squad_org("Acme", 3), as_of=AS_OF)
        out, _ = command(
            "import_ruleset", "-", "--dry-run", document=with_parameter("min_squads", 4)
        )
        assert out == (
            "Acme (acme):\n"
            "  Acme app: split -> merge; appears merge-small-team; "
            "resolves split-three-plus-squads\n"
        )

    def test_a_projection_whose_date_has_passed_is_never_the_latest_advice(self):
        org = three_squad_org("Acme", 3)
        advice = run_assessment(org, as_of=AS_OF)[2]
        projection = run_assessment(org, as_of=date(2099, 1, 1))[2]
        # Its date came: it is still a projection, made with the organization of its day.
        type(projection).objects.filter(pk=projection.pk).update(as_of=AS_OF)

        assert [a.pk for a in ruleset_documents.latest_assessments()] == [advice.pk]

    def test_reads_the_latest_assessments_in_a_fixed_number_of_queries(self):
        document = with_parameter("min_squads", 4)
        counts = []
        for total in (2, 6):
            while Organization.objects.count() < total:
                org = three_squad_org(f"Org {Organization.objects.count()}", 3)
                run_assessment(org, as_of=AS_OF)
                run_assessment(org, as_of=AS_OF)
            ruleset_documents.preview(document)  # the version in force parsed once
            with CaptureQueriesContext(connection) as queries:
                changes = ruleset_documents.preview(document)
            counts.append(len(queries))
            assert [len(c.products) for c in changes] == [1] * total
        # The version in force, the latest assessments, their products.
        assert counts == [3, 3]


class TestPublishing:
    def test_rows_written_and_the_version_published_are_one_transaction(self, monkeypatch):
        def refused(**kwargs):
            raise RuntimeError("publishing failed")

        monkeypatch.setattr(ruleset_documents, "publish_ruleset", refused)
        with pytest.raises(RuntimeError):
            ruleset_documents.publish_document(with_parameter("min_squads", 4), note="x")

        assert Parameter.objects.get(name="min_squads").value == 3
        assert RulesetVersion.objects.count() == 1


class TestRestore:
    def test_an_earlier_version_is_published_again_as_a_new_one(self, admin_user):
        first = latest()
        command("import_ruleset", "-", document=with_parameter("min_squads", 4))
        restored = restore_version(first, user=admin_user)
        assert (restored.label, restored.note, restored.published_by) == (
            "v3",
            "Restored v1.",
            admin_user,
        )
        assert restored.content == first.content
        assert Parameter.objects.get(name="min_squads").value == 3

    def test_a_version_of_before_the_parameter_table_is_restored(self):
        """Each heuristic carried its own parameters, and two disagreed: the first, by
        position, gives the one value."""
        old = {k: v for k, v in latest().content.items() if k != "parameters"}
        old["heuristics"] = [
            {
                **{k: v for k, v in h.items() if k != "examples"},
                "parameters": {
                    name: 5 if name == "min_squads" and h["position"] == 10 else value
                    for name, value in DEFAULT_PARAMETERS.items()
                    if name in parameters_read(h)
                },
            }
            for h in old["heuristics"]
        ]
        assert current_form(old)["parameters"] == {**DEFAULT_PARAMETERS, "min_squads": 5}
        version = RulesetVersion.objects.create(number=2, content=old, digest="x" * 64)
        restored = restore_version(version)
        assert restored.content["parameters"] == {**DEFAULT_PARAMETERS, "min_squads": 5}
        assert all(h["examples"] == [] for h in restored.content["heuristics"])
        assert all("parameters" not in h for h in restored.content["heuristics"])

    def test_the_defaults_are_restored(self):
        first = latest()
        command("import_ruleset", "-", document=with_parameter("min_squads", 4))
        Heuristic.objects.get(code="merge-small-team").delete()
        restored = restore_defaults()
        assert restored.note == "Restored the defaults."
        assert restored.content == first.content
        assert defaults_document() == first.content


class TestDifference:
    def test_names_the_heuristic_field_old_and_new(self):
        before = latest().content
        document = with_parameter("min_squads", 4)
        document["heuristics"][1]["severity"] = "critical"
        document["heuristics"] = document["heuristics"][:-1]
        assert version_diff(before, document) == [
            Change("split-backlog-overload", "severity", "warning", "critical"),
            Change("note-strategy-starved", "heuristic", "present", None),
            Change("parameters", "min_squads", 3, 4),
        ]

    def test_the_first_version_differs_from_nothing(self):
        changes = version_diff(None, latest().content)
        assert changes[0] == Change("split-three-plus-squads", "heuristic", None, "added")
