"""Due dates, changes since the latest assessment, and `manage.py reassess_due` with its mail."""

import threading
from datetime import date, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from advisor import scheduling
from advisor.models import Assessment
from advisor.scheduling import Due, candidates, standing, standings
from advisor.services import run_assessment
from orgs.models import MemberRole, Organization
from tests.factories import (
    AssessmentFactory,
    MembershipFactory,
    OrganizationFactory,
    ProductFactory,
    SquadFactory,
    UserFactory,
)

TODAY = date(2027, 3, 1)


def at(day: date, hour: int = 12):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour))


LONG_AGO = timezone.make_aware(timezone.datetime(2020, 1, 1))


def assessed_on(organization: Organization, day: date, **fields) -> Assessment:
    """Acme assessed, its assessment made on `day` (and the organization unchanged since)."""
    assessment = run_assessment(organization, as_of=day)[2]
    Assessment.objects.filter(pk=assessment.pk).update(created_at=at(day), **fields)
    Organization.objects.filter(pk=organization.pk).update(changed_at=at(day, 11))
    assessment.refresh_from_db()
    return assessment


def reassess_due(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("reassess_due", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class TestStanding:
    def standing(self, assessed: date | None, *, every: int = 90, changed=None):
        return standing(
            1,
            every_days=every,
            changed_at=changed,
            assessment_id=7 if assessed else None,
            assessed_at=at(assessed) if assessed else None,
            today=TODAY,
        )

    def test_never_assessed_is_due(self):
        found = self.standing(None)
        assert (found.due, found.is_due, found.changed) == (Due.NEVER, True, False)

    def test_before_the_interval_has_passed_it_is_not_due(self):
        found = self.standing(TODAY - timedelta(days=89))
        assert (found.due, found.days, found.due_on, found.is_due) == (
            Due.NOT_YET,
            1,
            TODAY + timedelta(days=1),
            False,
        )

    def test_it_falls_due_the_day_the_interval_has_passed(self):
        found = self.standing(TODAY - timedelta(days=90))
        assert (found.due, found.days, found.due_on, found.is_due) == (Due.DUE, 0, TODAY, True)

    def test_every_day_after_it_is_overdue(self):
        found = self.standing(TODAY - timedelta(days=97), every=90)
        assert (found.due, found.days, found.is_due) == (Due.OVERDUE, 7, True)

    def test_changed_when_the_organization_changed_after_the_assessment(self):
        assessed = TODAY - timedelta(days=3)
        assert self.standing(assessed, changed=at(assessed, 13)).changed is True
        assert self.standing(assessed, changed=at(assessed, 11)).changed is False


class TestWhatChangesAnOrganization:
    """Organization.changed_at moves with every edit the advice reads, and only those."""

    def changed_at(self, organization):
        return Organization.objects.values_list("changed_at", flat=True).get(pk=organization.pk)

    def test_each_edit_of_its_model_marks_it_changed(self, acme):
        edits = [
            lambda: ProductFactory(organization=acme, name="Lending"),
            lambda: acme.squads.get(name="Ledger").save(),
            lambda: acme.people.get(name="Pat Kim").squads.add(acme.squads.get(name="Billing")),
            lambda: acme.people.get(name="Pat Kim").squads.clear(),
            lambda: acme.people.get(name="Pat Kim").delete(),
            lambda: acme.products.get(name="Lending").delete(),
        ]
        for edit in edits:
            Organization.objects.filter(pk=acme.pk).update(changed_at=LONG_AGO)
            edit()
            assert self.changed_at(acme) > LONG_AGO

    def test_the_methodology_changes_it_the_name_and_interval_do_not(self, organization):
        organization = Organization.objects.get(pk=organization.pk)
        Organization.objects.filter(pk=organization.pk).update(changed_at=LONG_AGO)
        organization.name, organization.reassess_every_days = "Acme Corp", 30
        organization.save()
        assert self.changed_at(organization) == LONG_AGO
        organization.methodology = "kanban"
        organization.save()
        assert self.changed_at(organization) > LONG_AGO

    def test_saving_the_organization_again_keeps_a_later_change_of_its_products(self, acme):
        organization = Organization.objects.get(pk=acme.pk)
        organization.methodology = "kanban"
        organization.save()
        ProductFactory(organization=acme, name="Lending")
        moved_on = self.changed_at(acme)

        organization.name = "Acme Corp"
        organization.save()

        assert self.changed_at(acme) == moved_on

    def test_replacing_it_by_import_marks_it_changed(self, acme, tmp_path):
        out = StringIO()
        call_command("export_org", acme.slug, stdout=out)
        Organization.objects.filter(pk=acme.pk).update(changed_at=LONG_AGO)
        document = tmp_path / "acme.json"
        document.write_text(out.getvalue())
        call_command("import_org", str(document), "--replace", stdout=StringIO())
        assert self.changed_at(acme) > LONG_AGO


class TestCandidates:
    def test_due_overdue_never_assessed_and_changed_are_picked_with_their_reason(self, acme):
        today = timezone.localdate()
        assessed_on(acme, today - timedelta(days=90))
        late = OrganizationFactory(name="Late", reassess_every_days=30)
        ProductFactory(organization=late)
        assessed_on(late, today - timedelta(days=40))
        edited = OrganizationFactory(name="Edited")
        ProductFactory(organization=edited)
        assessed_on(edited, today - timedelta(days=2))
        Organization.objects.filter(pk=edited.pk).update(changed_at=timezone.now())
        calm = OrganizationFactory(name="Calm")
        ProductFactory(organization=calm)
        assessed_on(calm, today - timedelta(days=2))
        OrganizationFactory(name="Blank")
        assert [(c.slug, c.reason) for c in candidates(today=today)] == [
            ("acme", "due"),
            ("blank", "never assessed"),
            ("edited", "changed"),
            ("late", "overdue"),
        ]

    def test_a_projection_never_counts_as_the_latest_assessment(self, acme):
        today = timezone.localdate()
        assessed_on(acme, today - timedelta(days=100))
        run_assessment(acme, as_of=today + timedelta(days=30))
        Organization.objects.filter(pk=acme.pk).update(changed_at=at(today - timedelta(days=101)))
        found = standings([acme.pk])[acme.pk]
        assert (found.due, found.days) == (Due.OVERDUE, 10)

    def test_reading_any_number_of_organizations_is_one_query(self, db, django_assert_num_queries):
        for _ in range(5):
            assessed_on(ProductFactory().organization, timezone.localdate())
        with django_assert_num_queries(1):
            found = list(candidates())
        assert [c.slug for c in found] == []


class TestReassessDue:
    def test_assesses_each_due_or_changed_organization_once_a_day(self, acme):
        today = timezone.localdate()
        assessed_on(acme, today - timedelta(days=91))
        OrganizationFactory(name="Blank")
        out, err = reassess_due()
        latest = acme.assessments.latest_first().first()
        assert out == (
            f"acme: assessed as of {today} (overdue): assessment {latest.pk}, 0 verdicts changed\n"
        )
        assert err == "blank: not assessed (never assessed): it has no products\n"
        assert latest.scheduled_on == today
        assert latest.created_by is None
        # The same day, after an edit: changed, but a scheduled run already stored today's.
        ProductFactory(organization=acme, name="Lending")
        out, err = reassess_due()
        assert out == ""
        assert err.splitlines()[0] == (
            f"acme: not assessed (changed): a scheduled run assessed it on {today} already"
        )
        assert acme.assessments.count() == 2

    def test_now_assesses_in_this_process_without_the_queue(self, acme, settings):
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        out, _ = reassess_due("--now")
        assert out.startswith(f"acme: assessed as of {timezone.localdate()} (never assessed)")
        assert DBTaskResult.objects.count() == 0

    def test_with_a_worker_the_tasks_wait_for_db_worker(self, acme, settings):
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
        out, _ = reassess_due()
        assert out == "acme: queued for re-assessment (never assessed)\n"
        assert acme.assessments.count() == 0
        # The worker closes connections between tasks, which would end the test's transaction.
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
        assert DBTaskResult.objects.get().status == "SUCCESSFUL"
        assert acme.assessments.get().scheduled_on == timezone.localdate()

    def test_one_failure_is_reported_and_the_others_still_run(self, acme, monkeypatch):
        ProductFactory(organization=OrganizationFactory(name="Zeta"))
        real = scheduling.run_assessment

        def fail_for_acme(organization, **kwargs):
            if organization.slug == "acme":
                raise RuntimeError("boom")
            return real(organization, **kwargs)

        monkeypatch.setattr(scheduling, "run_assessment", fail_for_acme)
        out, err = StringIO(), StringIO()
        with pytest.raises(CommandError, match="1 organization could not be re-assessed"):
            call_command("reassess_due", "--now", stdout=out, stderr=err)
        assert "acme: failed (never assessed): RuntimeError('boom')" in err.getvalue()
        assert out.getvalue().startswith("zeta: assessed")

    def test_the_database_refuses_a_second_scheduled_assessment_of_a_day(self, organization):
        AssessmentFactory(organization=organization, scheduled_on=TODAY)
        AssessmentFactory(organization=organization, scheduled_on=None)
        AssessmentFactory(organization=organization, scheduled_on=TODAY - timedelta(days=1))
        with pytest.raises(IntegrityError), transaction.atomic():
            AssessmentFactory(organization=organization, scheduled_on=TODAY)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every write, so two runs cannot overlap; run on PostgreSQL "
    "(DATABASE_URL=postgres://...)",
)
def test_two_runs_at_once_store_one_scheduled_assessment(monkeypatch):
    """Both runs find the organization due and neither has stored its assessment when the
    other looks: the unique constraint lets one insert through and the other says so."""
    organization = OrganizationFactory(name="Acme")
    SquadFactory(product=ProductFactory(organization=organization))
    both_checked = threading.Barrier(2, timeout=20)
    real = scheduling.run_assessment

    def after_both_checked(*args, **kwargs):
        both_checked.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(scheduling, "run_assessment", after_both_checked)
    outputs: list[tuple[str, str]] = []

    def run() -> None:
        try:
            outputs.append(reassess_due("--now"))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    today = timezone.localdate()
    assert organization.assessments.filter(scheduled_on=today).count() == 1
    lines = sorted(out + err for out, err in outputs)
    assert lines[0].startswith(f"acme: assessed as of {today} (never assessed)")
    assert lines[1] == (
        f"acme: not assessed (never assessed): a scheduled run assessed it on {today} already\n"
    )


class TestMail:
    @pytest.fixture
    def owners(self, acme):
        for name in ("olga", "omar"):
            MembershipFactory(organization=acme, user=UserFactory(username=name))
        MembershipFactory(
            organization=acme, user=UserFactory(username="ed"), role=MemberRole.EDITOR
        )
        return acme

    def test_owners_are_told_once_when_it_falls_due(self, owners, settings):
        settings.ADVISOR_SITE_URL = "https://advisor.example.com"
        today = timezone.localdate()
        latest = assessed_on(owners, today - timedelta(days=90))
        reassess_due()
        due = [m for m in mail.outbox if "is due" in m.subject]
        assert sorted(m.to[0] for m in due) == ["olga@example.com", "omar@example.com"]
        assert due[0].subject == "Acme is due for re-assessment"
        assert f"it fell due on {today:%-d %B %Y}" in due[0].body
        assert "https://advisor.example.com/orgs/acme/" in due[0].body
        latest.refresh_from_db()
        assert latest.due_notified_at is not None
        # A later run that sees the same assessment due again (no scheduled run could store
        # one: the products were removed) sends nothing more.
        mail.outbox.clear()
        owners.products.all().delete()
        Organization.objects.filter(pk=owners.pk).update(changed_at=at(today - timedelta(days=91)))
        Assessment.objects.filter(scheduled_on=today).delete()
        _, err = reassess_due()
        assert err == "acme: not assessed (due): it has no products\n"
        assert mail.outbox == []

    def test_owners_are_told_which_verdicts_a_scheduled_run_changed(self, owners):
        before = assessed_on(owners, timezone.localdate() - timedelta(days=10))
        payments = owners.products.get(name="Payments")
        for squad in payments.squads.all():
            squad.methodology = "kanban"
            squad.save()
        reassess_due()
        after = owners.assessments.latest_first().first()
        [olga, omar] = sorted(mail.outbox, key=lambda m: m.to)
        assert olga.to == ["olga@example.com"] and omar.to == ["omar@example.com"]
        assert olga.subject == "Acme: the scheduled re-assessment changed 1 verdict"
        assert "- Payments: Split -> PM only\n" in olga.body
        assert f"/orgs/acme/assessments/compare/?a={before.pk}&b={after.pk}" in olga.body

    def test_no_mail_on_a_first_assessment(self, owners):
        out, _ = reassess_due()
        assert "(never assessed): assessment" in out and "first assessment" in out
        assert mail.outbox == []

    def test_no_mail_when_no_verdict_changed(self, owners):
        assessed_on(owners, timezone.localdate() - timedelta(days=5))
        ProductFactory(organization=owners, name="Lending", markets=["EU", "US"])
        out, _ = reassess_due()
        assert "(changed): assessment" in out and "0 verdicts changed" in out
        assert mail.outbox == []
