"""A stored assessment as the pages show it, read from its rows.

An assessment keeps a row per product, person and squad it assessed and per finding
(advisor.recording), so an old assessment reads as it did on the day whatever has
changed since. The assessment page reads the rows of the page of each list it shows,
and counts the rest in the database: its cost does not grow with the organization.
Links to today's forms come from a `Links` object built for the rows shown (the
subjects' ids, advisor.links): a subject deleted since is shown without a link.
"""

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When

from advisor.charts import BarChart, StackedBar, bar_chart, stacked_bar
from advisor.engine.explanations import GROUP_WORDS, evidence_outline, format_value, operator_symbol
from advisor.engine.facts import not_entered
from advisor.engine.sensitivity import change_in_words
from advisor.engine.vocabulary import (
    PM_PO_ROLES,
    TIME_BUCKETS,
    VERDICT_LABELS,
    VERDICT_MEANINGS,
    VERDICT_PRECEDENCE,
    VERDICTS,
    Role,
    Scope,
    role_label,
)
from advisor.models import AssessedFinding, AssessedSubject, Assessment
from advisor.rulesets import parsed_ruleset

# The heuristics and parameters whose thresholds the charts draw, with the
# defaults of DOMAIN.md for when the assessment's ruleset does not enable the heuristic.
BACKLOG_LIMIT = ("split-backlog-overload", "max_backlog_share", 40)
SQUADS_LIMIT = ("split-three-plus-squads", "min_squads", 3)

PRODUCTS_PER_PAGE = 10
PEOPLE_PER_PAGE = 20
SQUADS_PER_PAGE = 20
# Subjects with unknown facts a page; each has at most a handful.
MISSING_SUBJECTS_PER_PAGE = 25
# Bars of the squads-per-product-manager chart; beyond, the busiest are drawn.
CHARTED_PRODUCT_MANAGERS = 30


@dataclass(frozen=True)
class SourceRef:
    title: str
    quote: str
    link: str = ""


def source_refs(sources: Any) -> tuple[SourceRef, ...]:
    """A finding's or heuristic's structured sources ({title, quote, link}) as the pages show
    them; what is not such a source is left out."""
    if not isinstance(sources, list | tuple):
        return ()
    return tuple(
        SourceRef(s["title"], s["quote"], s.get("link") or "")
        for s in sources
        if isinstance(s, Mapping)
        and isinstance(s.get("title"), str)
        and isinstance(s.get("quote"), str)
    )


@dataclass(frozen=True)
class EvidenceRow:
    fact: str
    value: str
    op: str
    threshold: str
    param: str
    result: bool
    # Its place in the condition's all/any groups: 0 at the top. A group's heading row has
    # `group` ("all of these", "any one of these") and no fact.
    depth: int = 0
    group: str = ""


@dataclass(frozen=True)
class FindingView:
    heuristic: str
    name: str
    scope: str
    subject: str
    outcome: str
    severity: str
    message: str
    evidence: tuple[EvidenceRow, ...]
    sources: tuple[SourceRef, ...]
    # A product finding whose outcome a higher-ranking verdict overrode.
    outranked_by: str = ""
    # The stored finding's id: what a decision on it is posted to (advisor.decisions).
    pk: int | None = None
    outranked: bool = False


def evidence_rows(
    trace: Sequence[Mapping[str, Any]] | None, evidence: Mapping[str, Any]
) -> tuple[EvidenceRow, ...]:
    """The clauses the heuristic compared; findings kept without a trace show their evidence."""
    if not trace:
        return tuple(
            EvidenceRow(fact, format_value(fact, value), "", "", "", True)
            for fact, value in evidence.items()
        )
    rows = []
    for depth, kind, clause, holds in evidence_outline(list(trace)):
        if clause is None:
            rows.append(EvidenceRow("", "", "", "", "", holds, depth, GROUP_WORDS[kind]))
            continue
        rows.append(
            EvidenceRow(
                fact=clause["fact"],
                value=format_value(clause["fact"], clause["value"]),
                op=operator_symbol(clause["op"]),
                threshold=(
                    ""
                    if clause["op"] in ("is_unknown", "is_known")
                    else format_value(clause["fact"], clause["threshold"])
                ),
                param=clause.get("param") or "",
                result=holds,
                depth=depth,
            )
        )
    return tuple(rows)


def finding_view(
    finding: AssessedFinding, *, scope: str, subject: str, verdict: str = ""
) -> FindingView:
    outranked = finding.outranked or (
        finding.outcome in VERDICT_PRECEDENCE and bool(verdict) and verdict != finding.outcome
    )
    return FindingView(
        heuristic=finding.heuristic,
        name=finding.name,
        scope=scope,
        subject=subject,
        outcome=finding.outcome,
        severity=finding.severity,
        message=finding.message,
        evidence=evidence_rows(finding.trace, finding.evidence or {}),
        sources=source_refs(finding.sources),
        outranked_by=VERDICT_LABELS.get(verdict, verdict) if outranked and verdict else "",
        pk=finding.pk,
        outranked=outranked,
    )


def finding_of(finding: AssessedFinding) -> FindingView:
    """A finding read with its subject (select_related), as its subject's card shows it."""
    subject = finding.subject
    verdict = subject.verdict if subject.scope == Scope.PRODUCT else ""
    return finding_view(finding, scope=subject.scope, subject=subject.name, verdict=verdict)


class Links(Protocol):
    """Today's forms for the subjects of a stored assessment, by the id they had (None: the
    subject no longer exists, or the reader may not edit)."""

    def product(self, pk: int | None) -> str | None: ...

    def person(self, pk: int | None) -> str | None: ...

    def squad(self, pk: int | None) -> str | None: ...

    def missing_fact(self, subject: AssessedSubject, field: str) -> list[tuple[str, str]]: ...


@dataclass(frozen=True)
class ProductRow:
    """A product's line in the summary: verdict and staffing."""

    number: int
    name: str
    verdict: str
    verdict_label: str
    current: Mapping[str, int | None]
    recommended: Mapping[str, int | None]
    finding_count: int


@dataclass(frozen=True)
class ProductView:
    # The product's place in the assessment, from 1: its card's id on every page.
    number: int
    name: str
    url: str | None
    verdict: str
    verdict_label: str
    verdict_meaning: str
    current: Mapping[str, int | None]
    recommended: Mapping[str, int | None]
    actions: tuple[str, ...]
    findings: tuple[FindingView, ...]
    hires: tuple[Mapping[str, Any], ...] = ()
    # (words, the entry, one step from the threshold) for each what_would_change entry.
    changes: tuple[tuple[str, Mapping[str, Any], bool], ...] = ()
    nearest_misses: tuple[str, ...] = ()

    @property
    def close(self) -> bool:
        """Whether some change of one step would change the verdict."""
        return any(step for _, _, step in self.changes)

    @property
    def counts_retitles(self) -> bool:
        """Whether "now" counts someone as the role a retitle gives them."""
        return any(action.startswith("retitle ") for action in self.actions)


@dataclass(frozen=True)
class VoteView:
    fact: str
    value: str
    vote: str
    reason: str


@dataclass(frozen=True)
class PersonView:
    number: int
    name: str
    url: str | None
    role: str
    role_label: str
    scope_role_label: str
    votes: tuple[VoteView, ...]
    findings: tuple[FindingView, ...]
    allocation: StackedBar | None


@dataclass(frozen=True)
class SquadView:
    number: int
    name: str
    url: str | None
    findings: tuple[FindingView, ...]


@dataclass(frozen=True)
class MissingFactView:
    scope: str
    subject: str
    fact: str
    field: str
    meaning: str
    links: tuple[tuple[str, str], ...]
    # In plain words: "Haze: markets not entered".
    text: str = ""


def listed_people(assessment: Assessment):
    """The people the page lists: anyone with a finding first, then the other product managers
    and product owners, each in the assessment's order."""
    return assessment.subjects.filter(LISTED_PEOPLE).order_by(
        Case(When(finding_count__gt=0, then=Value(0)), default=Value(1)),
        "position",
    )


@dataclass(frozen=True)
class ShownRows:
    """One page of each long list of an assessment, as AssessedSubject rows."""

    products: Page
    people: Page
    squads: Page
    missing_facts: Page
    counts: Mapping[str, int]

    def subjects(self) -> list[AssessedSubject]:
        return [*self.products, *self.people, *self.squads, *self.missing_facts]


class CountedPaginator(Paginator):
    """A paginator told its count, so that one query counts every list of a page."""

    def __init__(self, rows: Any, per_page: int, count: int) -> None:
        super().__init__(rows, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached property


def _page(rows: Any, per_page: int, number: Any, count: int) -> Page:
    page = CountedPaginator(rows, per_page, count).get_page(number)
    page.object_list = list(page.object_list)
    return page


PRODUCTS = Q(scope=Scope.PRODUCT)
LISTED_PEOPLE = Q(scope=Scope.PERSON) & (Q(finding_count__gt=0) | Q(role__in=PM_PO_ROLES))
SQUADS_WITH_FINDINGS = Q(scope=Scope.SQUAD, finding_count__gt=0)
WITH_MISSING_FACTS = Q(missing_count__gt=0)


def subject_counts(assessment: Assessment) -> dict[str, int]:
    """Everything the assessment page counts, in one query: each list's length, the people
    with findings, the product managers, the missing facts and the products by verdict
    (`verdict:split`, ...)."""
    counts = assessment.subjects.aggregate(
        products=Count("pk", filter=PRODUCTS),
        people=Count("pk", filter=LISTED_PEOPLE),
        squads=Count("pk", filter=SQUADS_WITH_FINDINGS),
        missing_subjects=Count("pk", filter=WITH_MISSING_FACTS),
        missing_facts=Sum("missing_count"),
        people_with_findings=Count("pk", filter=Q(scope=Scope.PERSON, finding_count__gt=0)),
        product_managers=Count("pk", filter=Q(scope=Scope.PERSON, role=Role.PRODUCT_MANAGER)),
        **{f"verdict:{v}": Count("pk", filter=PRODUCTS & Q(verdict=v)) for v in VERDICTS},
    )
    return {key: value or 0 for key, value in counts.items()}


def shown_rows(
    assessment: Assessment,
    *,
    products_page: Any = None,
    people_page: Any = None,
    squads_page: Any = None,
    missing_page: Any = None,
    counts: Mapping[str, int] | None = None,
) -> ShownRows:
    """The page of each list to show; a page number past the end shows the last page.
    One query a list, once `counts` (subject_counts) has counted them."""
    counts = counts if counts is not None else subject_counts(assessment)
    subjects = assessment.subjects.all()
    return ShownRows(
        products=_page(
            subjects.filter(PRODUCTS).defer("facts").order_by("position"),
            PRODUCTS_PER_PAGE,
            products_page,
            counts["products"],
        ),
        people=_page(listed_people(assessment), PEOPLE_PER_PAGE, people_page, counts["people"]),
        squads=_page(
            subjects.filter(SQUADS_WITH_FINDINGS).defer("facts").order_by("position"),
            SQUADS_PER_PAGE,
            squads_page,
            counts["squads"],
        ),
        missing_facts=_page(
            subjects.filter(WITH_MISSING_FACTS)
            .defer("facts")
            .order_by(
                Case(
                    *(When(scope=s, then=Value(i)) for i, s in enumerate(Scope)),
                    output_field=IntegerField(),
                ),
                "position",
            ),
            MISSING_SUBJECTS_PER_PAGE,
            missing_page,
            counts["missing_subjects"],
        ),
        counts=counts,
    )


def findings_of(subjects: Iterable[AssessedSubject]) -> dict[int, list[AssessedFinding]]:
    """Subject id → its findings in order, in one query."""
    found: dict[int, list[AssessedFinding]] = defaultdict(list)
    ids = {s.pk for s in subjects}
    if ids:
        for finding in AssessedFinding.objects.filter(subject_id__in=ids).order_by(
            "subject_id", "position"
        ):
            found[finding.subject_id].append(finding)
    return found


@dataclass(frozen=True)
class AssessmentPage:
    organization: str
    as_of: str
    ruleset_version: str
    # The summary lines and the cards of the shown page of products.
    product_rows: tuple[ProductRow, ...]
    verdict_counts: list[tuple[str, str, int]]
    product_count: int
    products: tuple[ProductView, ...]
    people: tuple[PersonView, ...]
    # How many of the people listed have a finding: they come first.
    people_with_findings: int
    squads: tuple[SquadView, ...]
    missing_facts: tuple[MissingFactView, ...]
    missing_fact_count: int
    shown: ShownRows
    errors: tuple[str, ...]
    finding_count: int
    backlog_limit: int
    squads_limit: int
    product_manager_count: int
    squads_per_pm: BarChart | None


def chart_limit(assessment: Assessment, ruleset: Callable[[], Mapping], limit: tuple) -> int:
    """A threshold to draw: as the assessment's ruleset version's enabled heuristic set it
    (`ruleset()`: parameters by heuristic code). A version rebuilt by a migration holds the
    rules of the migration's day, so there the threshold a finding recorded comes first."""
    code, param, default = limit
    value = None
    if assessment.ruleset.rebuilt:
        recorded = (
            AssessedFinding.objects.filter(assessment=assessment, heuristic=code)
            .values_list("thresholds", flat=True)
            .first()
        )
        value = (recorded or {}).get(param)
    if value is None:
        value = ruleset().get(code, {}).get(param, default)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def ruleset_parameters(assessment: Assessment) -> dict[str, dict]:
    """The parameters of each enabled heuristic of the version the assessment used: the
    thresholds its charts draw, whatever the rules are today."""
    return {
        spec.code: dict(spec.parameters)
        for spec in parsed_ruleset(assessment.ruleset).heuristics
        if spec.enabled and isinstance(spec.parameters, dict)
    }


def assessment_page(
    assessment: Assessment,
    links_for: Callable[[ShownRows], Links],
    *,
    shown: ShownRows | None = None,
) -> AssessmentPage:
    """What the assessment page shows: the verdicts counted, and the shown page of each list
    (the first pages by default), in a fixed number of queries."""
    shown = shown or shown_rows(assessment)
    links = links_for(shown)

    @functools.cache
    def ruleset() -> Mapping:
        return ruleset_parameters(assessment)

    backlog_limit = chart_limit(assessment, ruleset, BACKLOG_LIMIT)
    squads_limit = chart_limit(assessment, ruleset, SQUADS_LIMIT)
    found = findings_of([*shown.products, *shown.people, *shown.squads])
    counts = shown.counts

    product_rows = tuple(product_row(p) for p in shown.products)
    products = tuple(
        ProductView(
            number=p.position,
            name=p.name,
            url=links.product(p.product_id),
            verdict=p.verdict,
            verdict_label=VERDICT_LABELS.get(p.verdict, p.verdict),
            verdict_meaning=VERDICT_MEANINGS.get(p.verdict, ""),
            current=p.current,
            recommended=p.recommended,
            actions=tuple(p.actions),
            findings=tuple(
                finding_view(f, scope="product", subject=p.name, verdict=p.verdict)
                for f in found[p.pk]
            ),
            hires=tuple(p.hires),
            changes=changes_of(p.what_would_change),
            nearest_misses=tuple(p.nearest_misses),
        )
        for p in shown.products
    )
    people = tuple(
        PersonView(
            number=p.position,
            name=p.name,
            url=links.person(p.person_id),
            role=p.role,
            role_label=role_label(p.role),
            scope_role_label=role_label(p.scope_role or None),
            votes=tuple(
                VoteView(
                    fact=v["fact"],
                    value=format_value(v["fact"], v["value"]),
                    vote=role_label(v["vote"]) if v["vote"] else "no vote",
                    reason=v["reason"],
                )
                for v in p.votes
            ),
            findings=tuple(finding_view(f, scope="person", subject=p.name) for f in found[p.pk]),
            allocation=allocation_bar(p.role, p.facts, limit=backlog_limit),
        )
        for p in shown.people
    )
    squads = tuple(
        SquadView(
            number=s.position,
            name=s.name,
            url=links.squad(s.squad_id),
            findings=tuple(finding_view(f, scope="squad", subject=s.name) for f in found[s.pk]),
        )
        for s in shown.squads
    )
    missing = tuple(
        MissingFactView(
            scope=s.scope,
            subject=s.name,
            fact=m["fact"],
            field=m["field"],
            meaning=m.get("meaning", ""),
            links=tuple(links.missing_fact(s, m["field"])),
            text=m.get("text") or not_entered(s.name, m["field"]),
        )
        for s in shown.missing_facts
        for m in s.missing_facts
    )
    pm_count = counts["product_managers"]
    return AssessmentPage(
        organization=assessment.organization.name,
        as_of=assessment.as_of.isoformat(),
        ruleset_version=assessment.ruleset.label,
        product_rows=product_rows,
        verdict_counts=verdict_summary(
            {v: counts[f"verdict:{v}"] for v in VERDICTS if counts[f"verdict:{v}"]}
        ),
        product_count=shown.products.paginator.count,
        products=products,
        people=people,
        people_with_findings=counts["people_with_findings"],
        squads=squads,
        missing_facts=missing,
        missing_fact_count=counts["missing_facts"],
        shown=shown,
        errors=tuple(assessment.errors),
        finding_count=assessment.finding_count,
        backlog_limit=backlog_limit,
        squads_limit=squads_limit,
        product_manager_count=pm_count,
        squads_per_pm=squads_per_pm_chart(squads_per_pm(assessment, pm_count), limit=squads_limit),
    )


def product_row(subject: AssessedSubject) -> ProductRow:
    """A product's line of the summary: its verdict and staffing now and recommended."""
    return ProductRow(
        number=subject.position,
        name=subject.name,
        verdict=subject.verdict,
        verdict_label=VERDICT_LABELS.get(subject.verdict, subject.verdict),
        current=subject.current,
        recommended=subject.recommended,
        finding_count=subject.finding_count,
    )


def changes_of(entries: Any) -> tuple[tuple[str, Mapping[str, Any], bool], ...]:
    """A product's what_would_change entries in words, each marked when one step away."""
    shown = []
    for entry in entries or ():
        if not isinstance(entry, Mapping):
            continue
        step = False
        if isinstance(entry.get("to"), int | float) and isinstance(entry.get("from"), int | float):
            step = abs(entry["to"] - entry["from"]) <= 1
        shown.append((change_in_words(entry), entry, step))
    return tuple(shown)


def allocation_bar(role: str, shares: Mapping[str, Any], *, limit: int) -> StackedBar | None:
    """A product manager's or product owner's time shares, against the limit of their role.

    The backlog limit (`max_backlog_share`) is the product manager's: past it the backlog
    crowds out strategy. A product owner's job is the backlog, so no limit applies to
    their time and their bar has no line (docs/advice-pages.md). Time never entered is
    a bar marked "not entered"."""
    if role not in PM_PO_ROLES or not shares:
        return None
    return stacked_bar(
        {b: shares.get(f"{b}_share") for b in TIME_BUCKETS},
        limit=limit if role == Role.PRODUCT_MANAGER else None,
    )


def squads_per_pm(
    assessment: Assessment, pm_count: int, *, most: int = CHARTED_PRODUCT_MANAGERS
) -> list[tuple[str, int]]:
    """(name, squads served) of each product manager in the assessment's order; with more
    than `most`, the `most` serving the most squads, busiest first: the threshold is about
    them, and a bar for each of hundreds would not be read. One query."""
    managers = assessment.subjects.filter(scope=Scope.PERSON, role=Role.PRODUCT_MANAGER)
    if pm_count > most:
        managers = managers.order_by(F("squads_served").desc(nulls_last=True), "name")[:most]
    else:
        managers = managers.order_by("position")
    return [(name, served or 0) for name, served in managers.values_list("name", "squads_served")]


def squads_per_pm_chart(rows: list[tuple[str, int]], *, limit: int) -> BarChart | None:
    """Each product manager's squads served, against the split threshold; None without PMs."""
    return bar_chart(rows, limit=limit) if rows else None


def verdict_counts(assessment_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Assessment id → verdict → how many products got it, in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        AssessedSubject.objects.filter(assessment_id__in=list(assessment_ids), scope=Scope.PRODUCT)
        .order_by()
        .values_list("assessment_id", "verdict")
        .annotate(n=Count("pk"))
    )
    for assessment_id, verdict, n in rows:
        counts[assessment_id][verdict] = n
    return counts


def verdict_summary(counts: Mapping[str, int]) -> list[tuple[str, str, int]]:
    """(verdict, label, count) for each verdict present, highest first."""
    ordered = {v: counts.get(v, 0) for v in VERDICTS} | dict(counts)
    return [(v, VERDICT_LABELS.get(v, v), n) for v, n in ordered.items() if n]
