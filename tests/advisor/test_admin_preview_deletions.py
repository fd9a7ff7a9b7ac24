"""Deletions and the changelist's edits are previewed before publishing, as a form's edits are:
nothing is saved until the admin confirms, and the confirmation publishes one version."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from advisor.models import Heuristic, Parameter, RulesetVersion
from advisor.rulesets import MAX_NOTE
from advisor.services import run_assessment
from orgs.models import Organization, TitlePattern
from tests.advisor.scenarios import AS_OF, assessed_acme
from tests.advisor.scenarios import latest_version as latest
from tests.factories import (
    HeuristicFactory,
    OrganizationFactory,
    ParameterFactory,
    ProductFactory,
    SquadFactory,
    TitlePatternFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return assessed_acme()


def heuristic_delete_url(code: str) -> str:
    return reverse("admin:advisor_heuristic_delete", args=[Heuristic.objects.get(code=code).pk])


def changelist_data(model, edit: dict[str, dict], fields: tuple[str, ...]) -> dict:
    """The changelist's editable columns posted as they are, with `edit` (by str(row))."""
    rows = list(model.objects.order_by(*model._meta.ordering or ["pk"]))
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i, row in enumerate(rows):
        values = {"id": row.pk, **{f: getattr(row, f) for f in fields}}
        values |= edit.get(str(row.pk), {})
        for key, value in values.items():
            if value is True:
                data[f"form-{i}-{key}"] = "on"
            elif value is not False:
                data[f"form-{i}-{key}"] = str(value)
    return data


class TestDeletingAHeuristic:
    def test_yes_im_sure_shows_the_preview_and_deletes_nothing(self, admin_client, acme):
        versions, logged = RulesetVersion.objects.count(), LogEntry.objects.count()
        response = admin_client.post(
            heuristic_delete_url("split-three-plus-squads"), {"post": "yes"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "Preview: delete heuristic “split-three-plus-squads”" in html
        assert "Nothing is saved yet." in html
        assert (
            "<td>split-three-plus-squads</td><td>heuristic</td><td><code>present</code></td>"
            "<td><code>—</code></td>" in html
        )
        assert '<th scope="row">Payments</th>' in html
        assert '<input type="hidden" name="post" value="yes">' in html
        assert 'value="Heuristic “split-three-plus-squads”: Deleted."' in html
        assert Heuristic.objects.filter(code="split-three-plus-squads").exists()
        assert RulesetVersion.objects.count() == versions
        assert LogEntry.objects.count() == logged

    def test_the_confirmation_deletes_and_publishes_one_version_with_the_note(
        self, admin_client, admin_user
    ):
        before = latest().number
        response = admin_client.post(
            heuristic_delete_url("split-three-plus-squads"),
            {"post": "yes", "_publish": "1", "_note": "Splitting is judged by hand now."},
        )
        assert response.status_code == 302
        assert not Heuristic.objects.filter(code="split-three-plus-squads").exists()
        assert list(RulesetVersion.objects.filter(number__gt=before).values_list("number")) == [
            (before + 1,)
        ]
        version = latest()
        assert (version.note, version.published_by) == (
            "Splitting is judged by hand now.",
            admin_user,
        )
        codes = [h["code"] for h in version.content["heuristics"]]
        assert "split-three-plus-squads" not in codes

    def test_without_a_note_the_version_says_what_was_deleted(self, admin_client):
        admin_client.post(
            heuristic_delete_url("merge-small-team"), {"post": "yes", "_publish": "1", "_note": ""}
        )
        assert latest().note == "Heuristic “merge-small-team”: Deleted."

    def test_deleting_from_a_popup_is_previewed_too(self, admin_client):
        url = heuristic_delete_url("merge-small-team")
        before = latest().number
        preview = admin_client.post(url, {"post": "yes", "_popup": "1"})
        html = preview.content.decode()
        assert "Nothing is saved yet." in html
        assert '<input type="hidden" name="_popup" value="1">' in html
        assert Heuristic.objects.filter(code="merge-small-team").exists()
        admin_client.post(url, {"post": "yes", "_popup": "1", "_publish": "1"})
        assert not Heuristic.objects.filter(code="merge-small-team").exists()
        assert latest().number == before + 1

    def test_a_heuristic_already_gone_publishes_nothing(self, admin_client):
        url = heuristic_delete_url("merge-small-team")
        Heuristic.objects.filter(code="merge-small-team").delete()
        before = latest().number
        for data in ({"post": "yes"}, {"post": "yes", "_publish": "1"}):
            assert admin_client.post(url, data).status_code == 302
        assert latest().number == before

    def test_the_are_you_sure_page_is_django_s_as_before(self, admin_client):
        response = admin_client.get(heuristic_delete_url("merge-small-team"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Nothing is deleted yet: next you see what deleting it would change" in html
        assert "Are you sure" in html


class TestDeletingAParameter:
    def test_a_parameter_a_heuristic_reads_is_protected_and_nothing_is_previewed(
        self, admin_client
    ):
        pk = Parameter.objects.get(name="min_squads").pk
        versions = RulesetVersion.objects.count()
        response = admin_client.post(
            reverse("admin:advisor_parameter_delete", args=[pk]), {"post": "yes"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "Heuristic “split-three-plus-squads” reads min_squads" in html
        assert "Nothing is saved yet." not in html
        assert "Nothing is deleted yet" not in html
        assert Parameter.objects.filter(name="min_squads").exists()
        assert RulesetVersion.objects.count() == versions

    def test_an_unread_parameter_is_previewed_then_deleted_in_one_version(self, admin_client):
        unread = ParameterFactory(name="spare_line", value=7)
        url = reverse("admin:advisor_parameter_delete", args=[unread.pk])
        before = latest().number
        preview = admin_client.post(url, {"post": "yes"})
        html = preview.content.decode()
        assert (
            "<td>parameters</td><td>spare_line</td><td><code>7</code></td><td><code>—</code></td>"
            in html
        )
        assert "No organization's latest advice would change." in html
        assert Parameter.objects.filter(name="spare_line").exists()
        assert latest().number == before

        published = admin_client.post(url, {"post": "yes", "_publish": "1", "_note": ""})
        assert published.status_code == 302
        assert not Parameter.objects.filter(name="spare_line").exists()
        assert latest().number == before + 1
        assert latest().note == "Parameter “spare_line”: Deleted."
        assert "spare_line" not in latest().content["parameters"]


class TestDeletingATitlePattern:
    def test_is_previewed_then_published_once(self, admin_client, admin_user):
        pattern = TitlePatternFactory(pattern=r"\bCOO\b", role="executive")
        url = reverse("admin:orgs_titlepattern_delete", args=[pattern.pk])
        before = latest().number
        preview = admin_client.post(url, {"post": "yes"})
        assert preview.status_code == 200
        html = preview.content.decode()
        assert "<td>title_patterns</td><td>patterns</td>" in html
        assert TitlePattern.objects.filter(pk=pattern.pk).exists()
        assert latest().number == before

        admin_client.post(url, {"post": "yes", "_publish": "1", "_note": "No COOs here."})
        assert not TitlePattern.objects.filter(pk=pattern.pk).exists()
        assert latest().number == before + 1
        assert (latest().note, latest().published_by) == ("No COOs here.", admin_user)


class TestDeletingSelectedHeuristics:
    def data(self, *heuristics) -> dict:
        return {
            "action": "delete_selected",
            "_selected_action": [h.pk for h in heuristics],
            "post": "yes",
        }

    def test_is_previewed_naming_each_and_deletes_nothing(self, admin_client, acme):
        first = Heuristic.objects.get(code="split-three-plus-squads")
        second = Heuristic.objects.get(code="merge-small-team")
        before = latest().number
        url = reverse("admin:advisor_heuristic_changelist")
        response = admin_client.post(url, self.data(first, second))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Preview: delete the selected heuristics" in html
        assert "<td>split-three-plus-squads</td><td>heuristic</td>" in html
        assert "<td>merge-small-team</td><td>heuristic</td>" in html
        assert '<th scope="row">Payments</th>' in html
        assert 'value="Deleted 2 heuristics: split-three-plus-squads, merge-small-team."' in html
        assert html.count('name="_selected_action"') == 2
        assert "Successfully deleted" not in html
        assert Heuristic.objects.filter(pk__in=[first.pk, second.pk]).count() == 2
        assert latest().number == before

    def test_the_confirmation_publishes_exactly_one_version(self, admin_client):
        first, second = HeuristicFactory(code="custom-a"), HeuristicFactory(code="custom-b")
        before = latest().number
        response = admin_client.post(
            reverse("admin:advisor_heuristic_changelist"),
            {**self.data(first, second), "_publish": "1", "_note": "Tidying up."},
        )
        assert response.status_code == 302
        assert not Heuristic.objects.filter(code__startswith="custom-").exists()
        assert latest().number == before + 1
        assert latest().note == "Tidying up."

    def test_choosing_the_action_still_asks_are_you_sure_first(self, admin_client):
        first = HeuristicFactory(code="custom-a")
        response = admin_client.post(
            reverse("admin:advisor_heuristic_changelist"),
            {"action": "delete_selected", "_selected_action": [first.pk], "index": "0"},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "Nothing is deleted yet: next you see what deleting them would change" in html
        assert "Are you sure" in html
        assert Heuristic.objects.filter(code="custom-a").exists()


class TestEnabledEditedInTheList:
    url = staticmethod(lambda: reverse("admin:advisor_heuristic_changelist"))

    def off(self, *codes: str) -> dict:
        edit = {
            str(pk): {"enabled": False}
            for pk in Heuristic.objects.filter(code__in=codes).values_list("pk", flat=True)
        }
        return changelist_data(Heuristic, edit, ("enabled",))

    def test_is_previewed_with_whose_advice_changes_and_saves_nothing(self, admin_client, acme):
        before = latest().number
        response = admin_client.post(self.url(), self.off("split-three-plus-squads"))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Preview: heuristics edited in the list" in html
        assert (
            "<td>split-three-plus-squads</td><td>state</td><td><code>on</code></td>"
            "<td><code>off</code></td>" in html
        )
        assert '<th scope="row">Payments</th>' in html
        assert 'value="Heuristic “split-three-plus-squads”: Changed Enabled."' in html
        assert "was changed successfully" not in html
        assert Heuristic.objects.get(code="split-three-plus-squads").enabled is True
        assert latest().number == before

    def test_two_rows_changed_publish_one_version_with_the_note(self, admin_client, admin_user):
        before = latest().number
        data = self.off("split-three-plus-squads", "merge-small-team")
        response = admin_client.post(self.url(), {**data, "_publish": "1", "_note": ""})
        assert response.status_code == 302
        assert set(Heuristic.objects.filter(enabled=False).values_list("code", flat=True)) == {
            "split-three-plus-squads",
            "merge-small-team",
        }
        assert latest().number == before + 1
        version = latest()
        assert version.published_by == admin_user
        assert "Heuristic “split-three-plus-squads”: Changed Enabled." in version.note
        assert "Heuristic “merge-small-team”: Changed Enabled." in version.note

    def test_the_note_of_many_rows_is_cut_to_what_a_version_holds(self, admin_client):
        for i in range(40):
            HeuristicFactory(code=f"custom-with-a-long-code-{i:02}")
        codes = list(Heuristic.objects.filter(enabled=True).values_list("code", flat=True))
        response = admin_client.post(self.url(), self.off(*codes))
        note = response.context["note"]
        assert len(note) == MAX_NOTE
        assert note.endswith("…")
        before = latest().number
        admin_client.post(self.url(), {**self.off(*codes), "_publish": "1", "_note": ""})
        assert (latest().number, latest().note) == (before + 1, note)
        assert not Heuristic.objects.filter(enabled=True).exists()

    def test_saving_the_list_unchanged_publishes_nothing_and_shows_no_preview(self, admin_client):
        before = latest().number
        response = admin_client.post(self.url(), self.off())
        assert response.status_code == 302
        assert latest().number == before

    def test_staff_who_may_only_view_change_nothing(self, client):
        user = UserFactory(is_staff=True)
        user.user_permissions.set(Permission.objects.filter(codename="view_heuristic"))
        client.force_login(user)
        before = latest().number
        data = self.off("split-three-plus-squads")
        for posted in (data, {**data, "_publish": "1"}):
            response = client.post(self.url(), posted)
            assert "Nothing is saved yet." not in response.content.decode()
        assert Heuristic.objects.get(code="split-three-plus-squads").enabled is True
        assert latest().number == before


class TestTitlePatternsEditedInTheList:
    def test_are_previewed_then_published_once(self, admin_client):
        first = TitlePattern.objects.order_by("position", "id").first()
        data = changelist_data(
            TitlePattern, {str(first.pk): {"pattern": r"\bboss\b"}}, ("position", "pattern", "role")
        )
        url = reverse("admin:orgs_titlepattern_changelist")
        before = latest().number
        preview = admin_client.post(url, data)
        assert "<td>title_patterns</td><td>patterns</td>" in preview.content.decode()
        first.refresh_from_db()
        assert first.pattern != r"\bboss\b"
        admin_client.post(url, {**data, "_publish": "1", "_note": "Bosses."})
        first.refresh_from_db()
        assert first.pattern == r"\bboss\b"
        assert (latest().number, latest().note) == (before + 1, "Bosses.")


class TestPermissionsToDelete:
    def staff(self, client, *codenames):
        user = UserFactory(is_staff=True)
        user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
        client.force_login(user)
        return client

    def test_deleting_a_heuristic_needs_the_permission_to_change_heuristics(self, client):
        deleter = self.staff(client, "view_heuristic", "delete_heuristic")
        url = heuristic_delete_url("merge-small-team")
        assert deleter.post(url, {"post": "yes"}).status_code == 403
        assert deleter.post(url, {"post": "yes", "_publish": "1"}).status_code == 403
        assert Heuristic.objects.filter(code="merge-small-team").exists()

    def test_staff_who_may_change_but_not_delete_cannot_delete(self, client):
        editor = self.staff(client, "view_heuristic", "change_heuristic")
        url = heuristic_delete_url("merge-small-team")
        assert editor.post(url, {"post": "yes", "_publish": "1"}).status_code == 403
        assert Heuristic.objects.filter(code="merge-small-team").exists()

    def test_staff_who_may_change_and_delete_heuristics_publish_a_deletion(self, client):
        editor = self.staff(client, "view_heuristic", "change_heuristic", "delete_heuristic")
        url = heuristic_delete_url("merge-small-team")
        before = latest().number
        assert editor.post(url, {"post": "yes"}).status_code == 200
        assert editor.post(url, {"post": "yes", "_publish": "1"}).status_code == 302
        assert not Heuristic.objects.filter(code="merge-small-team").exists()
        assert latest().number == before + 1


class TestQueries:
    def test_previewing_a_deletion_reads_as_many_queries_for_2_and_6_organizations(
        self, admin_client
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        url = heuristic_delete_url("split-three-plus-squads")
        admin_client.post(url, {"post": "yes"})  # the caches of a first request filled
        counts = []
        for total in (2, 6):
            while Organization.objects.count() < total:
                org = OrganizationFactory()
                product = ProductFactory(organization=org)
                for i in range(3):
                    SquadFactory(product=product, name=f"Squad {i}")
                run_assessment(org, as_of=AS_OF)
            with CaptureQueriesContext(connection) as queries:
                response = admin_client.post(url, {"post": "yes"})
            assert "Nothing is saved yet." in response.content.decode()
            counts.append(len(queries))
        assert counts[0] == counts[1]
