"""The benchmark command runs end to end on a tiny organization and cleans up after itself."""

from contextlib import contextmanager
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from advisor import benchmark
from advisor.benchmark import (
    AS_OF,
    paired,
    read_every_row,
    settle_database,
    synthetic_document,
    write_every_row,
)
from advisor.recording import assessment_rows
from advisor.rulesets import current_ruleset
from advisor.services import run_assessment
from orgs.interchange import import_document
from orgs.models import Organization


@pytest.mark.django_db
class TestBenchmark:
    def test_prints_the_three_tables_and_leaves_nothing_behind(self):
        out = StringIO()
        call_command("benchmark", "--sizes", "4,8", "--rounds", "1", stdout=out)
        text = out.getvalue()
        assert "| 4 | 14 |" in text  # 4 squads: a head, a PM, and three people a squad
        assert "| 4 → 8 | 2.0 |" in text
        assert "| demo | organization |" in text
        assert "| 8 squads | assessment |" in text
        for timed in (
            "assess (the command)",
            "assess, not saved",
            "loading alone",
            "storing alone",
            "writing alone",
            "assess (the command), against reading and writing",
            "storing alone, against writing alone",
        ):
            assert f"| 8 | {timed} |" in text
        assert not Organization.objects.exists()

    def test_the_floor_reads_every_row_once(self, django_assert_num_queries):
        organization = import_document(synthetic_document(8, name="Floor"))
        with django_assert_num_queries(5):
            rows = read_every_row(organization)
        # 2 products, 8 squads, 27 people (a head, 2 PMs, 3 a squad), 32 squad links (a PO
        # and 2 engineers a squad, each PM 4 squads), 18 title patterns.
        assert rows == 2 + 8 + 27 + 32 + 18

    @pytest.mark.parametrize("squads", [4, 40])
    def test_an_unsaved_assessment_runs_five_queries_whatever_the_size(
        self, squads, django_assert_num_queries
    ):
        organization = import_document(synthetic_document(squads, name="Sized"))
        run_assessment(organization, as_of=AS_OF, save=False)  # the version's document, parsed
        # The latest version, then products, squads, person-squad links and people.
        with django_assert_num_queries(5):
            result, _, _ = run_assessment(organization, as_of=AS_OF, save=False)
        assert len(result.facts.squads) == squads

    @pytest.mark.parametrize("squads", [4, 40])
    def test_the_writing_floor_writes_every_row_in_fixed_queries_whatever_the_size(
        self, squads, django_assert_num_queries
    ):
        organization = import_document(synthetic_document(squads, name="Written"))
        result, document, _ = run_assessment(organization, as_of=AS_OF, save=False)
        rows, version = assessment_rows(result, document), current_ruleset()
        # Its own savepoint, the assessment, its subjects, the ids of those with findings,
        # their findings, the savepoint released; on PostgreSQL the subjects and findings are
        # each a COPY, which goes around Django's log of queries.
        with django_assert_num_queries(6 if connection.vendor == "sqlite" else 4):
            written = write_every_row(organization, rows, version=version)
        people = len(result.facts.people)
        assert written.subjects.count() == len(result.products) + squads + people
        assert written.findings.count() == written.finding_count > 0
        assert written.report == document

    def test_paired_rounds_time_thing_and_floor_each_first_in_turn(self):
        calls: list[str] = []
        result = paired(lambda: calls.append("thing"), lambda: calls.append("floor"), 3)
        assert calls == ["thing", "floor", "floor", "thing", "thing", "floor"]
        assert len(result.thing.rounds) == len(result.floor.rounds) == 3

    @pytest.mark.parametrize("sizes", ["0", "x", "20001"])
    def test_refuses_sizes_out_of_range(self, sizes):
        with pytest.raises(CommandError, match="--sizes"):
            call_command("benchmark", "--sizes", sizes, stdout=StringIO())


class _Connection:
    """A stand-in for Django's connection that records what it is asked to run."""

    def __init__(self, vendor: str, in_atomic_block: bool):
        self.vendor, self.in_atomic_block, self.ran = vendor, in_atomic_block, []

    @contextmanager
    def cursor(self):
        yield SimpleNamespace(execute=self.ran.append)


@pytest.mark.parametrize(
    ("vendor", "in_atomic_block", "ran"),
    [
        ("postgresql", False, ["VACUUM ANALYZE"]),
        # VACUUM cannot run in a transaction (a test's); SQLite reuses the pages freed.
        ("postgresql", True, []),
        ("sqlite", False, []),
    ],
)
def test_the_benchmark_settles_postgresql_tables_as_autovacuum_would(
    monkeypatch, vendor, in_atomic_block, ran
):
    stand_in = _Connection(vendor, in_atomic_block)
    monkeypatch.setattr(benchmark, "connection", stand_in)
    settle_database()
    assert stand_in.ran == ran
