import json
import shutil
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from orgs.interchange import parse_document, validate_document
from orgs.management.commands import load_seeds
from orgs.management.commands.load_seeds import SEEDS_DIR, seed_paths, shift_document_dates
from orgs.models import (
    TIME_BUCKETS,
    MemberRole,
    Membership,
    Organization,
    Person,
    Product,
    Squad,
)
from tests.factories import UserFactory

SEED_FILES = seed_paths()

EXPECTED_LINES = [
    "Fernhill Labs (fernhill-labs): 1 product, 2 squads, 6 people",
    "Kestrel Mutual (kestrel-mutual): 3 products, 5 squads, 24 people",
    "Lumen Health (lumen-health): 4 products, 8 squads, 36 people",
    "Parcelbird (parcelbird): 3 products, 5 squads, 18 people",
    "Tidewater Freight (tidewater-freight): 2 products, 3 squads, 13 people",
]


def load(*args: str) -> str:
    out = StringIO()
    call_command("load_seeds", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        "organizations": Organization.objects.count(),
        "products": Product.objects.count(),
        "squads": Squad.objects.count(),
        "people": Person.objects.count(),
        "person_squads": Person.squads.through.objects.count(),
        "reporting_lines": Person.objects.filter(reports_to__isnull=False).count(),
        "memberships": Membership.objects.count(),
    }


@pytest.fixture
def seeds_dir(tmp_path, monkeypatch):
    """An empty seeds directory that load_seeds reads instead of seeds/."""
    monkeypatch.setattr(load_seeds, "SEEDS_DIR", tmp_path)
    return tmp_path


class TestSeedFiles:
    def test_there_are_five_seeds(self):
        assert [p.name for p in SEED_FILES] == [
            "fernhill-labs.json",
            "kestrel-mutual.json",
            "lumen-health.json",
            "parcelbird.json",
            "tidewater-freight.json",
        ]

    @pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
    def test_seed_validates(self, path):
        assert validate_document(parse_document(path.read_bytes())) == []

    @pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
    def test_every_person_states_all_six_time_shares_or_none_on_purpose(self, path):
        document = json.loads(path.read_text())
        not_entered = {p["name"] for p in document["people"] if p["time"] is None}
        # Kestrel Mutual leaves one product manager's time unknown (seeds/README.md).
        assert not_entered == ({"Olivia Grant"} if path.name == "kestrel-mutual.json" else set())
        for person in document["people"]:
            if person["time"] is None:
                continue
            assert tuple(person["time"]) == TIME_BUCKETS, person["name"]
            assert 0 < sum(person["time"].values()) <= 100, person["name"]


class TestShiftDocumentDates:
    def test_moves_known_dates_and_leaves_unknown_ones(self):
        document = {
            "products": [
                {"roadmap_updated_on": "2026-06-18", "last_customer_interview_on": None},
                {"roadmap_updated_on": "2026-11-23", "last_customer_interview_on": "2026-02-27"},
            ]
        }
        shifted = shift_document_dates(document, 99)
        assert shifted["products"] == [
            {"roadmap_updated_on": "2026-09-25", "last_customer_interview_on": None},
            {"roadmap_updated_on": "2027-03-02", "last_customer_interview_on": "2026-06-06"},
        ]
        assert document["products"][0]["roadmap_updated_on"] == "2026-06-18"

    def test_moves_backwards_too(self):
        document = {"products": [{"roadmap_updated_on": "2026-03-01"}]}
        shifted = shift_document_dates(document, -1)
        assert shifted["products"][0]["roadmap_updated_on"] == "2026-02-28"


@pytest.mark.django_db
class TestLoadSeeds:
    def test_prints_one_line_per_organization(self):
        assert load().splitlines() == EXPECTED_LINES

    def test_loading_twice_gives_the_same_rows(self):
        load()
        first = row_counts()
        slugs = set(Organization.objects.values_list("slug", flat=True))
        assert load().splitlines() == EXPECTED_LINES
        assert row_counts() == first
        assert set(Organization.objects.values_list("slug", flat=True)) == slugs
        assert first["organizations"] == 5

    def test_dates_load_as_written_by_default(self):
        load()
        product = Product.objects.get(organization__slug="lumen-health", name="Patient App")
        assert product.roadmap_updated_on == date(2026, 6, 18)
        assert product.last_customer_interview_on == date(2026, 10, 30)

    def test_owner_gets_an_owner_membership_of_every_seed(self):
        alice = UserFactory(username="alice")
        load("--owner", "alice")
        assert sorted(
            Membership.objects.filter(user=alice, role=MemberRole.OWNER).values_list(
                "organization__slug", flat=True
            )
        ) == [
            "fernhill-labs",
            "kestrel-mutual",
            "lumen-health",
            "parcelbird",
            "tidewater-freight",
        ]

    def test_owner_memberships_survive_reloading(self):
        alice = UserFactory(username="alice")
        load("--owner", "alice")
        memberships = set(Membership.objects.values_list("pk", "organization_id", "user_id"))
        load()
        load("--owner", "alice")
        assert set(Membership.objects.values_list("pk", "organization_id", "user_id")) == (
            memberships
        )
        assert Membership.objects.filter(user=alice, role=MemberRole.OWNER).count() == 5

    def test_owner_of_a_seed_loaded_before_takes_the_same_organization(self):
        load()
        UserFactory(username="alice")
        load("--owner", "alice")
        assert Organization.objects.count() == 5
        assert Membership.objects.filter(role=MemberRole.OWNER).count() == 5

    def test_owner_demoted_to_viewer_is_owner_again(self):
        alice = UserFactory(username="alice")
        load("--owner", "alice")
        Membership.objects.filter(user=alice).update(role=MemberRole.VIEWER)
        load("--owner", "alice")
        assert set(Membership.objects.values_list("role", flat=True)) == {MemberRole.OWNER}

    def test_unknown_owner_is_refused_before_loading(self):
        with pytest.raises(CommandError, match="--owner: no user named 'nobody'"):
            load("--owner", "nobody")
        assert Organization.objects.count() == 0

    def test_shift_dates_moves_every_date_by_the_days_to_today(self):
        load("--shift-dates", "--today", "2027-03-02")  # 99 days after 2026-11-23
        patient_app = Product.objects.get(organization__slug="lumen-health", name="Patient App")
        assert patient_app.roadmap_updated_on == date(2026, 9, 25)
        assert patient_app.last_customer_interview_on == date(2027, 2, 6)
        unknown = Product.objects.get(
            organization__slug="kestrel-mutual", name="Policy Self-Service"
        )
        assert unknown.roadmap_updated_on is None
        assert unknown.last_customer_interview_on is None

    def test_shift_dates_on_the_reference_day_changes_nothing(self):
        load("--shift-dates", "--today", "2026-11-23")
        product = Product.objects.get(organization__slug="lumen-health", name="Patient App")
        assert product.roadmap_updated_on == date(2026, 6, 18)

    def test_today_needs_shift_dates(self):
        with pytest.raises(CommandError, match="--today only applies with --shift-dates"):
            load("--today", "2027-03-02")

    def test_today_must_be_a_date(self):
        with pytest.raises(CommandError, match="--today: '2027-13-01' is not a date"):
            load("--shift-dates", "--today", "2027-13-01")


@pytest.mark.django_db
class TestLoadSeedsRefusesBadSeeds:
    def test_problems_are_listed_with_the_file_name_and_nothing_is_written(self, seeds_dir):
        shutil.copy(SEEDS_DIR / "fernhill-labs.json", seeds_dir / "a-good.json")
        document = json.loads((SEEDS_DIR / "fernhill-labs.json").read_text())
        document["organization"]["name"] = "Broken Labs"
        document["people"][2]["squads"] = ["Roasting", "Chekout"]
        document["people"][3]["time"]["other"] = 90
        (seeds_dir / "b-bad.json").write_text(json.dumps(document))
        with pytest.raises(CommandError) as excinfo:
            load()
        assert str(excinfo.value).splitlines() == [
            "Bad seed documents; nothing was loaded.",
            'b-bad.json: people[2].squads[1]: no squad named "Chekout"',
            "b-bad.json: people[3].time: time shares add up to 140%; at most 100% allowed",
        ]
        assert Organization.objects.count() == 0

    def test_a_file_that_is_not_json_is_named(self, seeds_dir):
        (seeds_dir / "broken.json").write_text("{")
        with pytest.raises(CommandError, match=r"broken\.json: not valid JSON"):
            load()

    def test_an_empty_directory_is_an_error(self, seeds_dir):
        with pytest.raises(CommandError, match="No seed documents"):
            load()
