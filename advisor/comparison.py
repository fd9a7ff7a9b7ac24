"""What changed from one stored assessment to another, read from their rows.

Subjects are matched on the id they had: a product renamed between two assessments is
the same product, shown under its newer name. Only a subject left unmatched on both sides
is then matched on its name: one deleted and made again under the same name, or one of
an assessment kept before ids were recorded (the rows migration 0004 rebuilt without a
live match). `import_org --replace` updates the subjects it names again in place, so
they keep their ids.
"""

from dataclasses import dataclass

from advisor.engine.vocabulary import Scope
from advisor.models import AssessedFinding, AssessedSubject, Assessment
from advisor.presenters import FindingView, finding_view

SubjectKey = tuple[str, int | str]


@dataclass(frozen=True)
class ProductChange:
    name: str
    # The name it had in the earlier assessment, when it was renamed since.
    renamed_from: str
    verdict_before: str | None
    verdict_after: str | None
    recommended_before: dict[str, int | None] | None
    recommended_after: dict[str, int | None] | None

    @property
    def changed(self) -> bool:
        return (self.verdict_before, self.recommended_before) != (
            self.verdict_after,
            self.recommended_after,
        )


@dataclass(frozen=True)
class Comparison:
    ruleset_before: str
    ruleset_after: str
    products: tuple[ProductChange, ...]
    appeared: tuple[FindingView, ...]
    disappeared: tuple[FindingView, ...]

    @property
    def ruleset_changed(self) -> bool:
        return self.ruleset_before != self.ruleset_after


def subject_key(subject: AssessedSubject) -> SubjectKey:
    """What makes two assessments' rows the same subject: its id, else (old rows) its name."""
    pk = subject.subject_id
    return (subject.scope, pk if pk is not None else f"name:{subject.name}")


def _products(assessment: Assessment) -> dict[SubjectKey, AssessedSubject]:
    rows = assessment.subjects.filter(scope=Scope.PRODUCT).defer("facts").order_by("position")
    return {subject_key(row): row for row in rows}


def _findings(assessment: Assessment) -> list[tuple[SubjectKey, AssessedSubject, FindingView]]:
    """Every finding of the assessment with its subject, in one query."""
    rows = (
        AssessedFinding.objects.filter(assessment=assessment)
        .select_related("subject")
        .defer("subject__facts", "subject__votes", "subject__missing_facts", "subject__actions")
        .order_by("subject__scope", "subject__position", "position")
    )
    return [
        (
            subject_key(f.subject),
            f.subject,
            finding_view(f, scope=f.subject.scope, subject=f.subject.name),
        )
        for f in rows
    ]


def _same_subjects(
    before: dict[SubjectKey, AssessedSubject], after: dict[SubjectKey, AssessedSubject]
) -> dict[SubjectKey, SubjectKey]:
    """Each earlier subject's key → the later key of the same subject: the same id, else,
    for one no later subject has the id of, the one unmatched later subject of its scope
    and name."""
    matched = {key: key for key in before if key in after}
    by_name: dict[tuple[str, str], list[SubjectKey]] = {}
    for key, row in after.items():
        if key not in before:
            by_name.setdefault((row.scope, row.name), []).append(key)
    for key, row in before.items():
        if key not in matched:
            candidates = by_name.get((row.scope, row.name), [])
            if len(candidates) == 1:
                matched[key] = candidates.pop()
    return matched


def compare_assessments(before: Assessment, after: Assessment) -> Comparison:
    """Verdicts and staffing per product, findings that appeared and disappeared, and whether
    the rules changed. A finding is the same finding when its heuristic and subject match.
    Four queries, whatever the sizes."""
    products_before, products_after = _products(before), _products(after)
    findings_before, findings_after = _findings(before), _findings(after)
    subjects_before = {key: row for key, row, _ in findings_before} | products_before
    subjects_after = {key: row for key, row, _ in findings_after} | products_after
    same = _same_subjects(subjects_before, subjects_after)
    earlier = {same[key]: row for key, row in products_before.items() if key in same}
    changes = []
    for key in [*products_after, *(k for k in products_before if k not in same)]:
        b = earlier.get(key) if key in products_after else products_before[key]
        a = products_after.get(key)
        name = (a or b).name
        changes.append(
            ProductChange(
                name=name,
                renamed_from=b.name if a and b and b.name != a.name else "",
                verdict_before=b.verdict if b else None,
                verdict_after=a.verdict if a else None,
                recommended_before=b.recommended if b else None,
                recommended_after=a.recommended if a else None,
            )
        )
    found_before = {
        (view.heuristic, same.get(key, ("before", key))): view for key, _, view in findings_before
    }
    found_after = {(view.heuristic, key): view for key, _, view in findings_after}
    return Comparison(
        ruleset_before=before.ruleset.label,
        ruleset_after=after.ruleset.label,
        products=tuple(changes),
        appeared=tuple(v for k, v in found_after.items() if k not in found_before),
        disappeared=tuple(v for k, v in found_before.items() if k not in found_after),
    )
