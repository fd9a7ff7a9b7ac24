"""A stored assessment as the pages show it: plain data built from the stored JSON.

The assessment page renders the document and facts kept with the assessment, so
an old assessment reads as it did on the day, whatever has changed since. Links
to the forms where a missing fact is filled in point at today's organization;
the view supplies them through a `Links` object, so this module needs no
database and no request.

A large organization's document lists thousands of people: the page shows a
summary row per product, then one page of each long list (`ShownRows`), and
builds views and links for the rows shown only.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.paginator import Page, Paginator

from advisor.charts import BarChart, StackedBar, bar_chart, stacked_bar
from advisor.engine.explanations import format_value, operator_symbol
from advisor.engine.vocabulary import (
    PM_PO_ROLES,
    TIME_BUCKETS,
    VERDICT_LABELS,
    VERDICT_MEANINGS,
    VERDICT_PRECEDENCE,
    VERDICTS,
    Role,
    role_label,
)

# The heuristics and parameters whose thresholds the charts draw, with the
# defaults of DOMAIN.md for when the assessment's ruleset does not enable the heuristic.
BACKLOG_LIMIT = ("split-backlog-overload", "max_backlog_share", 40)
SQUADS_LIMIT = ("split-three-plus-squads", "min_squads", 3)

PRODUCTS_PER_PAGE = 10
PEOPLE_PER_PAGE = 20
SQUADS_PER_PAGE = 20
MISSING_FACTS_PER_PAGE = 50
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


def evidence_rows(finding: Mapping[str, Any]) -> tuple[EvidenceRow, ...]:
    """The clauses the heuristic compared; older documents without a trace show their evidence."""
    trace = finding.get("trace")
    if trace is None:
        return tuple(
            EvidenceRow(fact, format_value(fact, value), "", "", "", True)
            for fact, value in finding.get("evidence", {}).items()
        )
    return tuple(
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
            result=bool(clause["result"]),
        )
        for clause in trace
    )


def finding_view(
    finding: Mapping[str, Any], *, scope: str, subject: str, verdict: str = ""
) -> FindingView:
    outcome = finding["outcome"]
    outranked = outcome in VERDICT_PRECEDENCE and verdict != outcome
    return FindingView(
        heuristic=finding["heuristic"],
        name=finding.get("name", ""),
        scope=scope,
        subject=subject,
        outcome=finding["outcome"],
        severity=finding["severity"],
        message=finding["message"],
        evidence=evidence_rows(finding),
        sources=source_refs(finding.get("sources")),
        outranked_by=VERDICT_LABELS.get(verdict, verdict) if outranked and verdict else "",
    )


class Links(Protocol):
    """Today's forms for a subject named in a stored assessment (None: it no longer exists)."""

    def product(self, name: str) -> str | None: ...

    def person(self, name: str) -> str | None: ...

    def squad(self, name: str) -> str | None: ...

    def missing_fact(self, scope: str, subject: str, field: str) -> list[tuple[str, str]]: ...


@dataclass(frozen=True)
class ProductRow:
    """A product's line in the summary: verdict and staffing, and where its card is."""

    number: int
    name: str
    verdict: str
    verdict_label: str
    current: Mapping[str, int]
    recommended: Mapping[str, int]
    finding_count: int
    page: int


@dataclass(frozen=True)
class ProductView:
    # The product's place in the document, from 1: its card's id on every page.
    number: int
    name: str
    url: str | None
    verdict: str
    verdict_label: str
    verdict_meaning: str
    current: Mapping[str, int]
    recommended: Mapping[str, int]
    actions: tuple[str, ...]
    findings: tuple[FindingView, ...]


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


def listed_people(document: Mapping[str, Any]) -> list[tuple[int, Mapping[str, Any]]]:
    """(number, person) of the people the page lists: anyone with a finding first, then the
    other product managers and product owners, each in the document's order."""
    numbered = list(enumerate(document["people"], start=1))
    return [(n, p) for n, p in numbered if p["findings"]] + [
        (n, p) for n, p in numbered if not p["findings"] and p["role"] in PM_PO_ROLES
    ]


@dataclass(frozen=True)
class ShownRows:
    """One page of each long list of a document; the page's rows as (number, row) pairs."""

    products: Page
    people: Page
    squads: Page
    missing_facts: Page

    def document(self) -> dict[str, list[Mapping[str, Any]]]:
        """The shown rows in the document's shape: what the page links to."""
        return {
            "products": [row for _, row in self.products],
            "people": [row for _, row in self.people],
            "squads": [row for _, row in self.squads],
            "missing_facts": list(self.missing_facts),
        }


def shown_rows(
    document: Mapping[str, Any],
    *,
    products_page: Any = None,
    people_page: Any = None,
    squads_page: Any = None,
    missing_page: Any = None,
) -> ShownRows:
    """The page of each list to show; a page number past the end shows the last page."""
    products = list(enumerate(document["products"], start=1))
    squads = [(n, s) for n, s in enumerate(document["squads"], start=1) if s["findings"]]
    return ShownRows(
        products=Paginator(products, PRODUCTS_PER_PAGE).get_page(products_page),
        people=Paginator(listed_people(document), PEOPLE_PER_PAGE).get_page(people_page),
        squads=Paginator(squads, SQUADS_PER_PAGE).get_page(squads_page),
        missing_facts=Paginator(document.get("missing_facts", []), MISSING_FACTS_PER_PAGE).get_page(
            missing_page
        ),
    )


def facts_wanted(document: Mapping[str, Any], shown: ShownRows) -> list[int]:
    """The places (from 0) in the stored facts' people list of the people whose facts the
    page reads: every product manager (the squads chart) and the product managers and
    product owners shown (their time allocation). The facts list people in the order of
    the document, both being written from the same facts."""
    managers = {
        place
        for place, p in enumerate(document["people"])
        if p["role"] == Role.PRODUCT_MANAGER.value
    }
    shown_pm_po = {number - 1 for number, p in shown.people if p["role"] in PM_PO_ROLES}
    return sorted(managers | shown_pm_po)


@dataclass(frozen=True)
class AssessmentPage:
    organization: str
    as_of: str
    ruleset_version: str
    # Every product in a line, and the cards of one page of them.
    product_rows: tuple[ProductRow, ...]
    verdict_counts: list[tuple[str, str, int]]
    products: tuple[ProductView, ...]
    people: tuple[PersonView, ...]
    # How many of the people listed have a finding: they come first.
    people_with_findings: int
    squads: tuple[SquadView, ...]
    missing_facts: tuple[MissingFactView, ...]
    shown: ShownRows
    errors: tuple[str, ...]
    finding_count: int
    backlog_limit: int
    squads_limit: int
    product_manager_count: int
    squads_per_pm: BarChart | None


def stored_threshold(document: Mapping[str, Any], code: str, param: str) -> Any:
    """The parameter a heuristic used on the day, if any of its findings recorded it."""
    for kind in ("products", "people", "squads"):
        for subject in document.get(kind, []):
            for finding in subject.get("findings", []):
                if finding["heuristic"] == code and param in finding.get("thresholds", {}):
                    return finding["thresholds"][param]
    return None


def chart_limit(
    document: Mapping[str, Any], ruleset: Mapping[str, Mapping[str, Any]], limit: tuple
) -> int:
    """A threshold to draw: as the assessment's findings recorded it, else as its ruleset
    version's enabled heuristic set it (`ruleset`: parameters by heuristic code)."""
    code, param, default = limit
    value = stored_threshold(document, code, param)
    if value is None:
        value = ruleset.get(code, {}).get(param, default)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def assessment_page(
    document: Mapping[str, Any],
    facts: Mapping[str, Any],
    links: Links,
    *,
    ruleset_parameters: Mapping[str, Mapping[str, Any]],
    shown: ShownRows | None = None,
) -> AssessmentPage:
    """What the assessment page shows, from the stored document and facts: a summary line
    per product, and the shown page of each list (the first pages by default).

    Of the facts, the page reads the `people` named by `facts_wanted`; the others may be
    left out.
    """
    shown = shown or shown_rows(document)
    backlog_limit = chart_limit(document, ruleset_parameters, BACKLOG_LIMIT)
    squads_limit = chart_limit(document, ruleset_parameters, SQUADS_LIMIT)

    product_rows = tuple(
        ProductRow(
            number=number,
            name=p["name"],
            verdict=p["verdict"],
            verdict_label=VERDICT_LABELS.get(p["verdict"], p["verdict"]),
            current=p["current"],
            recommended=p["recommended"],
            finding_count=len(p["findings"]),
            page=(number - 1) // PRODUCTS_PER_PAGE + 1,
        )
        for number, p in enumerate(document["products"], start=1)
    )
    products = tuple(
        ProductView(
            number=number,
            name=p["name"],
            url=links.product(p["name"]),
            verdict=p["verdict"],
            verdict_label=VERDICT_LABELS.get(p["verdict"], p["verdict"]),
            verdict_meaning=VERDICT_MEANINGS.get(p["verdict"], ""),
            current=p["current"],
            recommended=p["recommended"],
            actions=tuple(p["actions"]),
            findings=tuple(
                finding_view(f, scope="product", subject=p["name"], verdict=p["verdict"])
                for f in p["findings"]
            ),
        )
        for number, p in shown.products
    )

    pm_squads = squads_per_pm(facts)
    shown_names = {p["name"] for _, p in shown.people}
    person_facts = {
        p["name"]: p.get("facts", {}) for p in facts.get("people", []) if p["name"] in shown_names
    }
    people = tuple(
        PersonView(
            number=number,
            name=p["name"],
            url=links.person(p["name"]),
            role=p["role"],
            role_label=role_label(p["role"]),
            scope_role_label=role_label(p["scope_role"]),
            votes=tuple(
                VoteView(
                    fact=v["fact"],
                    value=format_value(v["fact"], v["value"]),
                    vote=role_label(v["vote"]) if v["vote"] else "no vote",
                    reason=v["reason"],
                )
                for v in p.get("scope_votes", [])
            ),
            findings=tuple(
                finding_view(f, scope="person", subject=p["name"]) for f in p["findings"]
            ),
            allocation=allocation_bar(p, person_facts.get(p["name"], {}), limit=backlog_limit),
        )
        for number, p in shown.people
    )

    squads = tuple(
        SquadView(
            number=number,
            name=s["name"],
            url=links.squad(s["name"]),
            findings=tuple(
                finding_view(f, scope="squad", subject=s["name"]) for f in s["findings"]
            ),
        )
        for number, s in shown.squads
    )

    missing = tuple(
        MissingFactView(
            scope=m["scope"],
            subject=m["subject"],
            fact=m["fact"],
            field=m["field"],
            meaning=m.get("meaning", ""),
            links=tuple(links.missing_fact(m["scope"], m["subject"], m["field"])),
        )
        for m in shown.missing_facts
    )

    return AssessmentPage(
        organization=document["organization"],
        as_of=document["as_of"],
        ruleset_version=document["ruleset_version"],
        product_rows=product_rows,
        verdict_counts=verdict_summary({p["name"]: p["verdict"] for p in document["products"]}),
        products=products,
        people=people,
        people_with_findings=sum(1 for p in document["people"] if p["findings"]),
        squads=squads,
        missing_facts=missing,
        shown=shown,
        errors=tuple(document.get("errors", [])),
        finding_count=count_findings(document),
        backlog_limit=backlog_limit,
        squads_limit=squads_limit,
        product_manager_count=len(pm_squads),
        squads_per_pm=squads_per_pm_chart(pm_squads, limit=squads_limit),
    )


def allocation_bar(
    person: Mapping[str, Any], shares: Mapping[str, Any], *, limit: int
) -> StackedBar | None:
    """A product manager's or product owner's time shares against the backlog limit."""
    if person["role"] not in PM_PO_ROLES or not shares:
        return None
    return stacked_bar({b: shares.get(f"{b}_share") for b in TIME_BUCKETS}, limit=limit)


def count_findings(document: Mapping[str, Any]) -> int:
    return sum(
        len(subject["findings"])
        for kind in ("products", "people", "squads")
        for subject in document.get(kind, [])
    )


def squads_per_pm(facts: Mapping[str, Any]) -> list[tuple[str, int]]:
    """(name, squads served) of each product manager, in the order of the facts."""
    return [
        (p["name"], int(p["facts"].get("squads_served") or 0))
        for p in facts.get("people", [])
        if p.get("facts", {}).get("role") == Role.PRODUCT_MANAGER
    ]


def squads_per_pm_chart(
    rows: list[tuple[str, int]], *, limit: int, most: int = CHARTED_PRODUCT_MANAGERS
) -> BarChart | None:
    """Each product manager's squads served, against the split threshold; None without PMs.

    With more than `most` product managers, the `most` serving the most squads, busiest
    first: the threshold is about them, and a bar for each of hundreds would not be read.
    """
    if len(rows) > most:
        rows = sorted(rows, key=lambda row: (-row[1], row[0]))[:most]
    return bar_chart(rows, limit=limit) if rows else None


# --- Comparing two assessments ---------------------------------------------------


@dataclass(frozen=True)
class ProductChange:
    name: str
    verdict_before: str | None
    verdict_after: str | None
    recommended_before: Mapping[str, int] | None
    recommended_after: Mapping[str, int] | None

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


def _findings_by_key(document: Mapping[str, Any]) -> dict[tuple[str, str, str], FindingView]:
    found = {}
    for kind, scope in (("products", "product"), ("people", "person"), ("squads", "squad")):
        for subject in document.get(kind, []):
            for f in subject["findings"]:
                view = finding_view(f, scope=scope, subject=subject["name"])
                found[(f["heuristic"], scope, subject["name"])] = view
    return found


def _in_order(keys: Iterable[str], *more: Iterable[str]) -> list[str]:
    seen: dict[str, None] = dict.fromkeys(keys)
    for extra in more:
        seen.update(dict.fromkeys(extra))
    return list(seen)


def compare_documents(before: Mapping[str, Any], after: Mapping[str, Any]) -> Comparison:
    """What changed from one assessment to the next: verdicts, staffing, findings, rules.

    A finding is the same finding when its heuristic code, scope and subject match.
    """
    products_before = {p["name"]: p for p in before["products"]}
    products_after = {p["name"]: p for p in after["products"]}
    changes = []
    for name in _in_order(products_after, products_before):
        b, a = products_before.get(name), products_after.get(name)
        changes.append(
            ProductChange(
                name=name,
                verdict_before=b["verdict"] if b else None,
                verdict_after=a["verdict"] if a else None,
                recommended_before=b["recommended"] if b else None,
                recommended_after=a["recommended"] if a else None,
            )
        )
    found_before, found_after = _findings_by_key(before), _findings_by_key(after)
    return Comparison(
        ruleset_before=before["ruleset_version"],
        ruleset_after=after["ruleset_version"],
        products=tuple(changes),
        appeared=tuple(v for k, v in found_after.items() if k not in found_before),
        disappeared=tuple(v for k, v in found_before.items() if k not in found_after),
    )


def verdict_summary(verdicts: Mapping[str, str]) -> list[tuple[str, str, int]]:
    """(verdict, label, count) for each verdict present, highest first."""
    counts = {v: 0 for v in VERDICTS}
    for verdict in verdicts.values():
        counts[verdict] = counts.get(verdict, 0) + 1
    return [(v, VERDICT_LABELS.get(v, v), n) for v, n in counts.items() if n]
