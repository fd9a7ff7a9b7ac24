"""An organization's assessments over time: which are projections, which two to compare by
default, and a comparison as the `compare` command prints it (DOMAIN.md's contract).

The browser's compare page and `manage.py compare` choose and describe the same way.
"""

from typing import Any

from django.db.models import Q

from advisor.comparison import Comparison, ProductChange, compare_assessments
from advisor.engine.vocabulary import CAUSE_LABELS, verdict_label
from advisor.models import Assessment
from orgs.models import Organization
from orgs.paging import LARGEST_ID


class NothingToCompare(Exception):
    """Fewer than two assessments to compare, or an id that is not one of them; the message
    says which, in words for the person who asked."""


class UnknownAssessment(NothingToCompare):
    """An id that is not one of the organization's assessments."""


def choose_pair(
    organization: Organization,
    *,
    from_id: int | None = None,
    to_id: int | None = None,
) -> tuple[Assessment, Assessment]:
    """The two assessments to compare, earlier first. Both given: those two. None given: the
    last two that are not projections. Only `to_id`: it against the last non-projection run
    before it. Only `from_id`: it against the latest non-projection."""
    assessments = organization.assessments.select_related("ruleset").defer(
        "archive", "ruleset__content"
    )
    # An id no database column can hold (SQLite refuses the query) is no assessment either.
    wanted = [pk for pk in (from_id, to_id) if pk is not None and 0 < pk <= LARGEST_ID]
    found = {a.pk: a for a in assessments.filter(pk__in=wanted)} if wanted else {}
    for option, pk in (("--from", from_id), ("--to", to_id)):
        if pk is not None and pk not in found:
            raise UnknownAssessment(
                f"{option}: no assessment {pk} of the organization {organization.slug}"
            )
    settled = assessments.advice().latest_first()
    if from_id is not None and to_id is not None:
        before, after = found[from_id], found[to_id]
    elif to_id is not None:
        after = found[to_id]
        before = settled.filter(
            Q(created_at__lt=after.created_at) | Q(created_at=after.created_at, pk__lt=after.pk)
        ).first()
        if before is None:
            raise NothingToCompare(
                f"--to: assessment {to_id} has no earlier assessment (not a projection) "
                "to compare it with; give --from too"
            )
    elif from_id is not None:
        before, after = found[from_id], settled.exclude(pk=from_id).first()
        if after is None:
            raise NothingToCompare(
                f"--from: {organization.slug} has no other assessment (not a projection) "
                f"to compare assessment {from_id} with; give --to too"
            )
    else:
        latest_two = list(settled[:2])
        if len(latest_two) < 2:
            raise NothingToCompare(
                f"{organization.slug} has {_count(len(latest_two))} (projections aside): "
                "it takes two to compare"
            )
        after, before = latest_two
    if before.pk == after.pk:
        raise NothingToCompare(f"--from and --to are the same assessment ({before.pk})")
    return before, after


def _count(n: int) -> str:
    return {0: "no assessment", 1: "one assessment"}.get(n, f"{n} assessments")


def side_json(assessment: Assessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "as_of": assessment.as_of.isoformat(),
        "ruleset_version": assessment.ruleset.label,
    }


def comparison_json(
    organization: Organization, before: Assessment, after: Assessment, comparison: Comparison
) -> dict[str, Any]:
    """The comparison as the command-line contract spells it."""
    return {
        "organization": organization.name,
        "from": side_json(before),
        "to": side_json(after),
        "products": [product.to_json() for product in comparison.products],
    }


def _product_lines(product: ProductChange) -> list[str]:
    renamed = f" (was {product.renamed_from})" if product.renamed_from else ""
    lines = [
        f"{product.name}{renamed}: {verdict_label(product.verdict_before)} → "
        f"{verdict_label(product.verdict_after)}",
        f"  cause: {product.cause} ({CAUSE_LABELS[product.cause].lower()})",
    ]
    if product.appeared:
        lines.append("  appeared: " + ", ".join(product.appeared))
    if product.resolved:
        lines.append("  resolved: " + ", ".join(product.resolved))
    if product.facts:
        lines.append("  facts: " + "; ".join(m.words for m in product.facts))
    if product.staffing:
        lines.append("  staffing: " + "; ".join(m.words for m in product.staffing))
    return lines


def comparison_text(
    organization: Organization, before: Assessment, after: Assessment, comparison: Comparison
) -> str:
    """The comparison for a person at a terminal: each product, then the people whose
    inputs moved."""
    out = [
        f"{organization.name}: what changed",
        f"  from assessment {before.pk}, as of {before.as_of.isoformat()}, "
        f"ruleset {before.ruleset.label}",
        f"  to   assessment {after.pk}, as of {after.as_of.isoformat()}, "
        f"ruleset {after.ruleset.label}",
        "",
    ]
    for product in comparison.products:
        out += [*_product_lines(product), ""]
    if not comparison.products:
        out += ["Neither assessment had products.", ""]
    if comparison.people:
        out.append("People whose inputs changed:")
        for person in comparison.people:
            if person.presence:
                out.append(f"  {person.name}: {person.presence}")
            else:
                renamed = f" (was {person.renamed_from})" if person.renamed_from else ""
                out.append(f"  {person.name}{renamed}: " + "; ".join(m.words for m in person.moves))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def compare(
    organization: Organization, *, from_id: int | None = None, to_id: int | None = None
) -> tuple[Assessment, Assessment, Comparison]:
    before, after = choose_pair(organization, from_id=from_id, to_id=to_id)
    return before, after, compare_assessments(before, after)
