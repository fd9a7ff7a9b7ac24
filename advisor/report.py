"""The assessment document as a report a person reads in a terminal."""

from typing import Any

from advisor.engine.explanations import format_value

VERDICT_WORDS = {
    "split": "SPLIT the PM and PO roles",
    "merge": "MERGE the PM and PO roles into one person",
    "pm_only": "PM ONLY: no product owner needed",
    "keep": "KEEP the current staffing",
}


def _finding_lines(finding: dict[str, Any], indent: str) -> list[str]:
    lines = [
        f"{indent}[{finding['severity']}] {finding['heuristic']}: {finding['message']}",
    ]
    compared = [
        f"{c['fact']}={format_value(c['fact'], c['value'])} {c['op']}"
        + (
            f" {format_value(c['param'] or c['fact'], c['threshold'])}"
            if c["op"][0] in "=!<>"
            else ""
        )
        + (f" ({c['param']})" if c["param"] else "")
        + (" ✓" if c["result"] else " ✗")
        for c in finding.get("trace", [])
    ]
    if compared:
        lines.append(f"{indent}    evidence: " + "; ".join(compared))
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
        for finding in product["findings"]:
            out += _finding_lines(finding, "  ")
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
            f"  - {m.get('text') or m['subject'] + ': ' + m['field'] + ' not entered'} "
            f"({m['scope']} {m['subject']}, fact {m['fact']}, field {m['field']})"
            for m in document["missing_facts"]
        ]
        out.append("")
    if document.get("errors"):
        out.append("Heuristics that could not be used:")
        out += [f"  - {e}" for e in document["errors"]]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
