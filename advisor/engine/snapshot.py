"""The organization as the engine reads it: plain, frozen data, no ORM.

`advisor.loading` builds one from the database in a fixed number of queries; tests
build them by hand (`tests/advisor/builders.py`). Unknown inputs are None.

Products, squads and people are named tuples rather than frozen dataclasses: a
large organization makes thousands of them on every assessment, and a named tuple
is built about three times faster (0.4 against 1.1 microseconds for six fields on
the benchmark machine), with the same keyword construction and attribute reads.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import NamedTuple

from orgs.titles import TitleRule

NO_TIME: Mapping[str, int] = MappingProxyType({})


class ProductIn(NamedTuple):
    id: int
    name: str
    markets: tuple[str, ...] | None = ()
    personas: tuple[str, ...] | None = ()
    roadmap_updated_on: date | None = None
    last_customer_interview_on: date | None = None
    roadmap_reviews_cancelled: int | None = None


class SquadIn(NamedTuple):
    id: int
    name: str
    product_id: int
    engineers: int | None = None
    methodology: str = ""  # blank: the organization's


class PersonIn(NamedTuple):
    id: int
    name: str
    title: str = ""
    role: str = ""  # blank: derived from the title
    reports_to_id: int | None = None
    squad_ids: tuple[int, ...] = ()
    time: Mapping[str, int] = NO_TIME
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
