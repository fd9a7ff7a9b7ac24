"""The organization as the engine reads it: plain, frozen data, no ORM.

`advisor.loading` builds one from the database in a fixed number of queries; tests
build them by hand (`tests/advisor/builders.py`). Unknown inputs are None.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from orgs.titles import TitleRule


@dataclass(frozen=True)
class ProductIn:
    id: int
    name: str
    markets: tuple[str, ...] | None = ()
    personas: tuple[str, ...] | None = ()
    roadmap_updated_on: date | None = None
    last_customer_interview_on: date | None = None
    roadmap_reviews_cancelled: int | None = None


@dataclass(frozen=True)
class SquadIn:
    id: int
    name: str
    product_id: int
    engineers: int | None = None
    methodology: str = ""  # blank: the organization's


@dataclass(frozen=True)
class PersonIn:
    id: int
    name: str
    title: str = ""
    role: str = ""  # blank: derived from the title
    reports_to_id: int | None = None
    squad_ids: tuple[int, ...] = ()
    time: Mapping[str, int] = field(default_factory=dict)
    owns_roadmap: bool | None = None
    does_market_research: bool | None = None
    sets_pricing: bool | None = None


@dataclass(frozen=True)
class OrgSnapshot:
    name: str
    slug: str
    methodology: str
    products: tuple[ProductIn, ...]
    squads: tuple[SquadIn, ...]
    people: tuple[PersonIn, ...]
    title_rules: tuple[TitleRule, ...]
