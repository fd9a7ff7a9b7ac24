import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advisor.report import render_text
from advisor.services import NothingToAssess, run_assessment
from orgs.models import Organization


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise CommandError(f"--as-of: {value!r} is not a date in YYYY-MM-DD form") from e


class Command(BaseCommand):
    help = "Assess an organization's PM/PO staffing and print the advice with its evidence."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The organization's slug.")
        parser.add_argument("--as-of", help="Assess as of this date (YYYY-MM-DD); default today.")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--no-save", action="store_true", help="Print the assessment without storing it."
        )

    def handle(self, *args, slug: str, as_of: str | None, format: str, no_save: bool, **options):
        as_of_date = iso_date(as_of) if as_of else None
        try:
            organization = Organization.objects.get(slug=slug)
        except Organization.DoesNotExist as e:
            raise CommandError(f"no organization with the slug {slug!r}") from e
        try:
            _, document, _ = run_assessment(organization, as_of=as_of_date, save=not no_save)
        except NothingToAssess as e:
            raise CommandError(str(e)) from e
        if format == "json":
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(render_text(document), ending="")
