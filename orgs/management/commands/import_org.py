import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orgs.interchange import InterchangeError, import_document, parse_document, read_document


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
            if file == "-":
                stdin = options.get("stdin") or sys.stdin
                raw = read_document(getattr(stdin, "buffer", stdin))
            else:
                try:
                    with Path(file).open("rb") as stream:
                        raw = read_document(stream)
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
