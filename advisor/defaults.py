"""The ten default heuristics of DOMAIN.md, as the data migration writes them.

Admins edit the rows afterwards; this module is the starting point and the
fixture for engine tests that need no database. Codes and parameter names are
a contract: an admin who sets `min_squads` to 4 changes the next assessment.
"""

from typing import Any

from advisor.engine import HeuristicSpec
from advisor.engine.vocabulary import Scope

SPLIT_OR_MERGE = "pm-vs-po-split-or-merge.txt"
ROLES_AND_HIRING = "pm-vs-po-roles-and-hiring.txt"
UNTANGLING = "po-vs-pm-untangling.txt"


def clause(fact: str, op: str, *, param: str | None = None, value: Any = None) -> dict[str, Any]:
    if param is not None:
        return {"fact": fact, "op": op, "param": param}
    if op in ("is_unknown", "is_known"):
        return {"fact": fact, "op": op}
    return {"fact": fact, "op": op, "value": value}


DEFAULT_HEURISTICS: tuple[dict[str, Any], ...] = (
    {
        "code": "split-three-plus-squads",
        "name": "Three or more squads",
        "scope": Scope.PRODUCT,
        "description": "Once a product has three or more squads, or its product manager serves "
        "that many, one person cannot be both strategist and backlog owner.",
        "condition": {
            "any": [
                clause("squads", ">=", param="min_squads"),
                clause("pm_squads", ">=", param="min_squads"),
            ]
        },
        "parameters": {"min_squads": 3},
        "outcome": "split",
        "severity": "warning",
        "message": "{subject} is too big for one person in both roles: squads {squads}, squads "
        "served by its busiest product manager {pm_squads} (split from {min_squads}). One person "
        "cannot keep every backlog ready and still own the strategy.",
        "source": f'{SPLIT_OR_MERGE}: "You have 3+ squads"',
    },
    {
        "code": "split-backlog-overload",
        "name": "Backlog work crowds out strategy",
        "scope": Scope.PRODUCT,
        "description": "A product manager who spends most of their time on the backlog has "
        "stopped doing strategy.",
        "condition": clause("pm_backlog_share", ">", param="max_backlog_share"),
        "parameters": {"max_backlog_share": 40},
        "outcome": "split",
        "severity": "warning",
        "message": "A product manager of {subject} spends {pm_backlog_share} of their time on the "
        "backlog (the limit is {max_backlog_share}): tactical work is crowding out strategy.",
        "source": f'{SPLIT_OR_MERGE}: "more than 40% of the PM\'s time"',
    },
    {
        "code": "split-strategy-stalled",
        "name": "Strategy is suffering",
        "scope": Scope.PRODUCT,
        "description": "A stale roadmap, no recent customer interviews, or cancelled roadmap "
        "reviews: the strategic half of the role has stopped.",
        "condition": {
            "any": [
                clause("roadmap_age_days", ">", param="max_roadmap_age_days"),
                clause("interview_age_days", ">", param="max_interview_age_days"),
                clause("reviews_cancelled", ">=", param="min_reviews_cancelled"),
            ]
        },
        "parameters": {
            "max_roadmap_age_days": 90,
            "max_interview_age_days": 90,
            "min_reviews_cancelled": 2,
        },
        "outcome": "split",
        "severity": "warning",
        "message": "Strategy on {subject} is suffering. Days since the roadmap was updated: "
        "{roadmap_age_days} (limit {max_roadmap_age_days}); days since the last customer "
        "interview: {interview_age_days} (limit {max_interview_age_days}); roadmap reviews "
        "cancelled last quarter: {reviews_cancelled} (split from {min_reviews_cancelled}).",
        "source": f'{SPLIT_OR_MERGE}: "Strategy is suffering"',
    },
    {
        "code": "split-multiple-markets",
        "name": "Several markets",
        "scope": Scope.PRODUCT,
        "description": "Each market needs its own research and positioning, which a backlog "
        "owner has no time for.",
        "condition": clause("markets", ">=", param="min_markets"),
        "parameters": {"min_markets": 2},
        "outcome": "split",
        "severity": "warning",
        "message": "{subject} serves {markets} markets (split from {min_markets}): each needs "
        "strategic attention that a backlog owner cannot give.",
        "source": f'{SPLIT_OR_MERGE}: "serves multiple markets"',
    },
    {
        "code": "merge-small-team",
        "name": "Small enough for one person",
        "scope": Scope.PRODUCT,
        "description": "A product with few squads, one market and one persona, whose backlog "
        "leaves its product manager time for strategy, needs one person in both roles.",
        "condition": {
            "all": [
                clause("squads", "<=", param="max_squads"),
                clause("markets", "<=", param="max_markets"),
                clause("personas", "<=", param="max_personas"),
                {
                    "any": [
                        clause("pm_backlog_share", "is_unknown"),
                        clause("pm_backlog_share", "<=", param="max_backlog_share"),
                    ]
                },
            ]
        },
        "parameters": {
            "max_squads": 2,
            "max_markets": 1,
            "max_personas": 1,
            "max_backlog_share": 40,
        },
        "outcome": "merge",
        "severity": "info",
        "message": "{subject} is small enough for one person to hold both roles: squads "
        "{squads} (up to {max_squads}), markets {markets} (up to {max_markets}), personas "
        "{personas} (up to {max_personas}), the product manager's backlog share "
        "{pm_backlog_share} (up to {max_backlog_share}).",
        "source": f'{SPLIT_OR_MERGE}: "When the Roles Merge"',
    },
    {
        "code": "no-po-without-scrum",
        "name": "No Scrum, no product owner",
        "scope": Scope.PRODUCT,
        "description": "The product owner is a Scrum role; without Scrum squads there is no "
        "sprint backlog for one to own.",
        "condition": clause("scrum_squads", "==", value=0),
        "parameters": {},
        "outcome": "pm_only",
        "severity": "info",
        "message": "No squad of {subject} works in Scrum (Scrum squads: {scrum_squads} of "
        "{squads}), so there is no sprint backlog for a product owner to own: the product "
        "manager covers the role.",
        "source": f"{ROLES_AND_HIRING}: \"if your company doesn't use an agile approach, you "
        f"likely don't need a product owner\"; {SPLIT_OR_MERGE}: PO framework dependency is Scrum",
    },
    {
        "code": "retitle-pm-doing-po-work",
        "name": "Product manager doing product-owner work",
        "scope": Scope.PERSON,
        "description": "Titled product manager, but the work (no roadmap, no market research, "
        "one squad, reporting into engineering) is a product owner's.",
        "condition": {
            "all": [
                clause("role", "==", value="product_manager"),
                clause("scope_role", "==", value="product_owner"),
            ]
        },
        "parameters": {},
        "outcome": "retitle",
        "severity": "warning",
        "message": "{subject} is titled as a {role}, but {scope_votes_po} of 4 scope "
        "signals show a {scope_role}'s work.",
        "source": f'{SPLIT_OR_MERGE}: "Title Inflation and Job Posting Games"',
    },
    {
        "code": "retitle-po-doing-pm-work",
        "name": "Product owner doing product-manager work",
        "scope": Scope.PERSON,
        "description": "Titled product owner, but the work (roadmap, market research, several "
        "squads, reporting to a product leader) is a product manager's.",
        "condition": {
            "all": [
                clause("role", "==", value="product_owner"),
                clause("scope_role", "==", value="product_manager"),
            ]
        },
        "parameters": {},
        "outcome": "retitle",
        "severity": "warning",
        "message": "{subject} is titled as a {role}, but {scope_votes_pm} of 4 scope "
        "signals show a {scope_role}'s work.",
        "source": f'{SPLIT_OR_MERGE}: "Title Inflation and Job Posting Games"',
    },
    {
        "code": "gap-squad-without-backlog-owner",
        "name": "Scrum squad without a backlog owner",
        "scope": Scope.SQUAD,
        "description": "A Scrum squad needs someone who owns its backlog: a product owner, or a "
        "product manager who holds both roles.",
        "condition": {
            "all": [
                clause("is_scrum", "==", value=True),
                clause("backlog_owners", "==", value=0),
            ]
        },
        "parameters": {},
        "outcome": "gap",
        "severity": "critical",
        "message": "Squad {subject} works in Scrum, but no product owner or product manager "
        "serves it: nobody owns its backlog.",
        "source": f"{ROLES_AND_HIRING}: the PO keeps the backlog",
    },
    {
        "code": "gap-product-without-roadmap-owner",
        "name": "Product without a roadmap owner",
        "scope": Scope.PRODUCT,
        "description": "Someone serving the product must own its vision, strategy and roadmap.",
        "condition": clause("roadmap_owners", "==", value=0),
        "parameters": {},
        "outcome": "gap",
        "severity": "critical",
        "message": "Nobody serving the squads of {subject} owns its roadmap: vision and strategy "
        "have no owner.",
        "source": f"{UNTANGLING}: the PM owns vision, strategy and roadmap",
    },
)


def default_specs() -> list[HeuristicSpec]:
    """The defaults as engine specs, for assessing without a database."""
    return [HeuristicSpec(**row) for row in DEFAULT_HEURISTICS]
