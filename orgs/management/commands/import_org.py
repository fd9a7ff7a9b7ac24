from django.core.management.base import BaseCommand, CommandError

from orgs.interchange import InterchangeError, import_document, parse_document, read_path


class Command(BaseCommand):
    help = (
        "Import one organization from an interchange document (JSON) and print its slug. "
        "Bad input lists every problem by its JSON path and writes nothing."
    )
    # Lets tests hand in standard input, as createsuperuser does.
    stealth_options = ("stdin",)

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The JSON document; - reads standard input.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace the organization of the same name, keeping its slug and members.",
        )

    def handle(self, *args, file: str, replace: bool, **options) -> None:
        try:
            try:
                raw = read_path(file, options.get("stdin"))
            except OSError as e:
                raise CommandError(f"Cannot read {file}: {e.strerror}.") from e
            organization = import_document(parse_document(raw), replace=replace)
        except InterchangeError as e:
            for problem in e.problems:
                self.stderr.write(str(problem))
            count = e.count
            raise CommandError(
                f"{count:,} problem{'s' if count > 1 else ''} in {file}; nothing was imported."
            ) from e
        self.stdout.write(organization.slug)
