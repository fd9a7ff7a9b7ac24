from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.tasks import TaskResultStatus
from django.utils import timezone

from advisor.scheduling import Candidate, candidates, reassess
from advisor.tasks import reassess_organization


class Command(BaseCommand):
    help = (
        "Re-assess every organization that is due (never assessed, or its interval since the "
        "last assessment has passed) or changed since its last assessment, one task each "
        "through the task backend (run daily from cron; docs/scheduling.md). Prints one line "
        "per organization assessed or queued; those left alone say why on standard error."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            action="store_true",
            help="Assess in this process, now, rather than queue a task for the worker.",
        )

    def handle(self, *args, now: bool, **options) -> None:
        day = timezone.localdate()
        failed = 0
        for candidate in list(candidates(today=day)):
            line, ok = (self.run_here if now else self.enqueue)(candidate, day)
            if ok is None:
                failed += 1
                self.stderr.write(line)
            elif ok:
                self.stdout.write(line)
            else:
                self.stderr.write(line)
        if failed:
            raise CommandError(
                f"{failed} organization{'s' if failed != 1 else ''} could not be re-assessed"
            )

    def run_here(self, candidate: Candidate, day) -> tuple[str, bool | None]:
        try:
            outcome = reassess(candidate.organization_id, day, candidate.reason)
        except Exception as e:  # one organization's failure does not stop the others
            return f"{candidate.slug}: failed ({candidate.reason}): {e!r}", None
        return outcome.line, outcome.assessed

    def enqueue(self, candidate: Candidate, day) -> tuple[str, bool | None]:
        result = reassess_organization.enqueue(
            organization_id=candidate.organization_id,
            day=day.isoformat(),
            reason=candidate.reason,
        )
        if result.status == TaskResultStatus.SUCCESSFUL:
            # A backend that runs tasks at once (no worker configured) has the outcome.
            return result.return_value["line"], result.return_value["assessed"]
        if result.status == TaskResultStatus.FAILED:
            error = result.errors[-1].exception_class_path if result.errors else "an error"
            return f"{candidate.slug}: failed ({candidate.reason}): {error}", None
        return f"{candidate.slug}: queued for re-assessment ({candidate.reason})", True
