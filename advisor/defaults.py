"""The default heuristics of DOMAIN.md, as the data migrations write them.

Admins edit the rows afterwards; this module is the starting point and the
fixture for engine tests that need no database. Codes and parameter names are
a contract: an admin who sets `min_squads` to 4 changes the next assessment.
"""

from typing import Any

from advisor.engine import HeuristicSpec
from advisor.engine.ruleset import entry_parameters
from advisor.engine.vocabulary import Scope

# The practitioner articles the defaults rest on (source-articles/), by their titles.
# Two files open without a title line: pm-vs-po-roles-and-hiring.txt with its TL;DR,
# named by its comparison heading, and pm-vs-po-split-or-merge.txt with its first
# section, named by that heading (docs/rulesets.md).
ARTICLE_TITLES: dict[str, str] = {
    "pm-vs-po-split-or-merge.txt": "The Role Confusion Problem",
    "pm-vs-po-roles-and-hiring.txt": "Product manager vs product owner",
    "po-vs-pm-untangling.txt": (
        "Product Owner vs. Product Manager: Untangling the Roles and Responsibilities"
    ),
    "pm-vs-po-agile-rituals.txt": "Product Manager vs. Product Owner: Key Differences",
}
SPLIT_OR_MERGE = "pm-vs-po-split-or-merge.txt"
ROLES_AND_HIRING = "pm-vs-po-roles-and-hiring.txt"
UNTANGLING = "po-vs-pm-untangling.txt"
RITUALS = "pm-vs-po-agile-rituals.txt"


def source(article: str, quote: str, link: str = "") -> dict[str, str]:
    """A source of a heuristic: the article's title, the sentence quoted from it, a link."""
    return {"title": ARTICLE_TITLES[article], "quote": quote, "link": link}


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
        "sources": [
            source(
                SPLIT_OR_MERGE,
                "You have 3+ squads. One PM can set strategy for multiple squads, with POs "
                "handling backlog management for each team",
            )
        ],
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
        "sources": [
            source(
                SPLIT_OR_MERGE,
                "If writing stories and grooming the backlog consumes more than 40% of the "
                "PM's time, they need a PO",
            )
        ],
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
        "sources": [
            source(
                SPLIT_OR_MERGE,
                "Strategy is suffering. The roadmap hasn't been updated in months. No customer "
                "interviews have happened. The PM is reactive, not proactive",
            ),
            source(
                SPLIT_OR_MERGE,
                "The signal is consistent: strategic work stops happening. Roadmap reviews get "
                "canceled. Customer interviews get postponed.",
            ),
        ],
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
        "sources": [
            source(
                SPLIT_OR_MERGE,
                "The product serves multiple markets. The PM focuses on market strategy while "
                "POs translate that into sprint-level work for each team",
            )
        ],
    },
    {
        "code": "merge-small-team",
        "name": "Small enough for one person",
        "scope": Scope.PRODUCT,
        "description": "A product with few squads, one market and one persona, whose backlog "
        "leaves one product manager time for strategy, even with its product owners' backlog "
        "work moved to them, needs one person in both roles.",
        "condition": {
            "all": [
                clause("squads", "<", param="min_squads"),
                clause("markets", "<", param="min_markets"),
                clause("personas", "<=", param="max_personas"),
                {
                    "any": [
                        clause("pm_backlog_share", "is_unknown"),
                        clause("pm_backlog_share", "<=", param="max_backlog_share"),
                    ]
                },
                {
                    "any": [
                        clause("merged_backlog_share", "is_unknown"),
                        clause("merged_backlog_share", "<=", param="max_backlog_share"),
                    ]
                },
            ]
        },
        "parameters": {
            "min_squads": 3,
            "min_markets": 2,
            "max_personas": 1,
            "max_backlog_share": 40,
        },
        "outcome": "merge",
        "severity": "info",
        "message": "{subject} is small enough for one person to hold both roles: squads "
        "{squads} (below {min_squads}), markets {markets} (below {min_markets}), personas "
        "{personas} (up to {max_personas}), the product manager's backlog share "
        "{pm_backlog_share} and {merged_backlog_share} with the product owners' backlog work "
        "(up to {max_backlog_share}).",
        "sources": [
            source(
                SPLIT_OR_MERGE,
                "At most startups and small product teams, one person does both jobs.",
            ),
            source(SPLIT_OR_MERGE, "The merge breaks down when the PM can't keep up with both."),
        ],
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
        "{squads}), so there is no sprint backlog for a product owner to own: one product "
        "manager is the role it needs.",
        "sources": [
            source(
                ROLES_AND_HIRING,
                "The role is typically tied to the use of an agile methodology, especially in "
                "scrum teams, so if your company doesn\u2019t use an agile approach, you likely "
                "don\u2019t need a product owner.",
            ),
            source(
                SPLIT_OR_MERGE, "The Product Owner role comes directly from the Scrum framework."
            ),
        ],
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
        "sources": [
            source(
                SPLIT_OR_MERGE,
                'Some companies title everyone "Product Manager" even when the actual role is '
                "pure backlog management with no strategic input.",
            ),
            source(SPLIT_OR_MERGE, "When evaluating a role, ignore the title."),
        ],
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
        "sources": [
            source(
                SPLIT_OR_MERGE,
                'Many companies list "Product Owner" in job postings when they actually want a '
                "Product Manager.",
            ),
            source(SPLIT_OR_MERGE, "When evaluating a role, ignore the title."),
        ],
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
        "sources": [
            source(
                ROLES_AND_HIRING,
                "The product owner role is also often referred to as the \u201cbacklog "
                "owner\u201d as they\u2019re responsible for managing, pruning, and prioritizing "
                "items within the team\u2019s backlog to ensure the right tasks are completed at "
                "the right time.",
            )
        ],
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
        "sources": [
            source(UNTANGLING, "They own the product vision, strategy, and roadmap."),
        ],
    },
)


# The two notes of DOMAIN.md: advice to a product manager that never changes a verdict or
# the plan. Kept apart from the ten because migration 0002 writes exactly those ten; the
# migration that added the outcome `note` (0008) writes these.
NOTE_HEURISTICS: tuple[dict[str, Any], ...] = (
    {
        "code": "note-pm-in-ceremonies",
        "name": "Product manager buried in ceremonies",
        "scope": Scope.PERSON,
        "description": "A product manager whose time goes to stand-ups, planning, reviews and "
        "retros has less of it for the product's why and what; the ceremonies are the "
        "development team's and the product owner's.",
        "condition": {
            "all": [
                clause("role", "==", value="product_manager"),
                clause("ceremonies_share", ">", param="max_pm_ceremonies_share"),
            ]
        },
        "parameters": {"max_pm_ceremonies_share": 25},
        "outcome": "note",
        "severity": "info",
        "message": "{subject} spends {ceremonies_share} of their time in ceremonies (more than "
        "{max_pm_ceremonies_share}): a product manager joins the stand-up when their input "
        "is needed, and leaves the rest to the team and its product owner.",
        "sources": [
            source(
                RITUALS,
                "PMs usually do not participate in daily standups unless their input is "
                "specifically needed for clarity on product vision or priorities.",
            )
        ],
    },
    {
        "code": "note-strategy-starved",
        "name": "No time left for strategy",
        "scope": Scope.PERSON,
        "description": "A product manager with almost no time for strategy and discovery is a "
        "backlog manager in all but title: the strategic half of the role has stopped.",
        "condition": {
            "all": [
                clause("role", "==", value="product_manager"),
                clause("strategic_share", "<", param="min_strategic_share"),
            ]
        },
        "parameters": {"min_strategic_share": 15},
        "outcome": "note",
        "severity": "info",
        "message": "{subject} spends {strategic_share} of their time on strategy and discovery "
        "(less than {min_strategic_share}): the product's why and what are going without "
        "their owner.",
        "sources": [
            source(
                SPLIT_OR_MERGE,
                "The PM becomes a full-time backlog manager who occasionally thinks about "
                "strategy on weekends.",
            )
        ],
    },
)


def _default_parameters() -> dict[str, Any]:
    """Each parameter the default heuristics declare, once: the first heuristic to declare a
    name gives its value (tests/advisor/test_parameters.py checks none disagree)."""
    table: dict[str, Any] = {}
    for row in (*DEFAULT_HEURISTICS, *NOTE_HEURISTICS):
        for name, value in row.get("parameters", {}).items():
            table.setdefault(name, value)
    return dict(sorted(table.items()))


# The ruleset's parameter table as the defaults set it: one value per name, whichever
# heuristics read it.
DEFAULT_PARAMETERS: dict[str, Any] = _default_parameters()

# What each default parameter means, for the admin's Parameter rows and reference.
PARAMETER_DESCRIPTIONS: dict[str, str] = {
    "min_squads": "Squads from which a product needs a product manager and product owners "
    "apart; below it, one person can hold both roles.",
    "max_backlog_share": "The most of a product manager's time (%) the backlog may take "
    "before strategy suffers; at or below it, one person can hold both roles.",
    "max_roadmap_age_days": "Days since the roadmap was updated past which strategy is suffering.",
    "max_interview_age_days": "Days since the last customer interview past which strategy "
    "is suffering.",
    "min_reviews_cancelled": "Roadmap reviews cancelled in the last quarter from which "
    "strategy is suffering.",
    "min_markets": "Markets from which a product needs strategic attention of its own; "
    "below it, one person can hold both roles.",
    "max_personas": "The most personas a product served by one person in both roles has.",
    "max_pm_ceremonies_share": "The most of a product manager's time (%) Scrum ceremonies "
    "take before it is worth a note.",
    "min_strategic_share": "The least of a product manager's time (%) on strategy and "
    "discovery before it is worth a note.",
}


def default_specs() -> list[HeuristicSpec]:
    """The defaults as engine specs, each with the parameters of the table it reads, for
    assessing without a database."""
    entries = [
        {key: value for key, value in row.items() if key != "parameters"}
        for row in (*DEFAULT_HEURISTICS, *NOTE_HEURISTICS)
    ]
    return [
        HeuristicSpec(**entry, parameters=entry_parameters(entry, DEFAULT_PARAMETERS))
        for entry in entries
    ]


def _example(fires: bool, note: str, **facts: Any) -> dict[str, Any]:
    return {"facts": facts, "fires": fires, "note": note}


def _at(param: str, offset: int = 0) -> dict[str, Any]:
    """An example's fact at a parameter's line plus an offset: it moves with the line."""
    return {"param": param, "offset": offset}


_SMALL_TEAM = {
    "squads": _at("min_squads", -1),
    "markets": _at("min_markets", -1),
    "personas": _at("max_personas"),
    "pm_backlog_share": _at("max_backlog_share"),
}

# Each default heuristic's examples, by code: at and just past each threshold (moving with
# its parameter), plus a literal or two that must hold whatever the threshold, and an
# unknown that never fires. Migration 0011 gives them to the rows of these codes whose
# examples are empty, when the row's condition honours them. The two note heuristics'
# are here for when their rows exist.
DEFAULT_EXAMPLES: dict[str, list[dict[str, Any]]] = {
    "split-three-plus-squads": [
        _example(True, "at the line", squads=_at("min_squads"), pm_squads=1),
        _example(
            False,
            "just below the line",
            squads=_at("min_squads", -1),
            pm_squads=_at("min_squads", -1),
        ),
        _example(True, "its PM serves that many squads", squads=1, pm_squads=_at("min_squads")),
        _example(False, "one squad, one PM's squad", squads=1, pm_squads=1),
        _example(False, "unknown never fires", squads=None, pm_squads=None),
    ],
    "split-backlog-overload": [
        _example(True, "just past the line", pm_backlog_share=_at("max_backlog_share", 1)),
        _example(False, "at the line", pm_backlog_share=_at("max_backlog_share")),
        _example(True, "all backlog, no strategy", pm_backlog_share=100),
        _example(False, "time not entered", pm_backlog_share=None),
    ],
    "split-strategy-stalled": [
        _example(
            True, "roadmap just past its age", roadmap_age_days=_at("max_roadmap_age_days", 1)
        ),
        _example(
            True, "interview just past its age", interview_age_days=_at("max_interview_age_days", 1)
        ),
        _example(
            True, "reviews cancelled at the line", reviews_cancelled=_at("min_reviews_cancelled")
        ),
        _example(
            False,
            "each at or below its line",
            roadmap_age_days=_at("max_roadmap_age_days"),
            interview_age_days=_at("max_interview_age_days"),
            reviews_cancelled=_at("min_reviews_cancelled", -1),
        ),
        _example(False, "all fresh", roadmap_age_days=0, interview_age_days=0, reviews_cancelled=0),
    ],
    "split-multiple-markets": [
        _example(True, "at the line", markets=_at("min_markets")),
        _example(False, "just below the line", markets=_at("min_markets", -1)),
        _example(False, "one market", markets=1),
        _example(False, "markets unknown", markets=None),
    ],
    "merge-small-team": [
        _example(True, "small on every count", **_SMALL_TEAM),
        _example(True, "backlog share unknown", **{**_SMALL_TEAM, "pm_backlog_share": None}),
        _example(False, "squads at the split line", **{**_SMALL_TEAM, "squads": _at("min_squads")}),
        _example(
            False, "markets at the split line", **{**_SMALL_TEAM, "markets": _at("min_markets")}
        ),
        _example(
            False,
            "one persona too many",
            **{**_SMALL_TEAM, "personas": _at("max_personas", 1)},
        ),
        _example(
            False,
            "backlog just past the split line",
            **{**_SMALL_TEAM, "pm_backlog_share": _at("max_backlog_share", 1)},
        ),
        _example(
            True,
            "one person doing it all would carry the line",
            **{**_SMALL_TEAM, "merged_backlog_share": _at("max_backlog_share")},
        ),
        _example(
            False,
            "the POs' backlog work would overload one person",
            **{**_SMALL_TEAM, "merged_backlog_share": _at("max_backlog_share", 1)},
        ),
        _example(False, "squads unknown", **{**_SMALL_TEAM, "squads": None}),
    ],
    "no-po-without-scrum": [
        _example(True, "no Scrum squad", scrum_squads=0),
        _example(False, "one Scrum squad", scrum_squads=1),
        _example(False, "unknown", scrum_squads=None),
    ],
    "retitle-pm-doing-po-work": [
        _example(
            True, "a PM's title, a PO's work", role="product_manager", scope_role="product_owner"
        ),
        _example(False, "a PM doing PM work", role="product_manager", scope_role="product_manager"),
        _example(False, "work unclear", role="product_manager", scope_role=None),
    ],
    "retitle-po-doing-pm-work": [
        _example(
            True, "a PO's title, a PM's work", role="product_owner", scope_role="product_manager"
        ),
        _example(False, "a PO doing PO work", role="product_owner", scope_role="product_owner"),
        _example(False, "work unclear", role="product_owner", scope_role=None),
    ],
    "gap-squad-without-backlog-owner": [
        _example(True, "Scrum, nobody on the backlog", is_scrum=True, backlog_owners=0),
        _example(False, "Scrum with a backlog owner", is_scrum=True, backlog_owners=1),
        _example(False, "not Scrum", is_scrum=False, backlog_owners=0),
    ],
    "gap-product-without-roadmap-owner": [
        _example(True, "nobody owns the roadmap", roadmap_owners=0),
        _example(False, "one roadmap owner", roadmap_owners=1),
    ],
    "note-pm-in-ceremonies": [
        _example(
            True,
            "just past the line",
            role="product_manager",
            ceremonies_share=_at("max_pm_ceremonies_share", 1),
        ),
        _example(
            False,
            "at the line",
            role="product_manager",
            ceremonies_share=_at("max_pm_ceremonies_share"),
        ),
        _example(False, "a product owner", role="product_owner", ceremonies_share=100),
    ],
    "note-strategy-starved": [
        _example(
            True,
            "just below the line",
            role="product_manager",
            strategic_share=_at("min_strategic_share", -1),
        ),
        _example(
            False, "at the line", role="product_manager", strategic_share=_at("min_strategic_share")
        ),
        _example(False, "a product owner", role="product_owner", strategic_share=0),
    ],
}
