"""The staffing plan: one verdict per product, the staffing it calls for, and the actions
that get there, in plain words."""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from advisor.engine.evaluation import Finding
from advisor.engine.facts import Subject
from advisor.engine.vocabulary import KEEP, TITLE_OF_ROLE, VERDICT_PRECEDENCE, Role, Scope


@dataclass(frozen=True)
class StaffingRules:
    """The ratios of the staffing plan and the votes that settle `scope_role`."""

    pms_per_product: Decimal = Decimal(1)
    pos_per_scrum_squad: Decimal = Decimal(1)
    scope_votes_needed: int = 3


@dataclass(frozen=True)
class Staffing:
    product_managers: int
    product_owners: int

    def to_json(self) -> dict[str, int]:
        return {"product_managers": self.product_managers, "product_owners": self.product_owners}


@dataclass(frozen=True)
class ProductPlan:
    subject: Subject
    verdict: str
    current: Staffing
    recommended: Staffing
    actions: tuple[str, ...]
    findings: tuple[Finding, ...]


def verdict_of(outcomes: Iterable[str]) -> str:
    """The highest-ranking verdict among the outcomes; `keep` when none sets one."""
    present = set(outcomes)
    return next((v for v in VERDICT_PRECEDENCE if v in present), KEEP)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def recommend(verdict: str, product: Subject, rules: StaffingRules) -> Staffing:
    """The staffing the verdict calls for, by the ratios of the rules."""
    current = Staffing(product.facts["product_managers"], product.facts["product_owners"])
    pms = math.ceil(rules.pms_per_product)
    if verdict == "split":
        return Staffing(pms, math.ceil(rules.pos_per_scrum_squad * product.facts["scrum_squads"]))
    if verdict in ("merge", "pm_only"):
        return Staffing(pms, 0)
    return current


def plan_actions(
    verdict: str,
    current: Staffing,
    recommended: Staffing,
    related: Sequence[Finding],
) -> tuple[str, ...]:
    """The difference between current and recommended staffing, in plain words.

    Retitles come first and count toward the target: a product owner retitled
    to product manager is the product manager a merge asks for, not a reason
    to hire another.
    """
    actions: list[str] = []
    pms, pos = current.product_managers, current.product_owners
    for finding in related:
        if finding.outcome != "retitle":
            continue
        to = finding.evidence.get("scope_role")
        action = f"retitle {finding.subject} to {TITLE_OF_ROLE.get(to, 'their actual role')}"
        if action in actions:
            continue
        actions.append(action)
        if to == Role.PRODUCT_OWNER:
            pms, pos = pms - 1, pos + 1
        elif to == Role.PRODUCT_MANAGER:
            pms, pos = pms + 1, pos - 1

    pm_gap = recommended.product_managers - pms
    po_gap = recommended.product_owners - pos
    if pm_gap > 0:
        actions.append(f"add {_plural(pm_gap, 'product manager')}")
    elif pm_gap < 0:
        actions.append(
            f"consolidate {_plural(pms, 'product manager')} into {recommended.product_managers}"
        )
    if verdict in ("merge", "pm_only") and pos > 0:
        reason = (
            "no squad works in Scrum, so there is no sprint backlog to own"
            if verdict == "pm_only"
            else "the team is small enough for one person to do both"
        )
        actions.append(f"fold the PO role into the PM role ({reason})")
    elif po_gap > 0:
        actions.append(f"add {_plural(po_gap, 'product owner')}")
    elif po_gap < 0:
        actions.append(f"reduce product owners from {pos} to {recommended.product_owners}")

    for finding in related:
        if finding.outcome != "gap":
            continue
        if finding.scope == Scope.SQUAD:
            action = f"name a backlog owner for squad {finding.subject}"
        else:
            action = f"name a roadmap owner for {finding.subject}"
        if action not in actions:
            actions.append(action)
    return tuple(actions)
