from django.core.management.base import BaseCommand, CommandError, CommandParser

from advisor.benchmark import run_size


def sizes(value: str) -> list[int]:
    try:
        numbers = [int(v) for v in value.split(",")]
    except ValueError as e:
        raise CommandError(f"--sizes: {value!r} is not a comma-separated list of numbers") from e
    if any(n < 1 for n in numbers):
        raise CommandError("--sizes: every size must be at least 1 squad")
    return numbers


class Command(BaseCommand):
    help = (
        "Import, assess and read synthetic organizations of several sizes; print times, "
        "query counts and the assess/floor ratio. Uses the configured database and "
        "deletes what it creates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--sizes", default="10,100,1000", help="Squad counts, e.g. 10,100,1000."
        )
        parser.add_argument("--repeat", type=int, default=3, help="Runs per measure (median).")

    def handle(self, *args, sizes: str, repeat: int, **options) -> None:
        if repeat < 1:
            raise CommandError("--repeat: must be at least 1")
        self.stdout.write(
            "| squads | people | import s | import queries | assess s | assess queries "
            "| floor s | assess/floor | org page ms (queries) | assessment page ms (queries) |"
        )
        self.stdout.write("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for n in globals()["sizes"](sizes):
            r = run_size(n, repeat=repeat)
            self.stdout.write(
                f"| {r.squads} | {r.people} | {r.import_.seconds:.3f} | {r.import_.queries} "
                f"| {r.assess.seconds:.3f} | {r.assess.queries} | {r.floor.seconds:.3f} "
                f"| {r.ratio:.2f} "
                f"| {r.organization_page.seconds * 1000:.0f} ({r.organization_page.queries}) "
                f"| {r.assessment_page.seconds * 1000:.0f} ({r.assessment_page.queries}) |"
            )
