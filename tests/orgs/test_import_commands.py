import io
import json

import pytest
from django.core.management import ManagementUtility, call_command
from django.core.management.base import CommandError
from django.db import connections
from django.test import override_settings

from orgs.interchange import dumps, export_document, import_document
from orgs.models import MemberRole, Organization, Person
from tests.factories import MembershipFactory
from tests.orgs.documents import (
    ACME,
    DANA,
    HOSTILE,
    acme,
    one_manager,
    people_document,
    reporting_loop,
    row_counts,
    sized,
)


def run(*args, **kwargs) -> tuple[str, str]:
    """Run a command in-process; its standard output and standard error."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def run_like_manage_py(argv: list[str], monkeypatch) -> int:
    """Run as manage.py would, returning the exit status."""
    # manage.py closes every connection on the way out, which would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as e:
        ManagementUtility(["manage.py", *argv]).execute()
        raise SystemExit(0)
    return e.value.code


@pytest.fixture
def acme_file(tmp_path):
    path = tmp_path / "acme.json"
    path.write_text(dumps(ACME), encoding="utf-8")
    return path


@pytest.fixture
def bad_file(tmp_path):
    document = acme(methodology="agile")
    document["people"][DANA]["squads"] = ["Chekout"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.mark.django_db
class TestImportOrg:
    def test_prints_the_slug(self, acme_file):
        out, err = run("import_org", str(acme_file))
        assert (out, err) == ("acme\n", "")
        assert Person.objects.filter(organization__slug="acme").count() == 3

    def test_reads_standard_input(self):
        out, _ = run("import_org", "-", stdin=io.StringIO(dumps(ACME)))
        assert out == "acme\n"

    def test_reads_bytes_from_standard_input(self, monkeypatch):
        stdin = io.TextIOWrapper(io.BytesIO(dumps(acme(name="Zoë & Co")).encode()))
        monkeypatch.setattr("sys.stdin", stdin)
        out, _ = run("import_org", "-")
        assert out == "zoe-co\n"
        assert Organization.objects.get().name == "Zoë & Co"

    def test_lists_every_problem_and_writes_nothing(self, bad_file):
        err = io.StringIO()
        with pytest.raises(CommandError) as e:
            call_command("import_org", str(bad_file), stderr=err)
        assert str(e.value) == f"2 problems in {bad_file}; nothing was imported."
        assert e.value.returncode == 1
        assert err.getvalue() == (
            'organization.methodology: unknown methodology "agile"; '
            "use scrum, kanban, other or none\n"
            'people[0].squads[0]: no squad named "Chekout"\n'
        )
        assert row_counts() == (0, 0, 0, 0, 0)

    def test_exits_non_zero_on_bad_input(self, bad_file, monkeypatch, capsys):
        status = run_like_manage_py(["import_org", str(bad_file)], monkeypatch)
        captured = capsys.readouterr()
        assert status == 1
        assert captured.out == ""
        assert captured.err.splitlines() == [
            'organization.methodology: unknown methodology "agile"; '
            "use scrum, kanban, other or none",
            'people[0].squads[0]: no squad named "Chekout"',
            f"CommandError: 2 problems in {bad_file}; nothing was imported.",
        ]
        assert Organization.objects.count() == 0

    def test_exits_zero_on_success(self, acme_file, monkeypatch, capsys):
        status = run_like_manage_py(["import_org", str(acme_file)], monkeypatch)
        assert (status, capsys.readouterr().out) == (0, "acme\n")

    def test_reports_bad_json(self):
        err = io.StringIO()
        with pytest.raises(CommandError) as e:
            call_command("import_org", "-", stdin=io.StringIO('{"format": }'), stderr=err)
        assert str(e.value) == "1 problem in -; nothing was imported."
        assert err.getvalue() == "not valid JSON: Expecting value at line 1, column 12\n"

    def test_reporting_loop_of_10000_people_is_refused_once_naming_the_loop(self):
        document = dumps(people_document(reporting_loop(10_000)))
        err = io.StringIO()
        with pytest.raises(CommandError) as e:
            call_command("import_org", "-", stdin=io.StringIO(document), stderr=err)
        assert str(e.value) == "1 problem in -; nothing was imported."
        assert err.getvalue() == (
            "people[0].reports_to: reporting loop of 10,000 people: "
            "p0 -> p1 -> p2 -> p3 -> p4 -> ... and 9,995 more -> p0\n"
        )
        assert row_counts() == (0, 0, 0, 0, 0)

    @pytest.mark.parametrize(
        ("text", "expected"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
    )
    @pytest.mark.parametrize("source", ["file", "stdin"])
    def test_refuses_a_hostile_document_by_path(self, tmp_path, source, text, expected):
        path = tmp_path / "hostile.json"
        path.write_text(text, encoding="utf-8")
        err = io.StringIO()
        with pytest.raises(CommandError) as e:
            if source == "file":
                call_command("import_org", str(path), stderr=err)
            else:
                call_command("import_org", "-", stdin=io.StringIO(text), stderr=err)
        name = str(path) if source == "file" else "-"
        count = len(expected)
        assert str(e.value) == (
            f"{count} problem{'s' if count > 1 else ''} in {name}; nothing was imported."
        )
        assert err.getvalue().splitlines() == expected
        assert row_counts() == (0, 0, 0, 0, 0)

    def test_counts_every_problem_and_lists_the_first_fifty(self):
        people = [person for n in range(120) for person in reporting_loop(2, prefix=f"l{n}.")]
        err = io.StringIO()
        with pytest.raises(CommandError) as e:
            call_command(
                "import_org", "-", stdin=io.StringIO(dumps(people_document(people))), stderr=err
            )
        assert str(e.value) == "120 problems in -; nothing was imported."
        lines = err.getvalue().splitlines()
        assert len(lines) == 51
        assert lines[-1] == "... and 70 more problems, not listed"

    @override_settings(ORG_DOCUMENT_MAX_BYTES=10_000)
    @pytest.mark.parametrize("source", ["file", "stdin"])
    def test_refuses_a_document_over_the_limit_naming_it(self, tmp_path, source):
        path = tmp_path / "big.json"
        path.write_bytes(b" " * 10_001)
        err = io.StringIO()
        with pytest.raises(CommandError) as e:
            if source == "file":
                call_command("import_org", str(path), stderr=err)
            else:
                call_command("import_org", "-", stdin=io.BytesIO(b" " * 10_001), stderr=err)
        assert str(e.value).startswith("1 problem in ")
        assert err.getvalue() == (
            "document is larger than the limit of 10,000 bytes (ORG_DOCUMENT_MAX_BYTES)\n"
        )

    def test_the_export_of_a_large_organization_imports_again(self, tmp_path):
        organization = import_document(
            {**people_document(one_manager(22_000)), "products": sized(50)["products"]}
        )
        exported = dumps(export_document(organization))
        assert len(exported.encode()) > 5 * 1024 * 1024
        path = tmp_path / "large.json"
        path.write_text(exported, encoding="utf-8")
        out, _ = run("import_org", str(path), "--replace")
        assert out == f"{organization.slug}\n"
        assert dumps(export_document(organization)) == exported

    def test_names_a_file_it_cannot_read(self, tmp_path):
        missing = tmp_path / "missing.json"
        with pytest.raises(CommandError) as e:
            run("import_org", str(missing))
        assert str(e.value) == f"Cannot read {missing}: No such file or directory."

    def test_refuses_an_existing_organization_without_replace(self, acme_file):
        run("import_org", str(acme_file))
        err = io.StringIO()
        with pytest.raises(CommandError):
            call_command("import_org", str(acme_file), stderr=err)
        assert err.getvalue() == (
            'organization.name: an organization named "Acme" exists; replace it (--replace, or '
            '"Replace my organization of the same name" when uploading) or rename this one\n'
        )
        assert Organization.objects.count() == 1

    def test_replace_keeps_the_slug_and_memberships(self, acme_file, tmp_path):
        original = import_document(acme())
        original.slug = "acme-inc"
        original.save()
        membership = MembershipFactory(organization=original, role=MemberRole.OWNER)
        changed = acme(reassess_every_days=14)
        changed["people"][DANA]["title"] = "Senior Product Manager"
        path = tmp_path / "changed.json"
        path.write_text(dumps(changed), encoding="utf-8")

        out, _ = run("import_org", str(path), "--replace")

        assert out == "acme-inc\n"
        replaced = Organization.objects.get()
        assert (replaced.pk, replaced.reassess_every_days) == (original.pk, 14)
        assert list(replaced.memberships.all()) == [membership]
        assert replaced.people.get(name="Dana Lee").title == "Senior Product Manager"


@pytest.mark.django_db
class TestExportOrg:
    def test_prints_the_document(self):
        organization = import_document(acme())
        out, err = run("export_org", organization.slug)
        assert (out, err) == (dumps(ACME), "")

    def test_names_an_unknown_slug(self, monkeypatch, capsys):
        with pytest.raises(CommandError) as e:
            run("export_org", "nope")
        assert str(e.value) == 'No organization with the slug "nope".'
        assert run_like_manage_py(["export_org", "nope"], monkeypatch) == 1
        assert capsys.readouterr().err == 'CommandError: No organization with the slug "nope".\n'

    def test_export_import_replace_export_is_identical(self):
        organization = import_document(acme())
        first, _ = run("export_org", organization.slug)
        out, _ = run("import_org", "-", "--replace", stdin=io.StringIO(first))
        assert out == "acme\n"
        second, _ = run("export_org", "acme")
        assert second == first
        assert dumps(export_document(Organization.objects.get())) == first
