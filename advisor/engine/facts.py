"""The facts the heuristics read, and how they are computed from an organization.

Plain Python: `OrgSnapshot` is the organization as loaded (`advisor.engine.snapshot`),
`compute_facts` turns it into one `Subject` per product, squad and person. No ORM,
no request, so every rule here is tested without a database.

Unknown inputs stay unknown (None). A fact is unknown when any input it is
computed from is unknown; a heuristic never fires on an unknown value. Two inputs are
unknown by their shape rather than by a None (DOMAIN.md): a product with no market or
persona names (every product serves at least one of each), and a person whose time
shares are all 0 (their time was never entered: every share of it is unknown, never 0%).
"""

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple

from advisor.engine.snapshot import OrgSnapshot, PersonIn, SquadIn
from advisor.engine.vocabulary import TIME_BUCKETS, TITLE_OF_ROLE, Methodology, Role, Scope
from orgs.titles import role_from_title


class FactType(StrEnum):
    INT = "int"
    BOOL = "bool"
    ROLE = "role"
    METHODOLOGY = "methodology"


# Values an enum-typed fact may take, for validating conditions.
ENUM_VALUES: dict[FactType, tuple[str, ...]] = {
    FactType.ROLE: tuple(Role),
    FactType.METHODOLOGY: tuple(Methodology),
}


@dataclass(frozen=True)
class Fact:
    name: str
    scope: Scope
    type: FactType
    meaning: str
    # The model field a person fills in to make this fact known, if any; an
    # unknown fact with an input field is reported as missing. "squads.engineers"
    # and "people.owns_roadmap" are fields of the product's squads or people.
    input_field: str = ""


def _facts(scope: Scope, *rows: tuple) -> dict[str, Fact]:
    return {row[0]: Fact(row[0], scope, *row[1:]) for row in rows}


INT, BOOL = FactType.INT, FactType.BOOL

CATALOGUE: dict[Scope, dict[str, Fact]] = {
    Scope.PRODUCT: _facts(
        Scope.PRODUCT,
        ("squads", INT, "Squads working on the product."),
        ("scrum_squads", INT, "Its squads whose methodology (or the organization's) is Scrum."),
        ("engineers", INT, "Engineers across its squads.", "squads.engineers"),
        ("markets", INT, "Markets it serves.", "markets"),
        ("personas", INT, "Personas it serves.", "personas"),
        ("roadmap_age_days", INT, "Days since the roadmap was last updated.", "roadmap_updated_on"),
        (
            "interview_age_days",
            INT,
            "Days since the last customer interview.",
            "last_customer_interview_on",
        ),
        (
            "reviews_cancelled",
            INT,
            "Roadmap reviews cancelled in the last quarter.",
            "roadmap_reviews_cancelled",
        ),
        ("product_managers", INT, "Product managers serving at least one of its squads."),
        ("product_owners", INT, "Product owners serving at least one of its squads."),
        (
            "pm_squads",
            INT,
            "The most squads any of its product managers serves, across the organization.",
        ),
        (
            "pm_backlog_share",
            INT,
            "The highest backlog share (%) among its product managers whose time is known.",
        ),
        (
            "merged_backlog_share",
            INT,
            "The backlog share (%) one product manager would carry if its product owners' "
            "backlog work moved to its product managers (not rounded).",
        ),
        (
            "roadmap_owners",
            INT,
            "People serving its squads who own the roadmap.",
            "people.owns_roadmap",
        ),
    ),
    Scope.SQUAD: _facts(
        Scope.SQUAD,
        ("engineers", INT, "Engineers in the squad.", "engineers"),
        ("methodology", FactType.METHODOLOGY, "Its methodology, or the organization's."),
        ("is_scrum", BOOL, "Whether the squad works in Scrum."),
        ("product_managers", INT, "Product managers serving the squad."),
        ("product_owners", INT, "Product owners serving the squad."),
        ("backlog_owners", INT, "Product owners and product managers serving the squad."),
    ),
    Scope.PERSON: _facts(
        Scope.PERSON,
        ("role", FactType.ROLE, "The role from the title, or as set by hand."),
        ("scope_role", FactType.ROLE, "The role their actual work shows (the scope votes)."),
        ("manager_role", FactType.ROLE, "The role of whom they report to."),
        ("squads_served", INT, "Squads they serve."),
        ("products_served", INT, "Products whose squads they serve."),
        *(
            (f"{bucket}_share", INT, f"Share of their time on {bucket} (%).", "time")
            for bucket in TIME_BUCKETS
        ),
        (
            "strategic_share",
            INT,
            "Share of their time on strategy and discovery together (%).",
            "time",
        ),
        ("owns_roadmap", BOOL, "Whether they own the roadmap.", "owns_roadmap"),
        (
            "does_market_research",
            BOOL,
            "Whether they do market research.",
            "does_market_research",
        ),
        ("sets_pricing", BOOL, "Whether they set pricing.", "sets_pricing"),
        ("scope_votes_pm", INT, "Scope votes for product-manager work."),
        ("scope_votes_po", INT, "Scope votes for product-owner work."),
    ),
}


# The fields a person fills in, in the words of the missing-facts list ("Haze: markets
# not entered"): every input_field of the catalogue has its words here.
FIELD_WORDS: dict[str, str] = {
    "markets": "markets",
    "personas": "personas",
    "roadmap_updated_on": "roadmap update date",
    "last_customer_interview_on": "last customer interview date",
    "roadmap_reviews_cancelled": "roadmap reviews cancelled last quarter",
    "squads.engineers": "engineers of a squad",
    "people.owns_roadmap": "who owns the roadmap",
    "engineers": "engineers",
    "time": "time allocation",
    "owns_roadmap": "roadmap ownership",
    "does_market_research": "market research",
    "sets_pricing": "pricing responsibility",
}
# What an unknown time leaves unknown: every share, not only the first one read.
TIME_MEANING = "Every share of their time (backlog, strategy, discovery, ceremonies...)."


def not_entered(subject: str, field: str) -> str:
    """A missing fact in plain words: "Haze: markets not entered"."""
    return f"{subject}: {FIELD_WORDS.get(field, field)} not entered"


# --- Facts ------------------------------------------------------------------


class ScopeVote(NamedTuple):
    """One of the four votes on whether a person's work is a PM's or a PO's.

    A named tuple rather than a dataclass: four are made for every person, and
    a tuple is several times cheaper to build."""

    fact: str
    value: Any
    vote: str | None  # Role.PRODUCT_MANAGER, Role.PRODUCT_OWNER, or None for no vote
    reason: str


class Subject(NamedTuple):
    """A product, squad or person with the facts computed for it.

    A named tuple, like the snapshot's rows: one is made for every row."""

    scope: Scope
    id: int
    name: str
    facts: Mapping[str, Any]
    product_ids: tuple[int, ...] = ()  # squads: their product; people: the products they serve
    votes: tuple[ScopeVote, ...] = ()  # people only

    def votes_explained(self) -> bool:
        """Whether the document and the rows keep the person's scope votes: for product
        people (by title or by their votes) only; for the rest of a large organization they
        would only make what is stored heavy."""
        return self.facts.get("role") in TITLE_OF_ROLE or bool(self.facts.get("scope_role"))

    def explained_votes(self) -> list[dict[str, Any]]:
        """The scope votes as the document and the rows keep them (votes_explained)."""
        return [vote._asdict() for vote in self.votes] if self.votes_explained() else []

    def missing(self) -> list[Fact]:
        """Facts that are unknown because a person left an input blank."""
        catalogue = CATALOGUE[self.scope]
        return [
            catalogue[name]
            for name, value in self.facts.items()
            if value is None and catalogue[name].input_field
        ]


@dataclass(frozen=True)
class OrgFacts:
    organization: str
    slug: str
    as_of: date
    products: tuple[Subject, ...]
    squads: tuple[Subject, ...]
    people: tuple[Subject, ...]

    def subjects(self, scope: Scope) -> tuple[Subject, ...]:
        return {Scope.PRODUCT: self.products, Scope.SQUAD: self.squads, Scope.PERSON: self.people}[
            scope
        ]

    def to_json(self) -> dict[str, Any]:
        """The facts as stored with an assessment: plain JSON."""

        def subject(s: Subject) -> dict[str, Any]:
            # Scope votes are not repeated here: the report carries them.
            return {"name": s.name, "facts": s.facts}

        return {
            "organization": self.organization,
            "as_of": self.as_of.isoformat(),
            "products": [subject(s) for s in self.products],
            "squads": [subject(s) for s in self.squads],
            "people": [subject(s) for s in self.people],
        }


def time_known(time: Mapping[str, int] | None) -> bool:
    """Whether a person's time was entered: shares all 0 (or none) mean never entered."""
    return bool(time) and any(time.values())


def merged_backlog_share(
    product_id: int,
    pms: list[PersonIn],
    pos: list[PersonIn],
    squad_product: Mapping[int, int],
    squads_per_product: dict[int, Counter[int]] | None = None,
) -> float | None:
    """The backlog share one product manager would carry if the product owners' backlog work
    moved to the product managers (DOMAIN.md): the backlog shares of its PMs and POs added
    up, each counted in proportion to how many of their squads belong to this product,
    divided by the number of its PMs. Unknown without a PM or when anyone's time is.

    `squads_per_product` keeps, by person id, how many of each person's squads each product
    has: counted once per person, not once per product they serve (a person serving many
    products would otherwise have all their squads walked for each of them). compute_facts
    passes one for all its products."""
    if not pms:
        return None
    if squads_per_product is None:
        squads_per_product = {}
    total = 0.0
    for person in (*pms, *pos):
        time, squad_ids = person.time, person.squad_ids
        if not time_known(time):
            return None
        counts = squads_per_product.get(person.id)
        if counts is None:
            counts = squads_per_product[person.id] = Counter(squad_product[s] for s in squad_ids)
        here = counts[product_id]
        total += time.get("backlog", 0) * here / len(squad_ids)
    return total / len(pms)


def _age_days(as_of: date, on: date | None) -> int | None:
    return None if on is None else (as_of - on).days


def _roadmap_owners(owners: int, any_unknown: bool) -> int | None:
    """How many of the people serving a product own the roadmap; unknown when none does
    and anyone's ownership is unknown."""
    return None if owners == 0 and any_unknown else owners


_PM, _PO = Role.PRODUCT_MANAGER.value, Role.PRODUCT_OWNER.value

# Every vote but the squad count's takes one of a handful of values, so the
# votes are made once here rather than four times a person.
_ROADMAP_VOTES = {
    None: ScopeVote("owns_roadmap", None, None, "roadmap ownership is unknown"),
    True: ScopeVote("owns_roadmap", True, _PM, "owns the roadmap"),
    False: ScopeVote("owns_roadmap", False, _PO, "does not own the roadmap"),
}
_RESEARCH_VOTES = {
    None: ScopeVote("does_market_research", None, None, "market research is unknown"),
    True: ScopeVote("does_market_research", True, _PM, "does market research"),
    False: ScopeVote("does_market_research", False, _PO, "does no market research"),
}
_MANAGER_VOTES = {
    role: ScopeVote("manager_role", role, _PM, "reports to a product or company leader")
    for role in (Role.EXECUTIVE.value, Role.PRODUCT_LEADER.value)
} | {
    role: ScopeVote("manager_role", role, _PO, "reports to an engineering or product manager")
    for role in (Role.ENGINEERING_MANAGER.value, Role.PRODUCT_MANAGER.value)
}
_SQUAD_VOTES = {
    0: ScopeVote("squads_served", 0, None, "serves no squad"),
    1: ScopeVote("squads_served", 1, _PO, "serves exactly one squad"),
}


def scope_votes(
    *,
    owns_roadmap: bool | None,
    manager_role: str | None,
    does_market_research: bool | None,
    squads_served: int,
) -> tuple[ScopeVote, ...]:
    """The four votes of pm-vs-po-split-or-merge.txt, "Title Inflation": owns the roadmap
    (PM) or not (PO); reports to an executive or product leader (PM) or to an engineering
    or product manager (PO); does market research (PM) or not (PO); serves two or more
    squads (PM) or exactly one (PO). Unknowns and other cases cast no vote."""
    manager_vote = _MANAGER_VOTES.get(manager_role) or ScopeVote(
        "manager_role", manager_role, None, "reporting line does not tell"
    )
    squads_vote = _SQUAD_VOTES.get(squads_served) or ScopeVote(
        "squads_served", squads_served, _PM, "serves two or more squads"
    )
    return (
        _ROADMAP_VOTES[owns_roadmap],
        manager_vote,
        _RESEARCH_VOTES[does_market_research],
        squads_vote,
    )


# The person facts taken from the time buckets, in the catalogue's order.
_SHARE_FACTS = tuple(f"{bucket}_share" for bucket in TIME_BUCKETS)


def _time_shares(time: Mapping[str, int]) -> dict[str, int]:
    """The share facts of a time that was entered: each bucket's share, and the strategic
    share."""
    shares = {
        share: int(time.get(bucket, 0))
        for share, bucket in zip(_SHARE_FACTS, TIME_BUCKETS, strict=True)
    }
    shares["strategic_share"] = shares["strategy_share"] + shares["discovery_share"]
    return shares


def names_known(names: tuple[str, ...] | None) -> bool:
    """Whether markets or personas were entered: no names is unknown, never zero."""
    return bool(names)


class _Scope(NamedTuple):
    """What the scope votes make of one combination of inputs: the votes, how many are a
    PM's and a PO's, and the role they settle on (or None); and the facts of a person
    with these inputs, serving this many products, less their own (None until filled in)."""

    votes: tuple[ScopeVote, ...]
    pm_votes: int
    po_votes: int
    scope_role: str | None
    facts: dict[str, Any]


def _scope_of(
    owns_roadmap: bool | None,
    manager_role: str | None,
    does_market_research: bool | None,
    squads_served: int,
    products_served: int,
    needed: int,
) -> _Scope:
    votes = scope_votes(
        owns_roadmap=owns_roadmap,
        manager_role=manager_role,
        does_market_research=does_market_research,
        squads_served=squads_served,
    )
    pm_votes = sum(1 for v in votes if v.vote == _PM)
    po_votes = sum(1 for v in votes if v.vote == _PO)
    scope_role = None
    if pm_votes >= needed:
        scope_role = _PM
    elif po_votes >= needed:
        scope_role = _PO
    facts = dict.fromkeys(CATALOGUE[Scope.PERSON])
    facts.update(
        scope_role=scope_role,
        squads_served=squads_served,
        products_served=products_served,
        scope_votes_pm=pm_votes,
        scope_votes_po=po_votes,
    )
    return _Scope(votes, pm_votes, po_votes, scope_role, facts)


def compute_facts(snapshot: OrgSnapshot, *, as_of: date, scope_votes_needed: int = 3) -> OrgFacts:
    """Every fact of every product, squad and person, in time linear in the organization's size.

    One pass over each kind of row with dictionaries by id. What repeats across a large
    organization is worked out once per distinct value: a title's role; the scope votes,
    and the person facts they settle, of each combination of their inputs (a few dozen
    at most); the shares of each distinct time allocation.
    """
    squad_product = {s.id: s.product_id for s in snapshot.squads}
    org_methodology = snapshot.methodology
    scrum = Methodology.SCRUM.value

    # Titles repeat ("Software Engineer" a thousand times): match each title once.
    role_of_title: dict[str, str] = {}
    role_of: dict[int, str] = {}
    for p in snapshot.people:
        if p.role:
            role_of[p.id] = p.role
            continue
        role = role_of_title.get(p.title)
        if role is None:
            role = role_of_title[p.title] = role_from_title(p.title, snapshot.title_rules)
        role_of[p.id] = role

    # People, and as each is read, who serves each squad and product: how many PMs and
    # POs serve each squad, and each product's PMs, POs and roadmap owners (every person
    # once, in the snapshot's order, whatever number of its squads they serve).
    pms_of_squad: dict[int, int] = defaultdict(int)
    pos_of_squad: dict[int, int] = defaultdict(int)
    pms_of_product: dict[int, list[PersonIn]] = defaultdict(list)
    pos_of_product: dict[int, list[PersonIn]] = defaultdict(list)
    owners_of_product: dict[int, int] = defaultdict(int)
    unknown_owners: set[int] = set()  # products with someone whose roadmap ownership is unknown
    scopes: dict[tuple, _Scope] = {}
    shares_of: dict[tuple, dict[str, int]] = {}
    people: list[Subject] = []
    for person in snapshot.people:
        # PersonIn's fields in their order: one unpacking, cheaper than eight attribute
        # reads (the title and hand-set role are in role_of already).
        (
            id_,
            name,
            _title,
            _role_by_hand,
            reports_to_id,
            squad_ids,
            time,
            owns_roadmap,
            does_market_research,
            sets_pricing,
        ) = person
        role = role_of[id_]
        manager_role = role_of.get(reports_to_id) if reports_to_id else None
        squads_served = len(squad_ids)
        if squads_served == 1:
            products: tuple[int, ...] = (squad_product[squad_ids[0]],)
        else:
            products = tuple(sorted({squad_product[s] for s in squad_ids}))

        if role == _PM:
            for squad_id in squad_ids:
                pms_of_squad[squad_id] += 1
            for product_id in products:
                pms_of_product[product_id].append(person)
        elif role == _PO:
            for squad_id in squad_ids:
                pos_of_squad[squad_id] += 1
            for product_id in products:
                pos_of_product[product_id].append(person)
        if owns_roadmap is True:
            for product_id in products:
                owners_of_product[product_id] += 1
        elif owns_roadmap is None:
            unknown_owners.update(products)

        # A person's facts are a copy of those their combination of inputs settles (worked
        # out once: a large organization has a few dozen), with their own filled in: far
        # cheaper than a dictionary of nineteen built for each one.
        key = (owns_roadmap, manager_role, does_market_research, squads_served, len(products))
        scope = scopes.get(key)
        if scope is None:
            scope = scopes[key] = _scope_of(*key, scope_votes_needed)
        facts = scope.facts.copy()
        facts["role"] = role
        facts["manager_role"] = manager_role
        facts["owns_roadmap"] = owns_roadmap
        facts["does_market_research"] = does_market_research
        facts["sets_pricing"] = sets_pricing
        if time and any(time.values()):  # time_known(time), without a call for each person
            # Time allocations repeat too (30/30/20/10/5/5): each distinct one's shares
            # are worked out once.
            time_key = (*time, *time.values())
            shares = shares_of.get(time_key)
            if shares is None:
                shares = shares_of[time_key] = _time_shares(time)
            facts.update(shares)
        people.append(Subject._make((Scope.PERSON, id_, name, facts, products, scope.votes)))

    # Squads.
    squads: list[Subject] = []
    squads_of_product: dict[int, list[SquadIn]] = defaultdict(list)
    for squad in snapshot.squads:
        id_, name, product_id, engineers, methodology = squad  # SquadIn's fields in order
        squads_of_product[product_id].append(squad)
        methodology = methodology or org_methodology
        pms, pos = pms_of_squad.get(id_, 0), pos_of_squad.get(id_, 0)
        facts = {
            "engineers": engineers,
            "methodology": methodology,
            "is_scrum": methodology == scrum,
            "product_managers": pms,
            "product_owners": pos,
            "backlog_owners": pms + pos,
        }
        squads.append(Subject._make((Scope.SQUAD, id_, name, facts, (product_id,), ())))

    # Products.
    products_: list[Subject] = []
    squads_per_product: dict[int, Counter[int]] = {}  # by person: merged_backlog_share's
    for product in snapshot.products:
        its_squads = squads_of_product.get(product.id, [])
        pms = pms_of_product.get(product.id, [])
        pos = pos_of_product.get(product.id, [])
        engineers = [s.engineers for s in its_squads]
        facts = {
            "squads": len(its_squads),
            "scrum_squads": sum(
                1 for s in its_squads if (s.methodology or org_methodology) == scrum
            ),
            "engineers": None if None in engineers else sum(engineers),
            "markets": len(product.markets) if names_known(product.markets) else None,
            "personas": len(product.personas) if names_known(product.personas) else None,
            "roadmap_age_days": _age_days(as_of, product.roadmap_updated_on),
            "interview_age_days": _age_days(as_of, product.last_customer_interview_on),
            "reviews_cancelled": product.roadmap_reviews_cancelled,
            "product_managers": len(pms),
            "product_owners": len(pos),
            "pm_squads": max((len(p.squad_ids) for p in pms), default=None),
            "pm_backlog_share": max(
                (int(p.time.get("backlog", 0)) for p in pms if time_known(p.time)), default=None
            ),
            "merged_backlog_share": merged_backlog_share(
                product.id, pms, pos, squad_product, squads_per_product
            ),
            "roadmap_owners": _roadmap_owners(
                owners_of_product.get(product.id, 0), product.id in unknown_owners
            ),
        }
        products_.append(Subject(Scope.PRODUCT, product.id, product.name, facts))

    return OrgFacts(
        organization=snapshot.name,
        slug=snapshot.slug,
        as_of=as_of,
        products=tuple(products_),
        squads=tuple(squads),
        people=tuple(people),
    )
