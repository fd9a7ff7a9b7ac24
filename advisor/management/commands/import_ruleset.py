import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advisor.models import RulesetVersion
from advisor.ruleset_documents import (
    OrganizationChanges,
    preview,
    preview_json,
    publish_document,
    validate_ruleset,
)
from advisor.rulesets import note_problem
from orgs.interchange import InterchangeError, parse_document, read_path


def preview_text(changes: list[OrganizationChanges]) -> str:
    """The preview as lines a person reads: each organization, then each product whose
    advice would change."""
    if not changes:
        return "No organization's latest advice would change.\n"
    lines = []
    for organization in changes:
        lines.append(f"{organization.name} ({organization.slug}):")
        for product in organization.products:
            words = [f"  {product.name}: {product.verdict_from} -> {product.verdict_to}"]
            if product.appeared:
                words.append(f"appears {', '.join(product.appeared)}")
            if product.resolved:
                words.append(f"resolves {', '.join(product.resolved)}")
            lines.append("; ".join(words))
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = (
        "Check a whole ruleset document (every problem by its JSON path) and publish it as "
        "the new ruleset version in one transaction; with --dry-run, publish nothing and "
        "print which products' advice it would change."
    )
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The JSON document; - reads standard input.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Publish nothing; print the preview."
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--note", default="", help="The version's note.")

    def handle(self, *args, file: str, dry_run: bool, format: str, note: str, **options):
        if problem := note_problem(note):
            raise CommandError(f"--note: {problem}.")
        try:
            try:
                raw = read_path(file, options.get("stdin"))
            except OSError as e:
                raise CommandError(f"Cannot read {file}: {e.strerror}.") from e
            document = parse_document(raw)
            if dry_run:
                problems = validate_ruleset(document)
                if problems:
                    raise InterchangeError(problems)
                changes = preview(document)
                if format == "json":
                    self.stdout.write(json.dumps(preview_json(changes), indent=2))
                else:
                    self.stdout.write(preview_text(changes), ending="")
                return
            in_force = (
                RulesetVersion.objects.order_by("-number").values_list("number", flat=True).first()
            )
            version = publish_document(
                document,
                note=note
                or f"Imported from {Path(file).name if file != '-' else 'standard input'}.",
            )
        except InterchangeError as e:
            for problem in e.problems:
                self.stderr.write(str(problem))
            count = e.count
            raise CommandError(
                f"{count:,} problem{'s' if count > 1 else ''} in {file}; nothing was published."
            ) from e
        published = version.number != in_force
        if format == "json":
            self.stdout.write(
                json.dumps({"ruleset_version": version.label, "published": published})
            )
        elif published:
            self.stdout.write(f"Published ruleset {version.label}.")
        else:
            self.stdout.write(f"Nothing changed: ruleset {version.label} is in force.")
