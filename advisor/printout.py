"""An assessment to take out: every product, person and squad with findings in one document,
for the print layout and the Markdown download (docs/advice-pages.md, "Taking it out").

Four queries whatever the assessment's size (products, people and squads with findings,
their findings, the missing facts counted); the document grows with the assessment, as a
printout must.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, Sum

from advisor.engine.vocabulary import VERDICT_MEANINGS, Scope, outcome_label
from advisor.models import Assessment
from advisor.presenters import (
    FindingView,
    ProductRow,
    finding_view,
    findings_of,
    product_row,
    verdict_summary,
)


@dataclass(frozen=True)
class PrintedProduct:
    row: ProductRow
    meaning: str
    actions: tuple[str, ...]
    findings: tuple[FindingView, ...]


@dataclass(frozen=True)
class PrintedSubject:
    scope: str
    name: str
    findings: tuple[FindingView, ...]


@dataclass(frozen=True)
class Printout:
    organization: str
    assessment: Assessment
    verdict_counts: list[tuple[str, str, int]]
    products: tuple[PrintedProduct, ...]
    others: tuple[PrintedSubject, ...]  # people, then squads, with findings
    missing_fact_count: int


def printout(assessment: Assessment) -> Printout:
    subjects = list(
        assessment.subjects.filter(
            Q(scope=Scope.PRODUCT) | Q(scope__in=[Scope.PERSON, Scope.SQUAD], finding_count__gt=0)
        )
        .defer("facts", "votes")
        .order_by("scope", "position")
    )
    found = findings_of(s for s in subjects if s.finding_count)
    products, others, counts = [], [], {}
    for s in subjects:
        if s.scope == Scope.PRODUCT:
            counts[s.verdict] = counts.get(s.verdict, 0) + 1
            products.append(
                PrintedProduct(
                    row=product_row(s),
                    meaning=VERDICT_MEANINGS.get(s.verdict, ""),
                    actions=tuple(s.actions),
                    findings=tuple(
                        finding_view(f, scope=s.scope, subject=s.name, verdict=s.verdict)
                        for f in found[s.pk]
                    ),
                )
            )
        else:
            others.append(
                PrintedSubject(
                    s.scope,
                    s.name,
                    tuple(finding_view(f, scope=s.scope, subject=s.name) for f in found[s.pk]),
                )
            )
    # People before squads, each in the assessment's order.
    others.sort(key=lambda o: o.scope != Scope.PERSON)
    missing = assessment.subjects.aggregate(n=Sum("missing_count"))["n"] or 0
    return Printout(
        organization=assessment.organization.name,
        assessment=assessment,
        verdict_counts=verdict_summary(counts),
        products=tuple(products),
        others=tuple(others),
        missing_fact_count=missing,
    )


# Characters that mean something to Markdown inside a line of text (user text never starts
# a line here: it follows "# ", "- " or "| ", so ".", "-", "+" and "#" stay as they are and
# the text reads as typed).
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~&])")


def md(text: object) -> str:
    """User text as literal Markdown: every character Markdown reads escaped, line breaks
    made spaces, so a name can never become a heading, a link, a table cell or HTML."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))


def _staffing(value: int | None) -> str:
    return "?" if value is None else str(value)


def _findings(findings: Iterable[FindingView]) -> list[str]:
    lines = []
    for f in findings:
        outranked = ""
        if f.outranked_by:
            outranked = f" (outranked: the verdict is {f.outranked_by.lower()})"
        lines.append(
            f"- **{md(f.name or f.heuristic)}** ({md(outcome_label(f.outcome))}, "
            f"{md(f.severity)}{md(outranked)}): {md(f.message)}"
        )
        if f.evidence:
            # Nested as the condition's all/any groups are, each row with whether it held.
            lines.append("  - Evidence:")
        for e in f.evidence:
            indent = "    " + "  " * e.depth
            held = "✓" if e.result else "✗"
            if e.group:
                lines.append(f"{indent}- {md(e.group)} {held}")
                continue
            compared = f" {md(e.op)} {md(e.threshold)}" if e.op else ""
            lines.append(f"{indent}- `{e.fact}` {md(e.value)}{compared} {held}")
        for source in f.sources:
            lines.append(f"  - Source: *{md(source.title)}*: “{md(source.quote)}”")
    return lines


def to_markdown(doc: Printout, *, url: str = "") -> str:
    """The assessment as Markdown that reads well pasted into a document."""
    a = doc.assessment
    out = [
        f"# Team-structure advice for {md(doc.organization)}",
        "",
        f"Assessed as of {a.as_of.day} {a.as_of:%B %Y} "
        f"(run {a.created_at.day} {a.created_at:%B %Y}) with ruleset "
        f"{md(a.ruleset.label)}: {a.finding_count} finding{'s' if a.finding_count != 1 else ''}"
        + (f", {doc.missing_fact_count} facts unknown" if doc.missing_fact_count else "")
        + ".",
    ]
    if url:
        out += ["", f"The assessment with its evidence: <{url}>"]
    out += ["", "## Products at a glance", ""]
    if doc.products:
        out.append(", ".join(f"{label}: {n}" for _, label, n in doc.verdict_counts) + ".")
        out += [
            "",
            "| Product | Verdict | PMs now | PMs recommended | POs now | POs recommended |",
            "|---|---|--:|--:|--:|--:|",
        ]
        for p in doc.products:
            r = p.row
            out.append(
                f"| {md(r.name)} | {md(r.verdict_label)} "
                f"| {_staffing(r.current['product_managers'])} "
                f"| {_staffing(r.recommended['product_managers'])} "
                f"| {_staffing(r.current['product_owners'])} "
                f"| {_staffing(r.recommended['product_owners'])} |"
            )
    else:
        out.append("The organization had no products when it was assessed.")
    for p in doc.products:
        out += ["", f"## {md(p.row.name)}: {md(p.row.verdict_label)}", "", md(p.meaning), ""]
        if p.actions:
            out += ["What to do:", ""]
            out += [f"- {md(action[:1].upper() + action[1:])}" for action in p.actions]
        else:
            out.append("Nothing to change.")
        if p.findings:
            out += ["", "Why:", "", *_findings(p.findings)]
    if doc.others:
        out += ["", "## People and squads with findings"]
        for o in doc.others:
            out += ["", f"### {md(o.scope.title())} {md(o.name)}", "", *_findings(o.findings)]
    return "\n".join(out) + "\n"
