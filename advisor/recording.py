"""Keeping an assessment: the archived document, and a row per subject and per finding.

The rows are what the pages, the history and comparisons read: a page reads the rows it
shows, and two assessments are matched on the ids of their subjects, never on names.
Everything is written in one transaction and a fixed number of statements whatever the
organization's size: the assessment, every subject, the ids of the subjects with
findings, every finding.

The two large writes bypass `bulk_create`: for 4,500 subjects (1,000 squads) it spent
about half a second preparing 100,000 values one field at a time, ten times the
assessment itself. On PostgreSQL they are a COPY (a multi-row INSERT that size spent
0.4 s in psycopg splitting its own query text); elsewhere one INSERT run with
executemany (docs/performance.md). JSON values are written as compact text
(advisor.jsonio), and the archived document compressed.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, models, transaction

from advisor.engine import Result
from advisor.engine.collector import collector_paused
from advisor.engine.facts import Subject
from advisor.engine.vocabulary import Scope
from advisor.jsonio import json_text, pack_document
from advisor.models import AssessedFinding, AssessedSubject, Assessment, RulesetVersion
from orgs.models import Organization

SUBJECT_COLUMNS = (
    "assessment",
    "scope",
    "position",
    "product",
    "person",
    "squad",
    "name",
    "facts",
    "finding_count",
    "missing_facts",
    "missing_count",
    "verdict",
    "current_pms",
    "current_pos",
    "recommended_pms",
    "recommended_pos",
    "actions",
    "hires",
    "what_would_change",
    "nearest_misses",
    "role",
    "scope_role",
    "votes",
    "squads_served",
)
FINDING_COLUMNS = (
    "assessment",
    "subject",
    "position",
    "heuristic",
    "name",
    "outcome",
    "severity",
    "message",
    "evidence",
    "thresholds",
    "trace",
    "sources",
    "outranked",
)


@dataclass(frozen=True)
class AssessmentRows:
    """Everything record_assessment writes, built before it touches the database: the
    assessment's own columns (the document already packed), a row per subject
    (SUBJECT_COLUMNS after `assessment`) and a row per finding (FINDING_COLUMNS after
    `assessment` and `subject`, each with the (scope, position) of its subject)."""

    archive: bytes
    errors: list[str]
    shadow_findings: list[dict[str, Any]]
    finding_count: int
    subjects: list[tuple]
    findings: list[tuple[tuple[str, int], tuple]]


def assessment_rows(result: Result, document: dict[str, Any]) -> AssessmentRows:
    """The rows of an assessment, as plain values ready to be written (no database)."""
    missing: dict[tuple[str, str], list[dict[str, str]]] = {}
    for m in result.missing_facts:
        missing.setdefault((str(m.scope), m.subject), []).append(
            {"fact": m.fact, "field": m.field, "meaning": m.meaning, "text": m.text}
        )
    with collector_paused():
        subjects, found = _subject_rows(result, missing)
        findings = [
            (
                key,
                (
                    position,
                    f.heuristic,
                    f.name,
                    f.outcome,
                    f.severity,
                    f.message,
                    json_text(dict(f.evidence)),
                    json_text(dict(f.thresholds)),
                    json_text([c.to_json() for c in f.trace]),
                    json_text([dict(s) for s in f.sources]),
                    f.outranked,
                ),
            )
            for key, subject_findings in found.items()
            for position, f in enumerate(subject_findings, start=1)
        ]
        return AssessmentRows(
            archive=pack_document(document),
            errors=list(result.errors),
            shadow_findings=result.shadow_json(),
            finding_count=sum(len(f) for f in result.findings_by_subject.values()),
            subjects=subjects,
            findings=findings,
        )


def record_assessment(
    organization: Organization,
    rows: AssessmentRows,
    *,
    version: RulesetVersion,
    as_of: date,
    user=None,
    is_projection: bool = False,
    scheduled_on: date | None = None,
) -> Assessment:
    """Store an assessment from its rows (assessment_rows), all or nothing: one
    transaction and four statements, the assessment, its subjects, the ids of the
    subjects with findings, the findings.

    This is also the benchmark's floor for storing (docs/performance.md): one statement
    per table of values built beforehand is the least any way of writing these rows can
    do through Django's connection."""
    with transaction.atomic(), collector_paused():
        assessment = Assessment(
            organization=organization,
            as_of=as_of,
            created_by=user,
            ruleset=version,
            archive=rows.archive,
            errors=rows.errors,
            shadow_findings=rows.shadow_findings,
            finding_count=rows.finding_count,
            is_projection=is_projection,
            scheduled_on=scheduled_on,
        )
        assessment.save(force_insert=True)
        pk = assessment.pk
        _insert(AssessedSubject, SUBJECT_COLUMNS, [(pk, *row) for row in rows.subjects])
        ids = {
            (scope, position): subject_pk
            for scope, position, subject_pk in assessment.subjects.filter(
                finding_count__gt=0
            ).values_list("scope", "position", "pk")
        }
        _insert(
            AssessedFinding,
            FINDING_COLUMNS,
            [(pk, ids[key], *row) for key, row in rows.findings],
        )
    return assessment


def _subject_rows(
    result: Result, missing: dict[tuple[str, str], list[dict[str, str]]]
) -> tuple[list[tuple], dict[tuple[str, int], Sequence]]:
    """A row (SUBJECT_COLUMNS after `assessment`) per product, squad and person, and the
    findings of each subject that has some, by (scope, position)."""
    empty = json_text([])
    plans = {plan.subject.id: plan for plan in result.products}
    not_a_person = ("", "", empty, None)
    # People share their scope votes with everyone of the same four inputs: each distinct
    # set is encoded once.
    votes_text: dict[int, str] = {}
    rows: list[tuple] = []
    found: dict[tuple[str, int], Sequence] = {}
    for scope in Scope:
        scope_value = scope.value
        is_product, is_person = scope == Scope.PRODUCT, scope == Scope.PERSON
        is_squad = scope == Scope.SQUAD
        for position, subject in enumerate(result.facts.subjects(scope), start=1):
            plan = plans.get(subject.id) if is_product else None
            findings = plan.findings if plan else result.findings_for(subject)
            if findings:
                found[(scope_value, position)] = findings
            gaps = missing.get((scope_value, subject.name))
            person = not_a_person
            if is_person:
                person = _person_columns(subject, votes_text, empty)
            rows.append(
                (
                    scope_value,
                    position,
                    subject.id if is_product else None,
                    subject.id if is_person else None,
                    subject.id if is_squad else None,
                    subject.name,
                    json_text(subject.facts),
                    len(findings),
                    json_text(gaps) if gaps else empty,
                    len(gaps) if gaps else 0,
                    *_product_columns(plan, empty),
                    *person,
                )
            )
    return rows, found


def _product_columns(plan, empty: str) -> tuple:
    """verdict, current and recommended counts, actions, hires, what would change the verdict
    and the nearest misses: a product's plan, blank otherwise."""
    if plan is None:
        return ("", None, None, None, None, empty, empty, empty, empty)

    def listed(items: list) -> Any:
        return json_text(items) if items else empty

    return (
        plan.verdict,
        plan.current.product_managers,
        plan.current.product_owners,
        plan.recommended.product_managers,
        plan.recommended.product_owners,
        listed(list(plan.actions)),
        listed([hire.to_json() for hire in plan.hires]),
        listed([c.to_json() for c in plan.what_would_change]),
        listed(list(plan.nearest_misses)),
    )


def _person_columns(subject: Subject, votes_text: dict[int, str], empty: str) -> tuple:
    """role, scope_role, votes, squads_served of a person."""
    facts = subject.facts
    role = facts.get("role") or ""
    scope_role = facts.get("scope_role") or ""
    # As in the document (Subject.explained_votes), each distinct set encoded once.
    votes = empty
    if subject.votes_explained():
        votes = votes_text.get(id(subject.votes))
        if votes is None:
            votes = votes_text[id(subject.votes)] = json_text(subject.explained_votes())
    served = facts.get("squads_served")
    return (role, scope_role, votes, served if isinstance(served, int) else None)


def _insert(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """Write the rows in one statement: PostgreSQL's COPY, else one INSERT run with the
    cursor's executemany (SQLite runs it in C, a row at a time in one statement)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        rows = list(rows)
        if rows:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
