import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from advisor.services import run_assessment
from orgs.models import Organization

DEMO_USERNAME = "demo"


class Command(BaseCommand):
    help = (
        "Set up a working demo in one step: migrate the database, load the demo organizations "
        "(dates moved to today), create the account that owns them, assess each, and serve "
        "the app."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "addrport", nargs="?", default="127.0.0.1:8000", help="Where to serve the app."
        )
        parser.add_argument(
            "--password",
            help="The demo account's password (default: a new random one, printed).",
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="Set everything up, but do not serve."
        )

    def handle(self, *args, addrport: str, password: str | None, no_serve: bool, **options):
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        password = password or secrets.token_urlsafe(12)
        with transaction.atomic():
            user, _ = get_user_model().objects.get_or_create(
                username=DEMO_USERNAME, defaults={"email": "demo@example.com"}
            )
            user.set_password(password)
            user.save()
        call_command(
            "load_seeds",
            owner=DEMO_USERNAME,
            shift_dates=True,
            stdout=self.stdout,
            verbosity=verbosity,
        )
        # A first assessment of each, so the demo opens on advice rather than a button.
        for organization in Organization.objects.filter(memberships__user=user):
            if not organization.assessments.exists():
                run_assessment(organization, user=user)
        url = f"http://{addrport}/"
        self.stdout.write(
            self.style.SUCCESS(
                f"\nDemo ready. Log in at {url} as\n"
                f"    user name: {DEMO_USERNAME}\n"
                f"    password:  {password}\n"
            )
        )
        if not no_serve:
            call_command("runserver", addrport, use_reloader=False)
