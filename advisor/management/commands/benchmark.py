import itertools
from collections.abc import Callable, Iterable

from django.core.management.base import BaseCommand, CommandError, CommandParser

from advisor.benchmark import PageResult, Paired, SizeResult, run_demo_pages, run_size


def sizes(value: str) -> list[int]:
    try:
        numbers = [int(v) for v in value.split(",")]
    except ValueError as e:
        raise CommandError(f"--sizes: {value!r} is not a comma-separated list of numbers") from e
    if any(n < 1 or n > 20_000 for n in numbers):
        raise CommandError("--sizes: every size must be between 1 and 20000 squads")
    return numbers


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def paired_table(
    title: str,
    results: list[SizeResult],
    picks: Callable[[SizeResult], Iterable[tuple[str, Paired]]],
) -> list[str]:
    """A table of things against their floors: a line per size and per thing picked."""
    lines = [
        f"\n{title}:\n",
        "| squads | timed | s (queries) | min s | floor s | min s | x floor median | min |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for label, pair in picks(r):
            lines.append(
                f"| {r.squads} | {label} | {pair.thing.median:.3f} ({pair.thing.queries}) "
                f"| {pair.thing.minimum:.3f} | {pair.floor.median:.3f} "
                f"| {pair.floor.minimum:.3f} | {pair.ratio:.2f} "
                f"| {pair.ratio_of_minimums:.2f} |"
            )
    return lines


class Command(BaseCommand):
    help = (
        "Import, replace, export, assess and show synthetic organizations of several sizes and "
        "one demo organization; print times against their floors (median and minimum of "
        "--rounds rounds), query counts and growth. Uses the configured database and deletes "
        "what it creates. docs/performance.md explains the figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sizes", default="200,1000", help="Squad counts, e.g. 200,1000 (5x apart)."
        )
        parser.add_argument("--rounds", type=int, default=5, help="Rounds per measure.")

    def handle(self, *args, sizes: str, rounds: int, **options) -> None:
        if rounds < 1:
            raise CommandError("--rounds: must be at least 1")
        results = [run_size(n, rounds=rounds) for n in globals()["sizes"](sizes)]
        demo = run_demo_pages(rounds)
        self.stdout.write(self.size_table(results))
        self.stdout.write(self.growth_table(results))
        self.stdout.write(self.page_table(demo, results))

    def size_table(self, results: list[SizeResult]) -> str:
        lines = [
            "\nImporting, replacing and exporting:\n",
            "| squads | people | document MB | import s (queries) | replace s (queries) "
            "| export s |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for r in results:
            lines.append(
                f"| {r.squads} | {r.people} | {r.document_bytes / 1e6:.1f} "
                f"| {r.import_.median:.3f} ({r.import_.queries}) "
                f"| {r.replace.median:.3f} ({r.replace.queries}) | {r.export.median:.3f} |"
            )
        lines += paired_table(
            "Assessing against reading every row once (the floor), median and minimum",
            results,
            lambda r: (
                ("assess (the command)", r.assess),
                ("assess, not saved", r.assess_unsaved),
                ("loading alone", r.load_only),
                ("storing alone", r.store_only),
                ("writing alone", r.write_only),
            ),
        )
        lines += paired_table(
            "Assessing against reading every row of the organization and writing every row "
            "of its assessment once (the floor of a stored assessment), median and minimum",
            results,
            lambda r: (
                ("assess (the command), against reading and writing", r.assess_read_write),
                ("storing alone, against writing alone", r.store_write),
            ),
        )
        return "\n".join(lines)

    def growth_table(self, results: list[SizeResult]) -> str:
        lines = [
            "\nGrowth between sizes (time at the larger size / time at the smaller), of the "
            "medians and (in brackets) of the minimums: each size is timed in its own "
            "stretch of the run, so a machine that slows between them shows in the medians\n",
            "| squads | size x | import x | replace x | export x | assess x | not saved x |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for small, large in itertools.pairwise(results):
            cells = " | ".join(
                f"{big.median / little.median:.2f} ({big.minimum / little.minimum:.2f})"
                for little, big in (
                    (small.import_, large.import_),
                    (small.replace, large.replace),
                    (small.export, large.export),
                    (small.assess.thing, large.assess.thing),
                    (small.assess_unsaved.thing, large.assess_unsaved.thing),
                )
            )
            lines.append(
                f"| {small.squads} → {large.squads} | {large.squads / small.squads:.1f} | {cells} |"
            )
        return "\n".join(lines)

    def page_table(self, demo: PageResult, results: list[SizeResult]) -> str:
        lines = [
            "\nPages, server time against a bare template of 100 rows from one query:\n",
            "| organization | page | ms (queries) | floor ms | page/floor | x the demo's |",
            "|---|---|---:|---:|---:|---:|",
        ]
        rows = [("demo", demo), *((f"{r.squads} squads", r.pages) for r in results)]
        for label, pages in rows:
            for page, pair, demo_pair in (
                ("organization", pages.organization_page, demo.organization_page),
                ("assessment", pages.assessment_page, demo.assessment_page),
            ):
                lines.append(
                    f"| {label} | {page} | {ms(pair.thing.median)} ({pair.thing.queries}) "
                    f"| {ms(pair.floor.median)} | {pair.ratio:.2f} "
                    f"| {pair.ratio / demo_pair.ratio:.2f} |"
                )
        # The assessment page's first render, with nothing kept yet: an extra line.
        lines += [
            '\nThe assessment page\'s first render (the "pages" cache emptied before each '
            "round), against the same floor:\n",
            "| organization | page | ms (queries) | floor ms | page/floor | x the demo's |",
            "|---|---|---:|---:|---:|---:|",
        ]
        for label, pages in rows:
            pair, demo_pair = pages.assessment_page_cold, demo.assessment_page_cold
            lines.append(
                f"| {label} | assessment, cold | {ms(pair.thing.median)} "
                f"({pair.thing.queries}) | {ms(pair.floor.median)} | {pair.ratio:.2f} "
                f"| {pair.ratio / demo_pair.ratio:.2f} |"
            )
        return "\n".join(lines)
