from django.core.management.base import BaseCommand, CommandError

from orgs.interchange import dumps, export_document
from orgs.models import Organization


class Command(BaseCommand):
    help = "Print one organization as an interchange document (JSON)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="The organization's slug.")

    def handle(self, *args, slug: str, **options) -> None:
        try:
            organization = Organization.objects.get(slug=slug)
        except Organization.DoesNotExist:
            raise CommandError(f'No organization with the slug "{slug}".') from None
        self.stdout.write(dumps(export_document(organization)), ending="")
