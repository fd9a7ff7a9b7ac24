"""Background work of the advisor, run by the task backend of settings.TASKS: in production
django-tasks-db queues it for `manage.py db_worker`; locally it runs at once."""

from datetime import date
from typing import Any

from django.tasks import task

from advisor.scheduling import reassess


@task
def reassess_organization(*, organization_id: int, day: str, reason: str) -> dict[str, Any]:
    """The scheduled run of one organization for `day` (ISO date); what it did, as JSON."""
    return reassess(organization_id, date.fromisoformat(day), reason).to_json()
