import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advisor.history import NothingToCompare, compare, comparison_json, comparison_text
from orgs.models import Organization


class Command(BaseCommand):
    help = (
        "Compare two stored assessments of an organization: per product, the verdict then and "
        "now, the cause (none, organization, rules, both), the findings that appeared and "
        "resolved, the facts and staffing that moved. Default: the last two that are not "
        "projections."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The organization's slug.")
        parser.add_argument("--from", dest="from_id", type=int, help="The earlier assessment's id.")
        parser.add_argument("--to", dest="to_id", type=int, help="The later assessment's id.")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(
        self, *args, slug: str, from_id: int | None, to_id: int | None, format: str, **options
    ) -> None:
        try:
            organization = Organization.objects.get(slug=slug)
        except Organization.DoesNotExist as e:
            raise CommandError(f"no organization with the slug {slug!r}") from e
        try:
            before, after, comparison = compare(organization, from_id=from_id, to_id=to_id)
        except NothingToCompare as e:
            raise CommandError(str(e)) from e
        if format == "json":
            document = comparison_json(organization, before, after, comparison)
            self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(comparison_text(organization, before, after, comparison), ending="")
