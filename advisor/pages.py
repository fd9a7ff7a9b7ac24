"""A stored assessment as the pages show it: plain data built from the stored JSON.

The assessment page renders the document and facts kept with the assessment, so
an old assessment reads as it did on the day, whatever has changed since. Links
to the forms where a missing fact is filled in point at today's organization;
the view supplies them through a `Links` object, so this module needs no
database and no request.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from advisor.charts import BarChart, StackedBar, bar_chart, stacked_bar
from advisor.describe import operator_symbol
from advisor.engine import VERDICT_PRECEDENCE, VERDICTS, format_value
from orgs.models import TIME_BUCKETS, Role

VERDICT_LABELS = {
    "pm_only": "PM only",
    "split": "Split",
    "merge": "Merge",
    "keep": "Keep",
}
VERDICT_MEANINGS = {
    "pm_only": "No product owner needed: the product manager covers the role.",
    "split": "Split the roles: a product manager, and a product owner per Scrum squad.",
    "merge": "Merge the roles: one product manager who also owns the backlog.",
    "keep": "Keep the current staffing: no heuristic calls for a change.",
}
PM_PO_ROLES = (Role.PRODUCT_MANAGER.value, Role.PRODUCT_OWNER.value)
# The heuristics and parameters whose thresholds the charts draw, with the
# defaults of DOMAIN.md for when the heuristic is not enabled.
BACKLOG_LIMIT = ("split-backlog-overload", "max_backlog_share", 40)
SQUADS_LIMIT = ("split-three-plus-squads", "min_squads", 3)

_SOURCE_FILE = re.compile(r"(?:^|;\s*)([\w.-]+\.txt):\s*")


def role_label(role: str | None) -> str:
    if role is None:
        return "unknown"
    return Role(role).label if role in Role.values else role


@dataclass(frozen=True)
class SourceRef:
    file: str
    quote: str


def parse_sources(text: str) -> tuple[SourceRef, ...]:
    """`a.txt: "quote"; b.txt: words` as (file, quote) pairs; text naming no file is one quote."""
    text = (text or "").strip()
    matches = list(_SOURCE_FILE.finditer(text))
    if not matches:
        return (SourceRef("", text),) if text else ()
    refs = []
    if matches[0].start() > 0:
        refs.append(SourceRef("", text[: matches[0].start()].strip()))
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(text)
        quote = text[match.end() : end].strip()
        if len(quote) >= 2 and quote[0] == quote[-1] == '"':
            quote = quote[1:-1]
        refs.append(SourceRef(match.group(1), quote))
    return tuple(refs)


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
        sources=parse_sources(finding.get("source", "")),
        outranked_by=VERDICT_LABELS.get(verdict, verdict) if outranked and verdict else "",
    )


class Links(Protocol):
    """Today's forms for a subject named in a stored assessment (None: it no longer exists)."""

    def product(self, name: str) -> str | None: ...

    def person(self, name: str) -> str | None: ...

    def squad(self, name: str) -> str | None: ...

    def missing_fact(self, scope: str, subject: str, field: str) -> list[tuple[str, str]]: ...


@dataclass(frozen=True)
class ProductView:
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


@dataclass(frozen=True)
class AssessmentPage:
    organization: str
    as_of: str
    ruleset_version: str
    products: tuple[ProductView, ...]
    people: tuple[PersonView, ...]
    squads: tuple[SquadView, ...]
    missing_facts: tuple[MissingFactView, ...]
    errors: tuple[str, ...]
    finding_count: int
    backlog_limit: int
    squads_limit: int
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
    document: Mapping[str, Any], current: Mapping[str, Mapping[str, Any]], limit: tuple
) -> int:
    """A threshold to draw: as the assessment recorded it, else today's enabled heuristic's."""
    code, param, default = limit
    value = stored_threshold(document, code, param)
    if value is None:
        value = current.get(code, {}).get(param, default)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


def assessment_page(
    document: Mapping[str, Any],
    facts: Mapping[str, Any],
    links: Links,
    *,
    current_parameters: Mapping[str, Mapping[str, Any]],
) -> AssessmentPage:
    """Everything the assessment page shows, from the stored document and facts."""
    backlog_limit = chart_limit(document, current_parameters, BACKLOG_LIMIT)
    squads_limit = chart_limit(document, current_parameters, SQUADS_LIMIT)

    products = tuple(
        ProductView(
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
        for p in document["products"]
    )

    person_facts = {p["name"]: p.get("facts", {}) for p in facts.get("people", [])}
    people = []
    for p in document["people"]:
        if not (p["findings"] or p["role"] in PM_PO_ROLES):
            continue
        shares = person_facts.get(p["name"], {})
        people.append(
            PersonView(
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
                allocation=(
                    stacked_bar(
                        {b: shares.get(f"{b}_share") for b in TIME_BUCKETS}, limit=backlog_limit
                    )
                    if p["role"] in PM_PO_ROLES and shares
                    else None
                ),
            )
        )

    squads = tuple(
        SquadView(
            name=s["name"],
            url=links.squad(s["name"]),
            findings=tuple(
                finding_view(f, scope="squad", subject=s["name"]) for f in s["findings"]
            ),
        )
        for s in document["squads"]
        if s["findings"]
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
        for m in document.get("missing_facts", [])
    )

    return AssessmentPage(
        organization=document["organization"],
        as_of=document["as_of"],
        ruleset_version=document["ruleset_version"],
        products=products,
        people=tuple(people),
        squads=squads,
        missing_facts=missing,
        errors=tuple(document.get("errors", [])),
        finding_count=count_findings(document),
        backlog_limit=backlog_limit,
        squads_limit=squads_limit,
        squads_per_pm=squads_per_pm_chart(facts, limit=squads_limit),
    )


def count_findings(document: Mapping[str, Any]) -> int:
    return sum(
        len(subject["findings"])
        for kind in ("products", "people", "squads")
        for subject in document.get(kind, [])
    )


def squads_per_pm_chart(facts: Mapping[str, Any], *, limit: int) -> BarChart | None:
    """Each product manager's squads served, against the split threshold; None without PMs."""
    rows = [
        (p["name"], int(p["facts"].get("squads_served") or 0))
        for p in facts.get("people", [])
        if p.get("facts", {}).get("role") == Role.PRODUCT_MANAGER
    ]
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
