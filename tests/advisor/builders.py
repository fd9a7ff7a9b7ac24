"""Small builders for engine tests: an organization as plain data, no database."""

from datetime import date

from advisor.defaults import default_specs
from advisor.engine import HeuristicSpec, Result, StaffingRules, assess
from advisor.engine.facts import Subject, compute_facts
from advisor.engine.snapshot import OrgSnapshot, PersonIn, ProductIn, SquadIn
from orgs.titles import DEFAULT_TITLE_PATTERNS, TitleRule

AS_OF = date(2026, 11, 23)
DEFAULT_RULES = tuple(TitleRule(p, str(r)) for p, r in DEFAULT_TITLE_PATTERNS)


def product(name: str = "Payments", id: int = 1, **kw) -> ProductIn:
    kw.setdefault("markets", ("EU SMB",))
    kw.setdefault("personas", ("Merchant",))
    kw.setdefault("roadmap_updated_on", date(2026, 11, 1))
    kw.setdefault("last_customer_interview_on", date(2026, 11, 1))
    kw.setdefault("roadmap_reviews_cancelled", 0)
    return ProductIn(id=id, name=name, **kw)


def squad(name: str, id: int, product_id: int = 1, **kw) -> SquadIn:
    kw.setdefault("engineers", 5)
    return SquadIn(id=id, name=name, product_id=product_id, **kw)


def person(name: str, id: int, title: str = "Product Manager", **kw) -> PersonIn:
    return PersonIn(id=id, name=name, title=title, **kw)


def snapshot(
    products=(), squads=(), people=(), methodology: str = "scrum", name: str = "Acme"
) -> OrgSnapshot:
    return OrgSnapshot(
        name=name,
        slug=name.lower(),
        methodology=methodology,
        products=tuple(products),
        squads=tuple(squads),
        people=tuple(people),
        title_rules=DEFAULT_RULES,
    )


def run(
    snap: OrgSnapshot,
    heuristics: list[HeuristicSpec] | None = None,
    rules: StaffingRules | None = None,
) -> Result:
    return assess(
        snap, default_specs() if heuristics is None else heuristics, as_of=AS_OF, rules=rules
    )


def facts_of(snap: OrgSnapshot, scope_votes_needed: int = 3):
    return compute_facts(snap, as_of=AS_OF, scope_votes_needed=scope_votes_needed)


def fired(result: Result, subject: Subject) -> list[str]:
    return [f.heuristic for f in result.findings_for(subject)]


def only(specs: list[HeuristicSpec], code: str) -> list[HeuristicSpec]:
    return [s for s in specs if s.code == code]
