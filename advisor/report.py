"""The assessment document as a report a person reads in a terminal."""

from typing import Any

from advisor.engine.explanations import GROUP_WORDS, evidence_outline, format_value
from advisor.engine.facts import not_entered
from advisor.engine.sensitivity import change_in_words

VERDICT_WORDS = {
    "split": "SPLIT the PM and PO roles",
    "merge": "MERGE the PM and PO roles into one person",
    "pm_only": "PM ONLY: no product owner needed",
    "keep": "KEEP the current staffing",
}


def _clause_words(c: dict[str, Any]) -> str:
    return (
        f"{c['fact']}={format_value(c['fact'], c['value'])} {c['op']}"
        + (
            f" {format_value(c['param'] or c['fact'], c['threshold'])}"
            if c["op"][0] in "=!<>"
            else ""
        )
        + (f" ({c['param']})" if c["param"] else "")
        + (" ✓" if c["result"] else " ✗")
    )


def _finding_lines(finding: dict[str, Any], indent: str) -> list[str]:
    outranked = " (outranked)" if finding.get("outranked") else ""
    lines = [
        f"{indent}[{finding['severity']}] {finding['heuristic']}{outranked}: {finding['message']}",
    ]
    outline = evidence_outline(finding.get("trace", []))
    if len(outline) == 1:
        lines.append(f"{indent}    evidence: {_clause_words(outline[0][2])}")
    elif outline:
        lines.append(f"{indent}    evidence:")
        for depth, kind, clause, holds in outline:
            pad = f"{indent}      " + "  " * depth
            if clause is None:
                lines.append(f"{pad}{GROUP_WORDS[kind]}:" + (" ✓" if holds else " ✗"))
            else:
                lines.append(f"{pad}- {_clause_words(clause)}")
    for source in finding.get("sources", []):
        link = f" <{source['link']}>" if source.get("link") else ""
        lines.append(f'{indent}    source: {source["title"]}{link}: "{source["quote"]}"')
    return lines


def render_text(document: dict[str, Any]) -> str:
    """Products first (verdict, staffing, actions, findings), then people and squads."""
    out = [
        f"Assessment of {document['organization']} as of {document['as_of']} "
        f"(ruleset {document['ruleset_version']})",
        "",
    ]
    if document.get("projection"):
        out[0] = "PROJECTION: " + out[0]
        out.insert(
            1,
            "A projection: the as-of date is after today. It is never the organization's "
            "latest advice, nor the start of a comparison.",
        )
    for product in document["products"]:
        cur, rec = product["current"], product["recommended"]
        out += [
            f"{product['name']}: {VERDICT_WORDS[product['verdict']]}",
            f"  product managers: {cur['product_managers']} now, "
            f"{rec['product_managers']} recommended",
            f"  product owners:   {cur['product_owners']} now, {rec['product_owners']} recommended",
        ]
        if product["actions"]:
            out.append("  actions:")
            out += [f"    - {action}" for action in product["actions"]]
        for hire in product.get("hires", []):
            reports = hire["reports_to"] or (
                "the product manager to be hired"
                if hire["role"] == "product_owner"
                else "nobody yet (the organization has no product leader or executive)"
            )
            out.append(
                f"  hire: {hire['title']} for {', '.join(hire['squads']) or product['name']}, "
                f"reporting to {reports}"
            )
            out += [f"    - {duty}" for duty in hire["responsibilities"]]
        if product["findings"]:
            out.append("  why:")
        for finding in product["findings"]:
            out += _finding_lines(finding, "  ")
        if product.get("nearest_misses"):
            out.append("  nearest misses (nothing fired):")
            out += [f"    - {miss}" for miss in product["nearest_misses"]]
        if product.get("what_would_change"):
            close = " (close: one step from a threshold)" if product.get("close") else ""
            out.append(f"  what would change this verdict{close}:")
            out += [
                f"    - {change_in_words(c)} ({c['heuristic']})"
                + (" [one step]" if abs(c["to"] - c["from"]) <= 1 else "")
                for c in product["what_would_change"]
            ]
        out.append("")
    for kind in ("people", "squads"):
        flagged = [s for s in document[kind] if s["findings"]]
        if flagged:
            out.append(f"{kind.title()} with findings:")
            for subject in flagged:
                for finding in subject["findings"]:
                    out += _finding_lines(finding, "  ")
            out.append("")
    if document["missing_facts"]:
        out.append("Missing facts (fill these in for a surer assessment):")
        out += [
            f"  - {m.get('text') or not_entered(m['subject'], m['field'])} "
            f"({m['scope']} {m['subject']}, fact {m['fact']}, field {m['field']})"
            for m in document["missing_facts"]
        ]
        out.append("")
    if document.get("errors"):
        out.append("Heuristics that could not be used:")
        out += [f"  - {e}" for e in document["errors"]]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
