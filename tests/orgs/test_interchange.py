import io
import json
from datetime import date

import pytest
from django.conf import settings
from django.db import IntegrityError, connection
from django.db.models import signals
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from orgs.interchange import (
    FORMAT,
    MAX_PROBLEMS,
    InterchangeError,
    Problem,
    dumps,
    export_document,
    import_document,
    parse_document,
    read_document,
    validate_document,
)
from orgs.models import MemberRole, Membership, Organization, Person, Product, Squad
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.helpers import lose_the_slug_race
from tests.orgs.documents import (
    ACME,
    DANA,
    HOSTILE,
    LEE,
    SAM,
    acme,
    one_manager,
    people_document,
    reporting_loop,
    row_counts,
    sized,
)


def put(*path, value):
    """A change to a document: set the value at path (keys and list indexes)."""

    def change(document: dict) -> None:
        target = document
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return change


def drop(*path):
    def change(document: dict) -> None:
        target = document
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return change


def validate_or_raise(document: dict) -> None:
    problems = validate_document(document)
    if problems:
        raise InterchangeError(problems)


def problems_of(document) -> list[str]:
    return [str(p) for p in validate_document(document)]


PERSON_KEYS = (
    "name, title, role, reports_to, squads, time, owns_roadmap, does_market_research "
    "or sets_pricing"
)

# One change to ACME each, and exactly what the validation says about it.
BAD_DOCUMENTS = [
    pytest.param(
        put("format", value="team-structure-advisor/v2"),
        ['format: must be "team-structure-advisor/v1", not "team-structure-advisor/v2"'],
        id="wrong format",
    ),
    pytest.param(
        drop("format"), ['format: is required; use "team-structure-advisor/v1"'], id="no format"
    ),
    pytest.param(
        put("format", value=1),
        ['format: must be "team-structure-advisor/v1", not 1'],
        id="format not a string",
    ),
    pytest.param(
        put("peoples", value=[]),
        ['peoples: unknown key (did you mean "people"?)'],
        id="top-level typo",
    ),
    pytest.param(
        put("products", 1, "squad", value=[]),
        ['products[1].squad: unknown key (did you mean "squads"?)'],
        id="product typo",
    ),
    pytest.param(
        put("people", SAM, "shoe size", value=44),
        [f'people[2]["shoe size"]: unknown key (expected {PERSON_KEYS})'],
        id="unknown key without a close match",
    ),
    pytest.param(
        put("organization", "methodolgy", value="scrum"),
        ['organization.methodolgy: unknown key (did you mean "methodology"?)'],
        id="organization typo",
    ),
    pytest.param(drop("organization"), ["organization: is required"], id="no organization"),
    pytest.param(
        put("organization", value=["Acme"]),
        ["organization: must be an object, not a list"],
        id="organization not an object",
    ),
    pytest.param(
        drop("organization", "name"), ["organization.name: is required"], id="no organization name"
    ),
    pytest.param(
        put("organization", "name", value=None),
        ["organization.name: is required"],
        id="null organization name",
    ),
    pytest.param(
        put("organization", "name", value="   "),
        ["organization.name: must not be blank"],
        id="blank organization name",
    ),
    pytest.param(
        put("organization", "name", value="x" * 201),
        ["organization.name: is 201 characters long; at most 200 allowed"],
        id="organization name too long",
    ),
    pytest.param(
        put("organization", "methodology", value="agile"),
        ['organization.methodology: unknown methodology "agile"; use scrum, kanban, other or none'],
        id="unknown organization methodology",
    ),
    pytest.param(
        put("organization", "methodology", value=True),
        ["organization.methodology: must be a string, not true"],
        id="organization methodology not a string",
    ),
    pytest.param(
        put("organization", "reassess_every_days", value=0),
        ["organization.reassess_every_days: must be at least 1"],
        id="reassess every 0 days",
    ),
    pytest.param(
        put("organization", "reassess_every_days", value=3651),
        ["organization.reassess_every_days: must be at most 3650"],
        id="reassess every 10 years",
    ),
    pytest.param(
        put("organization", "reassess_every_days", value=True),
        ["organization.reassess_every_days: must be a whole number, not true"],
        id="reassess is a boolean",
    ),
    pytest.param(
        put("organization", "reassess_every_days", value=30.5),
        ["organization.reassess_every_days: must be a whole number, not 30.5"],
        id="reassess not whole",
    ),
    pytest.param(
        put("products", value={"Payments": {}}),
        [
            "products: must be a list, not an object",
            'people[0].squads[0]: no squad named "Billing"',
            'people[0].squads[1]: no squad named "Checkout"',
            'people[1].squads[0]: no squad named "Underwriting"',
        ],
        id="products not a list",
    ),
    pytest.param(
        put("products", 0, value="Lending"),
        [
            "products[0]: must be an object, not a string",
            'people[1].squads[0]: no squad named "Underwriting"',
        ],
        id="product not an object",
    ),
    pytest.param(
        drop("products", 0, "name"), ["products[0].name: is required"], id="no product name"
    ),
    pytest.param(
        put("products", 0, "name", value=7),
        ["products[0].name: must be a string, not 7"],
        id="product name a number",
    ),
    pytest.param(
        put("products", 0, "name", value=" Lending"),
        ["products[0].name: must not start or end with spaces"],
        id="product name with spaces",
    ),
    pytest.param(
        put("products", 0, "name", value="Lend\x00ing"),
        ["products[0].name: must not contain NUL characters"],
        id="product name with NUL",
    ),
    pytest.param(
        put("products", 1, "name", value="Lending"),
        ['products[1].name: another product is named "Lending" (products[0])'],
        id="duplicate product",
    ),
    pytest.param(
        put("products", 0, "squads", 0, "name", value="Checkout"),
        [
            'products[1].squads[1].name: another squad is named "Checkout" (products[0].squads[0])',
            'people[1].squads[0]: no squad named "Underwriting"',
        ],
        id="duplicate squad across products",
    ),
    pytest.param(
        put("products", 1, "squads", 0, "name", value="Checkout"),
        [
            'products[1].squads[1].name: another squad is named "Checkout" (products[1].squads[0])',
            'people[0].squads[0]: no squad named "Billing"',
        ],
        id="duplicate squad in one product",
    ),
    pytest.param(
        drop("products", 0, "squads", 0, "name"),
        [
            "products[0].squads[0].name: is required",
            'people[1].squads[0]: no squad named "Underwriting"',
        ],
        id="no squad name",
    ),
    pytest.param(
        put("products", 0, "squads", value="Underwriting"),
        [
            "products[0].squads: must be a list, not a string",
            'people[1].squads[0]: no squad named "Underwriting"',
        ],
        id="squads not a list",
    ),
    pytest.param(
        put("products", 1, "squads", 0, "engineers", value=-1),
        ["products[1].squads[0].engineers: must not be negative"],
        id="negative engineers",
    ),
    pytest.param(
        put("products", 1, "squads", 0, "engineers", value="4"),
        ["products[1].squads[0].engineers: must be a whole number, not a string"],
        id="engineers a string",
    ),
    pytest.param(
        put("products", 1, "squads", 0, "engineers", value=2**31),
        ["products[1].squads[0].engineers: must be at most 2147483647"],
        id="engineers too many for the column",
    ),
    pytest.param(
        put("products", 1, "squads", 0, "methodology", value=""),
        [
            'products[1].squads[0].methodology: unknown methodology ""; '
            "use scrum, kanban, other, none or null"
        ],
        id="blank squad methodology",
    ),
    pytest.param(
        put("products", 1, "squads", 0, "methodology", value=["scrum"]),
        ["products[1].squads[0].methodology: must be a string or null, not a list"],
        id="squad methodology a list",
    ),
    pytest.param(
        put("products", 1, "roadmap_reviews_cancelled", value=-2),
        ["products[1].roadmap_reviews_cancelled: must not be negative"],
        id="negative reviews cancelled",
    ),
    pytest.param(
        put("products", 1, "roadmap_updated_on", value="01/09/2026"),
        ['products[1].roadmap_updated_on: must be a date as YYYY-MM-DD, not "01/09/2026"'],
        id="date not ISO",
    ),
    pytest.param(
        put("products", 1, "roadmap_updated_on", value="2026-09-01T10:00:00"),
        ['products[1].roadmap_updated_on: must be a date as YYYY-MM-DD, not "2026-09-01T10:00:00"'],
        id="date with a time",
    ),
    pytest.param(
        put("products", 1, "last_customer_interview_on", value="2026-02-30"),
        ['products[1].last_customer_interview_on: "2026-02-30" is not a real date'],
        id="date not real",
    ),
    pytest.param(
        put("products", 1, "last_customer_interview_on", value=20260901),
        [
            "products[1].last_customer_interview_on: must be a date as YYYY-MM-DD or null, "
            "not 20260901"
        ],
        id="date a number",
    ),
    pytest.param(
        put("products", 1, "markets", value="EU SMB"),
        ["products[1].markets: must be a list of names, not a string"],
        id="markets not a list",
    ),
    pytest.param(
        put("products", 1, "markets", value=["EU SMB", "eu smb "]),
        ['products[1].markets[1]: "eu smb " is listed twice (also at products[1].markets[0])'],
        id="markets repeat",
    ),
    pytest.param(
        put("products", 1, "personas", value=[" "]),
        ["products[1].personas[0]: must not be blank"],
        id="blank persona",
    ),
    pytest.param(
        put("products", 1, "personas", value=[1]),
        ["products[1].personas[0]: must be a string, not 1"],
        id="persona a number",
    ),
    pytest.param(
        put("people", LEE, value=None),
        [
            "people[1]: must be an object, not null",
        ],
        id="person not an object",
    ),
    pytest.param(
        drop("people", SAM, "name"),
        [
            'people[0].reports_to: no person named "Sam Ortiz"',
            "people[2].name: is required",
        ],
        id="no person name",
    ),
    pytest.param(
        put("people", LEE, "name", value="Dana Lee"),
        ['people[1].name: another person is named "Dana Lee" (people[0])'],
        id="duplicate person",
    ),
    pytest.param(
        put("people", DANA, "title", value="x" * 201),
        ["people[0].title: is 201 characters long; at most 200 allowed"],
        id="title too long",
    ),
    pytest.param(
        put("people", DANA, "title", value=7),
        ["people[0].title: must be a string, not 7"],
        id="title a number",
    ),
    pytest.param(
        put("people", DANA, "role", value="pm"),
        [
            'people[0].role: unknown role "pm"; use executive, product_leader, product_manager, '
            "product_owner, engineering_manager, other or null"
        ],
        id="unknown role",
    ),
    pytest.param(
        put("people", DANA, "role", value=3),
        ["people[0].role: must be a string or null, not 3"],
        id="role a number",
    ),
    pytest.param(
        put("people", DANA, "reports_to", value="Sam Ortis"),
        ['people[0].reports_to: no person named "Sam Ortis"'],
        id="unknown manager",
    ),
    pytest.param(
        put("people", DANA, "reports_to", value=2),
        ["people[0].reports_to: must be a string, not 2"],
        id="manager not a name",
    ),
    pytest.param(
        put("people", SAM, "reports_to", value="Sam Ortiz"),
        ["people[2].reports_to: a person cannot report to themselves"],
        id="reports to self",
    ),
    pytest.param(
        put("people", SAM, "reports_to", value="Dana Lee"),
        ["people[0].reports_to: reporting loop: Dana Lee -> Sam Ortiz -> Dana Lee"],
        id="loop of two",
    ),
    pytest.param(
        put("people", SAM, "reports_to", value="Lee Park"),
        ["people[0].reports_to: reporting loop: Dana Lee -> Sam Ortiz -> Lee Park -> Dana Lee"],
        id="loop of three",
    ),
    pytest.param(
        put("people", DANA, "squads", 0, value="Chekout"),
        ['people[0].squads[0]: no squad named "Chekout"'],
        id="unknown squad",
    ),
    pytest.param(
        put("people", DANA, "squads", value=["Checkout", "Checkout"]),
        ['people[0].squads[1]: "Checkout" is listed twice (also at people[0].squads[0])'],
        id="squad listed twice",
    ),
    pytest.param(
        put("people", DANA, "squads", value="Checkout"),
        ["people[0].squads: must be a list of squad names, not a string"],
        id="squads a string",
    ),
    pytest.param(
        put("people", DANA, "squads", value=[{"name": "Checkout"}]),
        ["people[0].squads[0]: must be a string, not an object"],
        id="squad not a name",
    ),
    pytest.param(
        put("people", DANA, "time", value=[55, 10]),
        ["people[0].time: must be an object, not a list"],
        id="time not an object",
    ),
    pytest.param(
        put("people", DANA, "time", "backlog", value=101),
        [
            "people[0].time.backlog: must be at most 100",
        ],
        id="share over 100",
    ),
    pytest.param(
        put("people", DANA, "time", "backlog", value=-5),
        ["people[0].time.backlog: must not be negative"],
        id="negative share",
    ),
    pytest.param(
        put("people", DANA, "time", "backlog", value=10.5),
        ["people[0].time.backlog: must be a whole number, not 10.5"],
        id="share not whole",
    ),
    pytest.param(
        put("people", DANA, "time", "backlog", value=True),
        ["people[0].time.backlog: must be a whole number, not true"],
        id="share a boolean",
    ),
    pytest.param(
        put("people", DANA, "time", "meetings", value=0),
        [
            "people[0].time.meetings: unknown time key "
            "(expected backlog, strategy, discovery, stakeholders, ceremonies or other)"
        ],
        id="unknown time key",
    ),
    pytest.param(
        put("people", DANA, "time", "other", value=10),
        ["people[0].time: time shares add up to 110%; at most 100% allowed"],
        id="shares over 100 together",
    ),
    pytest.param(
        put("people", DANA, "owns_roadmap", value="yes"),
        ["people[0].owns_roadmap: must be true, false or null, not a string"],
        id="responsibility not a boolean",
    ),
    pytest.param(
        put("people", DANA, "sets_pricing", value=0),
        ["people[0].sets_pricing: must be true, false or null, not 0"],
        id="responsibility a number",
    ),
]


class TestParseDocument:
    def test_returns_the_object(self):
        assert parse_document(dumps(ACME)) == ACME
        assert parse_document(dumps(ACME).encode()) == ACME

    def test_reads_utf8_with_a_byte_order_mark(self):
        assert parse_document(b"\xef\xbb\xbf" + dumps(ACME).encode()) == ACME

    @override_settings(ORG_DOCUMENT_MAX_BYTES=10_000)
    def test_refuses_a_document_over_the_limit_naming_it(self):
        with pytest.raises(InterchangeError) as e:
            parse_document(b" " * 10_001)
        assert [str(p) for p in e.value.problems] == [
            "document is larger than the limit of 10,000 bytes (ORG_DOCUMENT_MAX_BYTES)"
        ]

    @override_settings(ORG_DOCUMENT_MAX_BYTES=10_000)
    def test_counts_text_in_utf8_bytes(self):
        # 5,001 characters of two bytes each: under 10,000 characters, over 10,000 bytes.
        with pytest.raises(InterchangeError) as e:
            parse_document('"' + "é" * 5_000 + '"')
        assert str(e.value) == (
            "document is larger than the limit of 10,000 bytes (ORG_DOCUMENT_MAX_BYTES)"
        )

    @override_settings(ORG_DOCUMENT_MAX_BYTES=10_000)
    def test_accepts_exactly_the_limit(self):
        text = dumps(ACME)
        raw = text + " " * (10_000 - len(text.encode()))
        assert len(raw.encode()) == 10_000
        assert parse_document(raw) == ACME
        assert parse_document(raw.encode()) == ACME

    def test_the_default_limit_is_100_mb(self):
        assert settings.ORG_DOCUMENT_MAX_BYTES == 100 * 1024 * 1024


class TestReadDocument:
    @override_settings(ORG_DOCUMENT_MAX_BYTES=3 * 1024 * 1024)
    def test_stops_one_byte_past_the_limit(self):
        stream = io.BytesIO(b" " * (10 * 1024 * 1024))
        with pytest.raises(InterchangeError) as e:
            read_document(stream)
        assert str(e.value) == (
            "document is larger than the limit of 3,145,728 bytes (ORG_DOCUMENT_MAX_BYTES)"
        )
        assert stream.tell() == 3 * 1024 * 1024 + 1

    @override_settings(ORG_DOCUMENT_MAX_BYTES=3 * 1024 * 1024)
    def test_reads_a_document_of_exactly_the_limit(self):
        assert read_document(io.BytesIO(b"x" * (3 * 1024 * 1024))) == b"x" * (3 * 1024 * 1024)

    def test_reads_text_as_utf8(self):
        assert read_document(io.StringIO('{"name": "Zoë"}')) == '{"name": "Zoë"}'.encode()

    def test_reports_bad_json_with_line_and_column(self):
        with pytest.raises(InterchangeError) as e:
            parse_document('{\n  "format": "x",\n  "organization" {}\n}')
        assert [str(p) for p in e.value.problems] == [
            "not valid JSON: Expecting ':' delimiter at line 3, column 18"
        ]

    @pytest.mark.parametrize(
        ("text", "expected"), [case[1:] for case in HOSTILE], ids=[case[0] for case in HOSTILE]
    )
    def test_refuses_a_hostile_document_by_path(self, text, expected):
        with pytest.raises(InterchangeError) as e:
            validate_or_raise(parse_document(text.encode()))
        assert [str(p) for p in e.value.problems] == expected

    def test_lists_at_most_fifty_unreadable_values(self):
        with pytest.raises(InterchangeError) as e:
            parse_document('{"x": [' + ", ".join(["NaN"] * 1000) + "]}")
        assert len(e.value.problems) == MAX_PROBLEMS + 1
        assert str(e.value.problems[0]) == "x[0]: NaN is not a JSON value"
        assert str(e.value.problems[-1]) == "... and 950 more problems, not listed"
        assert e.value.count == 1000

    def test_keeps_a_surrogate_pair(self):
        assert parse_document('{"name": "\\ud83d\\ude00"}') == {"name": "\U0001f600"}

    def test_refuses_bytes_that_are_not_utf8(self):
        with pytest.raises(InterchangeError) as e:
            parse_document(b'{"name": "\xff"}')
        assert str(e.value) == "document is not UTF-8 text (byte 11 is not valid)"

    def test_refuses_deep_nesting(self):
        with pytest.raises(InterchangeError) as e:
            parse_document("[" * 100_000)
        assert str(e.value) == "not valid JSON: nested too deeply"

    def test_refuses_anything_but_an_object(self):
        with pytest.raises(InterchangeError) as e:
            parse_document("[]")
        assert str(e.value) == "document must be a JSON object, not a list"


class TestProblem:
    def test_reads_as_path_and_message(self):
        problem = Problem("people[3].squads[0]", 'no squad named "Chekout"')
        assert str(problem) == 'people[3].squads[0]: no squad named "Chekout"'

    def test_without_a_path_reads_as_the_message(self):
        assert str(Problem("", "not valid JSON")) == "not valid JSON"


class TestValidateDocument:
    def test_accepts_a_valid_document(self):
        assert validate_document(ACME) == []

    def test_accepts_a_minimal_document(self):
        assert validate_document({"format": FORMAT, "organization": {"name": "Tiny"}}) == []

    def test_null_lists_mean_none(self):
        document = acme()
        document["people"] = None
        document["products"][0]["squads"] = None
        document["products"][1]["markets"] = None
        assert problems_of(document) == []

    def test_refuses_anything_but_an_object(self):
        assert problems_of([ACME]) == ["document must be a JSON object, not a list"]

    @pytest.mark.parametrize(("change", "expected"), BAD_DOCUMENTS)
    def test_reports_each_problem_by_its_path(self, change, expected):
        document = acme()
        change(document)
        assert problems_of(document) == expected

    def test_reports_every_problem_of_a_document_in_document_order(self):
        document = acme(methodology="waterfall")
        document["products"][1]["squads"][0]["engineers"] = -3
        document["products"][1]["roadmap_updated_on"] = "2026-13-01"
        document["people"][DANA]["squads"] = ["Chekout"]
        document["people"][DANA]["time"]["strategy"] = 50
        document["people"][LEE]["role"] = "scrum_master"
        document["people"][SAM]["reports_to"] = "Sam Ortiz"
        assert problems_of(document) == [
            'organization.methodology: unknown methodology "waterfall"; '
            "use scrum, kanban, other or none",
            'products[1].roadmap_updated_on: "2026-13-01" is not a real date',
            "products[1].squads[0].engineers: must not be negative",
            'people[0].squads[0]: no squad named "Chekout"',
            "people[0].time: time shares add up to 140%; at most 100% allowed",
            'people[1].role: unknown role "scrum_master"; use executive, product_leader, '
            "product_manager, product_owner, engineering_manager, other or null",
            "people[2].reports_to: a person cannot report to themselves",
        ]

    def test_a_loop_under_a_manager_outside_it_names_only_the_loop(self):
        document = acme()
        # Sam and Lee manage each other; Dana reports into the loop without being on it.
        document["people"][SAM]["reports_to"] = "Lee Park"
        document["people"][LEE]["reports_to"] = "Sam Ortiz"
        assert problems_of(document) == [
            "people[1].reports_to: reporting loop: Lee Park -> Sam Ortiz -> Lee Park",
        ]

    def test_names_are_compared_exactly(self):
        document = acme()
        document["products"][0]["squads"][0]["name"] = "checkout"
        document["people"][LEE]["squads"] = ["checkout"]
        assert problems_of(document) == []


@pytest.mark.django_db
class TestImportDocument:
    def test_creates_the_exact_rows(self):
        organization = import_document(acme())

        assert (organization.name, organization.slug) == ("Acme", "acme")
        assert (organization.methodology, organization.reassess_every_days) == ("scrum", 60)
        payments = Product.objects.get(organization=organization, name="Payments")
        assert payments.markets == ["EU SMB", "US enterprise"]
        assert payments.personas == ["Merchant"]
        assert payments.roadmap_updated_on == date(2026, 9, 1)
        assert payments.last_customer_interview_on == date(2026, 10, 15)
        assert payments.roadmap_reviews_cancelled == 2
        assert sorted(payments.squads.values_list("name", "engineers", "methodology")) == [
            ("Billing", 4, "kanban"),
            ("Checkout", 6, ""),
        ]
        lending = Product.objects.get(organization=organization, name="Lending")
        assert (lending.markets, lending.roadmap_updated_on, lending.roadmap_reviews_cancelled) == (
            [],
            None,
            None,
        )
        underwriting = Squad.objects.get(name="Underwriting")
        assert (underwriting.organization, underwriting.product) == (organization, lending)
        assert (underwriting.engineers, underwriting.methodology) == (None, "none")

        dana = Person.objects.get(organization=organization, name="Dana Lee")
        assert (dana.title, dana.role) == ("Product Manager", "")
        assert dana.reports_to.name == "Sam Ortiz"
        assert sorted(dana.squads.values_list("name", flat=True)) == ["Billing", "Checkout"]
        assert dana.time == {
            "backlog": 55,
            "strategy": 10,
            "discovery": 5,
            "stakeholders": 20,
            "ceremonies": 10,
            "other": 0,
        }
        assert (dana.owns_roadmap, dana.does_market_research, dana.sets_pricing) == (
            True,
            False,
            False,
        )
        lee = Person.objects.get(organization=organization, name="Lee Park")
        assert (lee.role, lee.reports_to, list(lee.squads.all())) == (
            "product_owner",
            dana,
            [underwriting],
        )
        sam = Person.objects.get(organization=organization, name="Sam Ortiz")
        assert (sam.reports_to, list(sam.squads.all()), sam.time_total) == (None, [], 0)
        assert (sam.owns_roadmap, sam.does_market_research, sam.sets_pricing) == (None, None, None)
        assert Membership.objects.count() == 0

    def test_missing_keys_take_their_defaults(self):
        organization = import_document(
            {
                "format": FORMAT,
                "organization": {"name": "Tiny"},
                "products": [{"name": "App", "squads": [{"name": "Core"}]}],
                "people": [{"name": "Ana", "squads": ["Core"], "time": {"backlog": 20}}],
            }
        )
        assert (organization.methodology, organization.reassess_every_days) == ("scrum", 90)
        product = organization.products.get()
        assert (product.markets, product.personas, product.roadmap_reviews_cancelled) == (
            [],
            [],
            None,
        )
        squad = product.squads.get()
        assert (squad.engineers, squad.methodology) == (None, "")
        ana = organization.people.get()
        assert (ana.title, ana.role, ana.reports_to) == ("", "", None)
        assert ana.time == {
            "backlog": 20,
            "strategy": 0,
            "discovery": 0,
            "stakeholders": 0,
            "ceremonies": 0,
            "other": 0,
        }
        assert (ana.owns_roadmap, ana.does_market_research, ana.sets_pricing) == (None, None, None)

    @pytest.mark.parametrize(("change", "expected"), BAD_DOCUMENTS)
    def test_a_bad_document_writes_nothing(self, change, expected):
        import_document(acme(name="Globex"))
        before = row_counts()
        document = acme()
        change(document)
        with pytest.raises(InterchangeError) as e:
            import_document(document)
        assert [str(p) for p in e.value.problems] == expected
        assert row_counts() == before

    def test_refuses_an_existing_name_without_replace(self):
        import_document(acme())
        before = row_counts()
        with pytest.raises(InterchangeError) as e:
            import_document(acme(reassess_every_days=30))
        assert [str(p) for p in e.value.problems] == [
            'organization.name: an organization named "Acme" exists; replace it (--replace, or '
            '"Replace my organization of the same name" when uploading) or rename this one'
        ]
        assert row_counts() == before
        assert Organization.objects.get().reassess_every_days == 60

    def test_replace_keeps_the_slug_and_memberships(self):
        original = import_document(acme())
        original.slug = "acme-corp"
        original.save()
        membership = MembershipFactory(organization=original, role=MemberRole.EDITOR)
        old_pk = dict(Person.objects.values_list("name", "pk"))
        old_people = set(old_pk.values())
        document = acme(methodology="kanban")
        del document["products"][0]
        document["people"][LEE]["squads"] = ["Checkout"]
        document["people"][SAM]["name"] = "Sam Ortiz-Reyes"
        document["people"][DANA]["reports_to"] = "Sam Ortiz-Reyes"

        replaced = import_document(document, replace=True)

        assert (replaced.pk, replaced.slug, replaced.methodology) == (
            original.pk,
            "acme-corp",
            "kanban",
        )
        assert list(replaced.memberships.all()) == [membership]
        assert list(replaced.products.values_list("name", flat=True)) == ["Payments"]
        assert list(Squad.objects.values_list("name", flat=True)) == ["Billing", "Checkout"]
        assert list(replaced.people.values_list("name", "reports_to__name")) == [
            ("Dana Lee", "Sam Ortiz-Reyes"),
            ("Lee Park", "Dana Lee"),
            ("Sam Ortiz-Reyes", None),
        ]
        # Dana and Lee are kept under their ids; Sam, renamed, is a new person.
        assert set(Person.objects.values_list("pk", flat=True)) & old_people == {
            old_pk["Dana Lee"],
            old_pk["Lee Park"],
        }
        assert Organization.objects.count() == 1

    def test_replace_updates_in_place_whatever_the_document_keeps(self):
        organization = import_document(acme())
        before = {
            (model.__name__, row["name"]): row
            for model in (Product, Squad, Person)
            for row in model.objects.values("name", "pk", "created_at", "updated_at")
        }
        document = acme()
        document["people"][DANA]["time"] = {"backlog": 30, "strategy": 30}
        document["people"][LEE]["squads"] = ["Checkout"]

        import_document(document, replace=True)

        after = {
            (model.__name__, row["name"]): row
            for model in (Product, Squad, Person)
            for row in model.objects.values("name", "pk", "created_at", "updated_at")
        }
        assert after.keys() == before.keys()
        for key, row in after.items():
            assert (row["pk"], row["created_at"]) == (before[key]["pk"], before[key]["created_at"])
        changed = {
            key for key, row in after.items() if row["updated_at"] != before[key]["updated_at"]
        }
        assert changed == {("Person", "Dana Lee"), ("Person", "Lee Park")}
        dana = organization.people.get(name="Dana Lee")
        assert (dana.time_backlog, dana.time_strategy, dana.time_ceremonies) == (30, 30, 0)
        assert list(
            organization.people.get(name="Lee Park").squads.values_list("name", flat=True)
        ) == ["Checkout"]

    def test_replace_leaves_other_organizations_alone(self):
        globex = import_document(acme(name="Globex"))
        import_document(acme())
        import_document(acme(), replace=True)
        assert globex.people.count() == 3
        assert globex.products.count() == 2

    def test_replace_creates_an_organization_that_does_not_exist(self):
        organization = import_document(acme(), replace=True)
        assert (organization.slug, organization.people.count()) == ("acme", 3)

    def test_replace_refuses_an_ambiguous_name(self):
        OrganizationFactory.create_batch(2, name="Acme")
        with pytest.raises(InterchangeError) as e:
            import_document(acme(), replace=True)
        assert [str(p) for p in e.value.problems] == [
            'organization.name: 2 organizations are named "Acme"; '
            "rename all but one before replacing"
        ]
        assert Product.objects.count() == 0

    def test_a_user_owns_the_organization_they_import(self):
        user = UserFactory()
        organization = import_document(acme(), user=user)
        membership = Membership.objects.get()
        assert (membership.organization, membership.user, membership.role) == (
            organization,
            user,
            MemberRole.OWNER,
        )

    def test_a_user_does_not_collide_with_organizations_they_cannot_see(self):
        import_document(acme())
        user = UserFactory()
        organization = import_document(acme(), user=user)
        assert organization.slug == "acme-2"
        assert list(Organization.objects.visible_to(user)) == [organization]

    def test_a_member_is_told_the_name_exists(self):
        existing = import_document(acme())
        viewer = MembershipFactory(organization=existing, role=MemberRole.VIEWER).user
        with pytest.raises(InterchangeError) as e:
            import_document(acme(), user=viewer)
        assert [str(p) for p in e.value.problems] == [
            'organization.name: an organization named "Acme" exists; replace it (--replace, or '
            '"Replace my organization of the same name" when uploading) or rename this one'
        ]

    def test_only_an_owner_replaces(self):
        existing = import_document(acme())
        editor = MembershipFactory(organization=existing, role=MemberRole.EDITOR).user
        document = acme(reassess_every_days=30)
        with pytest.raises(InterchangeError) as e:
            import_document(document, replace=True, user=editor)
        assert [str(p) for p in e.value.problems] == [
            'organization.name: only an owner of "Acme" can replace it'
        ]
        existing.refresh_from_db()
        assert existing.reassess_every_days == 60

    def test_an_owner_replaces_their_organization(self):
        existing = import_document(acme())
        owner = MembershipFactory(organization=existing, role=MemberRole.OWNER).user
        replaced = import_document(acme(reassess_every_days=30), replace=True, user=owner)
        assert (replaced.pk, replaced.reassess_every_days) == (existing.pk, 30)
        assert Membership.objects.count() == 1

    def test_20000_people_reporting_to_one_manager_import(self):
        organization = import_document(people_document(one_manager(20_000)))
        boss = organization.people.get(name="Boss")
        assert boss.reports_to is None
        assert organization.people.filter(reports_to=boss).count() == 20_000

    def test_people_listed_before_their_managers_get_them(self):
        people = [
            {"name": "Dev", "reports_to": "Lead"},
            {"name": "Lead", "reports_to": "Head"},
            {"name": "Intern", "reports_to": "Dev"},
            {"name": "Head"},
        ]
        organization = import_document(people_document(people))
        assert dict(organization.people.values_list("name", "reports_to__name")) == {
            "Dev": "Lead",
            "Lead": "Head",
            "Intern": "Dev",
            "Head": None,
        }

    def test_an_import_losing_the_race_for_its_slug_takes_the_next(self, monkeypatch):
        owner = UserFactory()
        picked = lose_the_slug_race(monkeypatch)
        organization = import_document(acme(), user=owner)
        assert picked == ["acme", "acme-2"]
        assert organization.slug == "acme-2"
        assert organization.memberships.get().user == owner
        assert list(Organization.objects.values_list("slug", flat=True)) == ["acme", "acme-2"]
        assert organization.people.count() == 3

    def test_replacing_sends_delete_signals_for_the_people_it_drops(self):
        import_document(acme())
        deleted = []

        def record(sender, instance, **kwargs):
            deleted.append(instance.name)

        document = acme()
        del document["people"][LEE]
        signals.pre_delete.connect(record, sender=Person)
        try:
            import_document(document, replace=True)
        finally:
            signals.pre_delete.disconnect(record, sender=Person)
        # The people the document keeps are updated in place, never deleted.
        assert deleted == ["Lee Park"]
        assert row_counts() == (1, 2, 3, 2, 2)

    def test_a_failure_part_way_writes_nothing(self, monkeypatch):
        existing = import_document(acme())

        def fail(*args, **kwargs):
            raise IntegrityError("simulated")

        # The last write: who serves which squad.
        monkeypatch.setattr(Person.squads.through.objects, "bulk_create", fail)
        with pytest.raises(IntegrityError):
            import_document(acme(reassess_every_days=30), replace=True)
        existing.refresh_from_db()
        assert existing.reassess_every_days == 60
        assert row_counts() == (1, 2, 3, 3, 3)
        assert existing.people.get(name="Dana Lee").reports_to.name == "Sam Ortiz"


@pytest.mark.django_db
class TestExportDocument:
    def test_exports_the_documented_format(self):
        organization = import_document(acme())
        assert dumps(export_document(organization)) == dumps(ACME)

    def test_sorts_by_name_and_fills_every_key(self):
        document = {
            "format": FORMAT,
            "organization": {"name": "Tiny"},
            "products": [
                {"name": "Zed", "squads": [{"name": "Yak"}, {"name": "Ant"}]},
                {"name": "Alpha", "markets": ["B", "A"]},
            ],
            "people": [
                {"name": "Zoe", "squads": ["Yak", "Ant"], "reports_to": "Abe"},
                {"name": "Abe", "time": {"other": 5}},
            ],
        }
        exported = export_document(import_document(document))
        assert json.loads(dumps(exported)) == exported
        assert [p["name"] for p in exported["products"]] == ["Alpha", "Zed"]
        assert exported["products"][0]["markets"] == ["B", "A"]
        assert [s["name"] for s in exported["products"][1]["squads"]] == ["Ant", "Yak"]
        assert exported["products"][1]["squads"][0] == {
            "name": "Ant",
            "engineers": None,
            "methodology": None,
        }
        assert exported["people"] == [
            {
                "name": "Abe",
                "title": "",
                "role": None,
                "reports_to": None,
                "squads": [],
                "time": {
                    "backlog": 0,
                    "strategy": 0,
                    "discovery": 0,
                    "stakeholders": 0,
                    "ceremonies": 0,
                    "other": 5,
                },
                "owns_roadmap": None,
                "does_market_research": None,
                "sets_pricing": None,
            },
            {
                "name": "Zoe",
                "title": "",
                "role": None,
                "reports_to": "Abe",
                "squads": ["Ant", "Yak"],
                "time": None,
                "owns_roadmap": None,
                "does_market_research": None,
                "sets_pricing": None,
            },
        ]

    def test_export_import_export_is_identical(self):
        first = dumps(export_document(import_document(sized(12))))
        organization = import_document(parse_document(first), replace=True)
        assert dumps(export_document(organization)) == first

    def test_dumps_is_indented_unicode_with_a_final_newline(self):
        text = dumps({"name": "Zoë", "list": [1]})
        assert text == '{\n  "name": "Zoë",\n  "list": [\n    1\n  ]\n}\n'


@pytest.mark.django_db
class TestQueryCounts:
    """The import and the export cost the same number of queries at any size."""

    @pytest.mark.parametrize("squads", [5, 1_000])
    def test_import(self, squads, django_assert_num_queries):
        # In a savepoint: the lock, the slug and (in a savepoint of its own) the
        # organization; an insert each of products, squads and people, the one update
        # that sets the new people's managers, and an insert of who serves which squad.
        with django_assert_num_queries(12):
            import_document(sized(squads))
        assert Squad.objects.count() == squads

    @pytest.mark.parametrize("reports", [50, 2_000])
    def test_import_of_people_reporting_to_one_manager(self, reports, django_assert_num_queries):
        with django_assert_num_queries(9):
            import_document(people_document(one_manager(reports)))
        assert Person.objects.filter(reports_to__name="Boss").count() == reports

    @pytest.mark.parametrize("squads", [5, 1_000])
    def test_import_replacing(self, squads, django_assert_num_queries):
        document = sized(squads)
        import_document(document)
        # In a savepoint: the lock; the links read and deleted; per table (people, squads,
        # products) its rows read and the kept ones deleted to be written again; the
        # organization's update; then the same inserts as a new import, everyone kept
        # (so written with their manager: no update).
        with django_assert_num_queries(16):
            import_document(document, replace=True)
        assert row_counts() == (1, squads // 5, squads, 1 + squads // 5 + squads, 2 * squads)

    @pytest.mark.parametrize("squads", [10, 1_000])
    def test_import_replacing_with_half_the_organization(self, squads, django_assert_num_queries):
        import_document(sized(squads))
        # The second half of the products, their squads, PMs and POs are dropped.
        # A delete a table of the rows it drops (nothing points at them here).
        with django_assert_num_queries(16 + 3):
            import_document(sized(squads // 2), replace=True)
        half = squads // 2
        assert row_counts() == (1, half // 5, half, 1 + half // 5 + half, 2 * half)

    @pytest.mark.parametrize("people", [10, 200])
    def test_a_reporting_chain_costs_the_same_queries_whatever_its_depth(
        self, people, django_assert_num_queries
    ):
        # Each person reports to the one before: as deep a chart as there are people.
        chain = [
            {"name": f"P{i:04}", "reports_to": f"P{i - 1:04}" if i else None} for i in range(people)
        ]
        with django_assert_num_queries(9):
            organization = import_document(people_document(chain, name="Chain"))
        # The first half kept (updated in place), the rest new, reporting along the chain.
        renamed = [{"name": f"{'P' if i < people // 2 else 'N'}{i:04}"} for i in range(people)]
        for i, spec in enumerate(renamed[1:], start=1):
            spec["reports_to"] = renamed[i - 1]["name"]
        with django_assert_num_queries(16):
            import_document(people_document(renamed, name="Chain"), replace=True)
        managers = dict(organization.people.values_list("name", "reports_to__name"))
        assert managers == {spec["name"]: spec.get("reports_to") for spec in renamed}

    @pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's version")
    def test_an_sqlite_without_update_from_sets_the_managers_one_prepared_update(self, monkeypatch):
        # Django supports SQLite 3.31; UPDATE ... FROM came in 3.33.
        monkeypatch.setattr(connection.Database, "sqlite_version_info", (3, 31, 1))
        chain = [{"name": f"P{i}", "reports_to": f"P{i - 1}" if i else None} for i in range(30)]
        with CaptureQueriesContext(connection) as captured:
            organization = import_document(people_document(chain, name="Old SQLite"))
        assert not any("FROM (SELECT json_extract" in q["sql"] for q in captured)
        managers = dict(organization.people.values_list("name", "reports_to__name"))
        assert managers == {spec["name"]: spec["reports_to"] for spec in chain}

    @pytest.mark.parametrize("squads", [5, 50])
    def test_export(self, squads, django_assert_max_num_queries):
        organization = import_document(sized(squads))
        with django_assert_max_num_queries(4):
            document = export_document(organization)
        assert len(document["people"]) == 1 + squads // 5 + squads


class TestBoundedProblems:
    """However broken a document, its list of problems stays short."""

    def test_reporting_loop_of_10000_people_is_refused_once_naming_the_loop(self):
        assert problems_of(people_document(reporting_loop(10_000))) == [
            "people[0].reports_to: reporting loop of 10,000 people: "
            "p0 -> p1 -> p2 -> p3 -> p4 -> ... and 9,995 more -> p0"
        ]

    def test_a_loop_is_named_from_its_first_person_in_the_document(self):
        people = reporting_loop(7)
        people.insert(0, people.pop(3))
        assert problems_of(people_document(people)) == [
            "people[0].reports_to: reporting loop of 7 people: "
            "p3 -> p4 -> p5 -> p6 -> p0 -> ... and 2 more -> p3"
        ]

    def test_a_loop_of_five_is_spelled_out(self):
        assert problems_of(people_document(reporting_loop(5))) == [
            "people[0].reports_to: reporting loop: p0 -> p1 -> p2 -> p3 -> p4 -> p0"
        ]

    def test_many_loops_are_listed_up_to_the_cap_then_counted(self):
        people = [person for n in range(120) for person in reporting_loop(2, prefix=f"l{n}.")]
        problems = validate_document(people_document(people))
        assert [str(p) for p in problems[:2]] == [
            "people[0].reports_to: reporting loop: l0.0 -> l0.1 -> l0.0",
            "people[2].reports_to: reporting loop: l1.0 -> l1.1 -> l1.0",
        ]
        assert len(problems) == MAX_PROBLEMS + 1
        assert str(problems[-2]) == "people[98].reports_to: reporting loop: l49.0 -> l49.1 -> l49.0"
        assert str(problems[-1]) == "... and 70 more problems, not listed"
        assert InterchangeError(problems).count == 120

    def test_the_cap_holds_across_every_kind_of_problem(self):
        people = [{"name": f"p{i}", "squads": ["Nowhere"], "role": "boss"} for i in range(10_000)]
        problems = validate_document(people_document(people))
        assert [str(p) for p in problems[:2]] == [
            'people[0].role: unknown role "boss"; use executive, product_leader, product_manager, '
            "product_owner, engineering_manager, other or null",
            'people[0].squads[0]: no squad named "Nowhere"',
        ]
        assert len(problems) == MAX_PROBLEMS + 1
        assert str(problems[-1]) == "... and 19,950 more problems, not listed"
        assert InterchangeError(problems).count == 20_000

    def test_a_long_string_is_cut_short_in_a_message(self):
        document = acme()
        document["people"][DANA]["reports_to"] = "x" * 1_000_000
        document["people"][DANA]["y" * 1_000_000] = 1
        assert problems_of(document) == [
            f'people[0]["{"y" * 200}..." (cut short)]: unknown key (expected {PERSON_KEYS})',
            f'people[0].reports_to: no person named "{"x" * 200}..." (cut short)',
        ]
