"""Keeping an assessment: the archived document, and a row per subject and per finding.

The rows are what the pages, the history and comparisons read: a page reads the rows it
shows, and two assessments are matched on the ids of their subjects, never on names.
Everything is written in one transaction: on PostgreSQL in a fixed number of queries
whatever the organization's size (one insert a table); SQLite takes at most 32,766 bound
parameters a statement, so Django splits the subjects' insert every ~1,400 rows.
"""

from datetime import date
from typing import Any

from django.db import transaction

from advisor.engine import Result
from advisor.engine.facts import Subject
from advisor.engine.vocabulary import TITLE_OF_ROLE, Scope
from advisor.models import AssessedFinding, AssessedSubject, Assessment, RulesetVersion
from orgs.models import Organization

FK_OF_SCOPE = {Scope.PRODUCT: "product_id", Scope.PERSON: "person_id", Scope.SQUAD: "squad_id"}


def record_assessment(
    organization: Organization,
    result: Result,
    document: dict[str, Any],
    *,
    version: RulesetVersion,
    as_of: date,
    user=None,
) -> Assessment:
    """Store the assessment, its subjects and its findings, all or nothing."""
    missing: dict[tuple[str, str], list[dict[str, str]]] = {}
    for m in result.missing_facts:
        missing.setdefault((str(m.scope), m.subject), []).append(
            {"fact": m.fact, "field": m.field, "meaning": m.meaning}
        )
    plans = {plan.subject.id: plan for plan in result.products}
    with transaction.atomic():
        assessment = Assessment.objects.create(
            organization=organization,
            as_of=as_of,
            created_by=user,
            ruleset=version,
            report=document,
            errors=list(result.errors),
            finding_count=sum(len(f) for f in result.findings_by_subject.values()),
        )
        subjects: list[AssessedSubject] = []
        findings_of: list[tuple] = []
        for scope in Scope:
            for position, subject in enumerate(result.facts.subjects(scope), start=1):
                row = _subject_row(
                    assessment, subject, position, missing.get((str(scope), subject.name), [])
                )
                if scope == Scope.PRODUCT and subject.id in plans:
                    plan = plans[subject.id]
                    row.verdict = plan.verdict
                    row.current_pms = plan.current.product_managers
                    row.current_pos = plan.current.product_owners
                    row.recommended_pms = plan.recommended.product_managers
                    row.recommended_pos = plan.recommended.product_owners
                    row.actions = list(plan.actions)
                    found = plan.findings
                else:
                    found = result.findings_for(subject)
                row.finding_count = len(found)
                subjects.append(row)
                findings_of.append(found)
        AssessedSubject.objects.bulk_create(subjects)
        AssessedFinding.objects.bulk_create(
            (
                AssessedFinding(
                    assessment=assessment,
                    subject=row,
                    position=position,
                    heuristic=f.heuristic,
                    name=f.name,
                    outcome=f.outcome,
                    severity=f.severity,
                    message=f.message,
                    evidence=dict(f.evidence),
                    thresholds=dict(f.thresholds),
                    trace=[c.to_json() for c in f.trace],
                    sources=[dict(s) for s in f.sources],
                )
                for row, found in zip(subjects, findings_of, strict=True)
                for position, f in enumerate(found, start=1)
            )
        )
    return assessment


def _subject_row(
    assessment: Assessment, subject: Subject, position: int, missing: list[dict[str, str]]
) -> AssessedSubject:
    row = AssessedSubject(
        assessment=assessment,
        scope=subject.scope.value,
        position=position,
        name=subject.name,
        facts=dict(subject.facts),
        missing_facts=missing,
        missing_count=len(missing),
        **{FK_OF_SCOPE[subject.scope]: subject.id},
    )
    if subject.scope == Scope.PERSON:
        row.role = subject.facts.get("role") or ""
        row.scope_role = subject.facts.get("scope_role") or ""
        # As in the document: the votes explain product people's scope; for the rest of a
        # large organization they would only make the rows heavy.
        if row.role in TITLE_OF_ROLE or row.scope_role:
            row.votes = [
                {"fact": v.fact, "value": v.value, "vote": v.vote, "reason": v.reason}
                for v in subject.votes
            ]
        served = subject.facts.get("squads_served")
        row.squads_served = served if isinstance(served, int) else None
    return row
