import json

from django.core.management.base import BaseCommand

from advisor.ruleset_documents import export_ruleset


class Command(BaseCommand):
    help = (
        "Print the whole ruleset (heuristics with their examples and state, parameters, "
        "title patterns, staffing settings) as one JSON document; import_ruleset reads it."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(json.dumps(export_ruleset(), indent=2, ensure_ascii=False))
