"""Interchange documents for tests: one small canonical organization and one of any size."""

import copy
import json

from orgs.interchange import FORMAT
from orgs.models import Organization, Person, Product, Squad

# Canonical: every key present, lists sorted by name, so an export of it equals it.
ACME = {
    "format": FORMAT,
    "organization": {"name": "Acme", "methodology": "scrum", "reassess_every_days": 60},
    "products": [
        {
            "name": "Lending",
            "markets": None,
            "personas": None,
            "roadmap_updated_on": None,
            "last_customer_interview_on": None,
            "roadmap_reviews_cancelled": None,
            "squads": [{"name": "Underwriting", "engineers": None, "methodology": "none"}],
        },
        {
            "name": "Payments",
            "markets": ["EU SMB", "US enterprise"],
            "personas": ["Merchant"],
            "roadmap_updated_on": "2026-09-01",
            "last_customer_interview_on": "2026-10-15",
            "roadmap_reviews_cancelled": 2,
            "squads": [
                {"name": "Billing", "engineers": 4, "methodology": "kanban"},
                {"name": "Checkout", "engineers": 6, "methodology": None},
            ],
        },
    ],
    "people": [
        {
            "name": "Dana Lee",
            "title": "Product Manager",
            "role": None,
            "reports_to": "Sam Ortiz",
            "squads": ["Billing", "Checkout"],
            "time": {
                "backlog": 55,
                "strategy": 10,
                "discovery": 5,
                "stakeholders": 20,
                "ceremonies": 10,
                "other": 0,
            },
            "owns_roadmap": True,
            "does_market_research": False,
            "sets_pricing": False,
        },
        {
            "name": "Lee Park",
            "title": "Delivery lead",
            "role": "product_owner",
            "reports_to": "Dana Lee",
            "squads": ["Underwriting"],
            "time": {
                "backlog": 40,
                "strategy": 0,
                "discovery": 0,
                "stakeholders": 10,
                "ceremonies": 30,
                "other": 20,
            },
            "owns_roadmap": False,
            "does_market_research": None,
            "sets_pricing": None,
        },
        {
            "name": "Sam Ortiz",
            "title": "CEO",
            "role": None,
            "reports_to": None,
            "squads": [],
            "time": None,
            "owns_roadmap": None,
            "does_market_research": None,
            "sets_pricing": None,
        },
    ],
}

# Indexes into ACME["people"], so that tests read by name.
DANA, LEE, SAM = 0, 1, 2


def acme(**organization) -> dict:
    """A fresh copy of ACME, with organization keys overridden."""
    document = copy.deepcopy(ACME)
    document["organization"].update(organization)
    return document


def sized(squads: int, name: str = "Sized") -> dict:
    """An organization of `squads` squads, five to a product, each with a PO; a PM per product."""
    products = []
    people = [{"name": "Chief", "title": "CEO"}]
    for p in range(0, squads, 5):
        product_squads = [f"Squad {s:04}" for s in range(p, min(p + 5, squads))]
        products.append(
            {
                "name": f"Product {p:04}",
                "markets": ["EU"],
                "squads": [{"name": s, "engineers": 5} for s in product_squads],
            }
        )
        people.append(
            {
                "name": f"PM {p:04}",
                "title": "Product Manager",
                "reports_to": "Chief",
                "squads": product_squads,
                "time": {"backlog": 30, "strategy": 30},
            }
        )
        people.extend(
            {
                "name": f"PO {s}",
                "title": "Product Owner",
                "reports_to": f"PM {p:04}",
                "squads": [s],
                "time": {"backlog": 70, "ceremonies": 30},
            }
            for s in product_squads
        )
    return {
        "format": FORMAT,
        "organization": {"name": name, "methodology": "scrum"},
        "products": products,
        "people": people,
    }


def row_counts() -> tuple[int, int, int, int, int]:
    """Organizations, products, squads, people and person-squad links: what an import writes."""
    return (
        Organization.objects.count(),
        Product.objects.count(),
        Squad.objects.count(),
        Person.objects.count(),
        Person.squads.through.objects.count(),
    )


def people_document(people: list[dict], name: str = "Crowd") -> dict:
    """A document of these people only, no products."""
    return {"format": FORMAT, "organization": {"name": name}, "people": people}


def reporting_loop(size: int, prefix: str = "p") -> list[dict]:
    """People p0 … p(size-1), each reporting to the next and the last back to p0."""
    return [
        {"name": f"{prefix}{i}", "reports_to": f"{prefix}{(i + 1) % size}"} for i in range(size)
    ]


def one_manager(reports: int) -> list[dict]:
    """A boss and `reports` people reporting straight to them, the boss listed last."""
    return [
        *({"name": f"Report {i:05}", "reports_to": "Boss"} for i in range(reports)),
        {"name": "Boss"},
    ]


def acme_text(*replacements: tuple[str, str]) -> str:
    """ACME as JSON text (non-ASCII escaped), with each (old, new) replaced everywhere."""
    text = json.dumps(ACME, indent=2)
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


# Documents the parser or the validator must refuse by path, never with a traceback:
# (id, JSON text, the problems).
HOSTILE = [
    (
        "lone surrogate in a string",
        acme_text(('"CEO"', '"\\ud800"')),
        ["people[2].title: is not valid text (it holds a lone surrogate)"],
    ),
    (
        "lone surrogate in a key",
        acme_text(('"owns_roadmap": null', '"\\udc00x": null')),
        ['people[2]["\\udc00x"]: the key is not valid text (it holds a lone surrogate)'],
    ),
    (
        "integer of 5,000 digits",
        acme_text(('"reassess_every_days": 60', '"reassess_every_days": ' + "9" * 5000)),
        [
            "organization.reassess_every_days: is a number of 5,000 digits; "
            "at most 20 digits allowed"
        ],
    ),
    (
        "integer of 21 digits",
        acme_text(('"engineers": 6', '"engineers": -' + "1" * 21)),
        ["products[1].squads[1].engineers: is a number of 21 digits; at most 20 digits allowed"],
    ),
    (
        "NaN, Infinity and -Infinity",
        acme_text(
            ('"roadmap_reviews_cancelled": 2', '"roadmap_reviews_cancelled": NaN'),
            ('"engineers": 4', '"engineers": Infinity'),
            ('"engineers": 6', '"engineers": -Infinity'),
        ),
        [
            "products[1].roadmap_reviews_cancelled: NaN is not a JSON value",
            "products[1].squads[0].engineers: Infinity is not a JSON value",
            "products[1].squads[1].engineers: -Infinity is not a JSON value",
        ],
    ),
    (
        "a number too large for a float",
        acme_text(('"engineers": 6', '"engineers": 1e999')),
        ["products[1].squads[1].engineers: is a number too large to hold"],
    ),
    (
        "duplicate keys",
        acme_text(
            ('"name": "Acme",', '"name": "Acme", "name": "Evil Corp",'),
            ('"backlog": 40,', '"backlog": 40, "backlog": 0, "backlog": 10,'),
        ),
        [
            'organization.name: key "name" is written 2 times; write it once',
            'people[1].time.backlog: key "backlog" is written 3 times; write it once',
        ],
    ),
    (
        "control characters in names and titles",
        acme_text(
            ('"Checkout"', '"Check\\tout"'),
            ('"Delivery lead"', '"Delivery\\nlead"'),
            ('"EU SMB"', '"EU\\u001bSMB"'),
        ),
        [
            "products[1].markets[0]: must not contain control characters (U+001B at character 3)",
            "products[1].squads[1].name: must not contain control characters "
            "(U+0009 at character 6)",
            "people[1].title: must not contain control characters (U+000A at character 9)",
        ],
    ),
]
