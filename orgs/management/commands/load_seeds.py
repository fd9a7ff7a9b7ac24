"""Load the demo organizations of seeds/ (see seeds/README.md for what each one shows)."""

import copy
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from orgs.interchange import InterchangeError, import_document, parse_document, validate_document
from orgs.models import MemberRole, Membership, Organization

SEEDS_DIR: Path = settings.BASE_DIR / "seeds"

# The seed dates are written as they would be on this day; assessing the seeds
# as of it gives the verdicts seeds/README.md promises.
REFERENCE_DATE = date(2026, 11, 23)

# The only dates an interchange document holds, all on its products.
PRODUCT_DATE_KEYS = ("roadmap_updated_on", "last_customer_interview_on")


def seed_paths(directory: Path = SEEDS_DIR) -> list[Path]:
    """The seed documents, in file-name order so loading is repeatable."""
    return sorted(directory.glob("*.json"))


def shift_document_dates(document: dict, days: int) -> dict:
    """A copy of the document with every product date moved by `days` (unknown dates stay so)."""
    shifted = copy.deepcopy(document)
    for product in shifted.get("products") or []:
        for key in PRODUCT_DATE_KEYS:
            if product.get(key) is not None:
                product[key] = (date.fromisoformat(product[key]) + timedelta(days=days)).isoformat()
    return shifted


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise CommandError(f"--today: {value!r} is not a date in YYYY-MM-DD form.") from e


class Command(BaseCommand):
    help = (
        "Load the demo organizations of seeds/*.json, replacing any organization of the "
        "same name, and print one line per organization."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--owner",
            metavar="USERNAME",
            help="Make this user an owner of every seed organization.",
        )
        parser.add_argument(
            "--shift-dates",
            action="store_true",
            help=f"Move every date forward by the days from {REFERENCE_DATE.isoformat()} "
            "to today, so the demo reads as fresh as on the day it was written.",
        )
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="With --shift-dates, the day to shift to instead of today.",
        )

    def handle(
        self,
        *args,
        owner: str | None,
        shift_dates: bool,
        today: str | None,
        **options,
    ) -> None:
        if today and not shift_dates:
            raise CommandError("--today only applies with --shift-dates.")
        user = self._user(owner) if owner else None
        documents = self._read_seeds()
        if shift_dates:
            target = iso_date(today) if today else timezone.localdate()
            days = (target - REFERENCE_DATE).days
            documents = [(path, shift_document_dates(doc, days)) for path, doc in documents]

        with transaction.atomic():
            loaded = [(path, self._load(path, doc, user)) for path, doc in documents]
        for _, organization in loaded:
            self.stdout.write(self._summary(organization))

    def _user(self, username: str):
        User = get_user_model()
        try:
            return User.objects.get_by_natural_key(username)
        except User.DoesNotExist as e:
            raise CommandError(f"--owner: no user named {username!r}.") from e

    def _read_seeds(self) -> list[tuple[Path, dict]]:
        """Every seed parsed and validated; any problem in any file stops before a write."""
        paths = seed_paths(SEEDS_DIR)
        if not paths:
            raise CommandError(f"No seed documents (*.json) in {SEEDS_DIR}.")
        documents, problems = [], []
        for path in paths:
            try:
                document = parse_document(path.read_bytes())
            except InterchangeError as e:
                problems += [f"{path.name}: {p}" for p in e.problems]
                continue
            problems += [f"{path.name}: {p}" for p in validate_document(document)]
            documents.append((path, document))
        if problems:
            raise CommandError("Bad seed documents; nothing was loaded.\n" + "\n".join(problems))
        return documents

    def _load(self, path: Path, document: dict, user) -> Organization:
        # Replace by name across the site, not only among the owner's
        # organizations: a seed loaded once without --owner is still the one
        # to replace, never a second organization of the same name.
        try:
            organization = import_document(document, replace=True)
        except InterchangeError as e:
            raise CommandError(
                f"Cannot load {path.name}; nothing was loaded.\n"
                + "\n".join(f"{path.name}: {p}" for p in e.problems)
            ) from e
        if user is not None:
            Membership.objects.update_or_create(
                organization=organization, user=user, defaults={"role": MemberRole.OWNER}
            )
        return organization

    def _summary(self, organization: Organization) -> str:
        counts = ", ".join(
            counted(n, singular, plural)
            for n, singular, plural in (
                (organization.products.count(), "product", "products"),
                (organization.squads.count(), "squad", "squads"),
                (organization.people.count(), "person", "people"),
            )
        )
        return f"{organization.name} ({organization.slug}): {counts}"


def counted(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"
