"""Preview before publishing in the admin, restoring versions and the defaults, the difference
a version made, and who may edit the rules."""

import json
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advisor.models import Heuristic, Parameter, RulesetVersion
from tests.advisor.admin_forms import change_page
from tests.advisor.scenarios import assessed_acme, set_parameter
from tests.advisor.scenarios import latest_version as latest
from tests.factories import (
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return assessed_acme()


def parameter_url(name: str) -> str:
    return reverse("admin:advisor_parameter_change", args=[Parameter.objects.get(name=name).pk])


class TestPreviewBeforePublishing:
    def test_the_first_submit_shows_what_would_change_and_saves_nothing(self, admin_client, acme):
        logged = LogEntry.objects.count()
        response = admin_client.post(parameter_url("min_squads"), {"value": "4", "description": ""})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Nothing is saved yet." in html
        assert (
            "<td>parameters</td><td>min_squads</td><td><code>3</code></td><td><code>4</code></td>"
            in html
        )
        assert '<th scope="row">Payments</th>' in html
        assert "<td>split</td>\n              <td>merge</td>" in html
        assert Parameter.objects.get(name="min_squads").value == 3
        assert RulesetVersion.objects.count() == 1
        assert LogEntry.objects.count() == logged

    def test_the_confirmation_posts_the_form_again_to_publish_it(self, admin_client, admin_user):
        response = admin_client.post(
            parameter_url("min_squads"), {"value": "4", "description": "Line."}
        )
        html = response.content.decode()
        assert '<input type="hidden" name="value" value="4">' in html
        assert '<input type="hidden" name="_publish" value="1">' in html
        assert 'value="Parameter “min_squads”: Changed Value and Description."' in html
        published = admin_client.post(
            parameter_url("min_squads"),
            {"value": "4", "description": "Line.", "_publish": "1", "_note": "After the offsite."},
        )
        assert published.status_code == 302
        version = latest()
        assert (version.label, version.note, version.published_by) == (
            "v2",
            "After the offsite.",
            admin_user,
        )
        assert version.content["parameters"]["min_squads"] == 4

    @pytest.mark.parametrize(
        ("note", "said"),
        [
            ("bad\x00note", "must not contain control characters (U+0000 at character 4)"),
            ("bell\x07", "must not contain control characters (U+0007 at character 5)"),
        ],
    )
    def test_a_note_that_cannot_be_stored_publishes_and_saves_nothing_saying_why(
        self, admin_client, note, said
    ):
        response = admin_client.post(
            parameter_url("min_squads"),
            {"value": "4", "description": "Line.", "_publish": "1", "_note": note},
            follow=True,
        )
        assert response.status_code == 200
        assert f"Nothing was published: the note {said}." in response.content.decode()
        assert Parameter.objects.get(name="min_squads").value == 3
        assert RulesetVersion.objects.count() == 1

    def test_a_preview_confirmed_after_another_admin_published_is_shown_again_not_applied(
        self, admin_client, django_user_model
    ):
        # A previews min_squads 4; meanwhile B publishes min_markets 3; A confirms.
        preview = admin_client.post(
            parameter_url("min_squads"), {"value": "4", "description": "Line."}
        ).content.decode()
        based_on = re.search(r'name="_based_on" value="(\d+)"', preview)[1]
        assert based_on == str(latest().number)
        other = Client()
        other.force_login(django_user_model.objects.create_superuser("b", "b@example.com", "x"))
        other.post(parameter_url("min_markets"), {"value": "3", "_publish": "1"})
        published = latest()
        response = admin_client.post(
            parameter_url("min_squads"),
            {"value": "4", "description": "Line.", "_publish": "1", "_based_on": based_on},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert "The rules changed since that preview" in html
        # The preview again, from the rules in force now: it confirms from v2, B's.
        assert f'name="_based_on" value="{published.number}"' in html
        assert latest() == published
        assert Parameter.objects.get(name="min_squads").value == 3
        assert Parameter.objects.get(name="min_markets").value == 3

    def test_a_split_and_merge_meeting_is_warned_of_before_saving(self, admin_client):
        heuristic = Heuristic.objects.get(code="merge-small-team")
        condition = dict(heuristic.condition)
        condition["all"] = [{"fact": "squads", "op": "<=", "value": 3}, *condition["all"][1:]]

        response = admin_client.post(
            reverse("admin:advisor_heuristic_change", args=[heuristic.pk]),
            {
                "code": heuristic.code,
                "name": heuristic.name,
                "position": str(heuristic.position),
                "enabled": "on",
                "scope": heuristic.scope,
                "condition": json.dumps(condition),
                "outcome": heuristic.outcome,
                "severity": heuristic.severity,
                "message": heuristic.message,
                "sources": json.dumps(heuristic.sources),
                "examples": "[]",
            },
        )
        html = response.content.decode()
        assert (
            "split-three-plus-squads (split) and merge-small-team (merge) both fire where "
            "squads is 3: a product there would be told to split and to merge."
        ) in html
        assert Heuristic.objects.get(code="merge-small-team").condition == heuristic.condition

    def test_an_invalid_edit_is_shown_with_its_errors_as_before(self, admin_client):
        response = admin_client.post(parameter_url("min_squads"), {"value": "[", "description": ""})
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["value"]


class TestRestore:
    def test_an_earlier_version_is_previewed_then_published_again(self, admin_client, acme):
        first = latest()
        admin_client.post(parameter_url("min_squads"), {"value": "4", "_publish": "1"})
        url = reverse("admin:advisor_rulesetversion_restore", args=[first.pk])
        page = admin_client.get(url).content.decode()
        assert (
            "<td>parameters</td><td>min_squads</td><td><code>4</code></td><td><code>3</code></td>"
            in page
        )
        assert '<th scope="row">Payments</th>' in page
        assert RulesetVersion.objects.count() == 2
        response = admin_client.post(url, {"_publish": "1", "_note": ""})
        assert response.status_code == 302
        version = latest()
        assert (version.label, version.note) == ("v3", "Restored v1.")
        assert version.content == first.content

    def test_a_note_that_cannot_be_stored_is_refused_and_nothing_published(self, admin_client):
        first = latest()
        admin_client.post(parameter_url("min_squads"), {"value": "4", "_publish": "1"})
        url = reverse("admin:advisor_rulesetversion_restore", args=[first.pk])
        response = admin_client.post(url, {"_publish": "1", "_note": "x\x00"}, follow=True)
        assert "Nothing was published: the note must not contain control characters" in (
            response.content.decode()
        )
        assert RulesetVersion.objects.count() == 2

    def test_a_version_that_breaks_todays_rules_is_refused_with_why(self, admin_client):
        first = latest()
        content = first.content
        content["heuristics"][0]["description"] = "x" * 10_001
        RulesetVersion.objects.filter(pk=first.pk).update(content=content)
        url = reverse("admin:advisor_rulesetversion_restore", args=[first.pk])

        for response in (admin_client.get(url), admin_client.post(url, {"_publish": "1"})):
            assert response.status_code == 302
            assert response["Location"] == reverse("admin:advisor_rulesetversion_changelist")

        page = admin_client.get(reverse("admin:advisor_rulesetversion_changelist"))
        assert "Restore v1 is refused: it breaks today&#x27;s rules: heuristics[0].description" in (
            page.content.decode()
        )
        assert RulesetVersion.objects.count() == 1

    def test_the_defaults_are_previewed_then_restored(self, admin_client):
        first = latest()
        Heuristic.objects.get(code="merge-small-team").delete()
        changelist = admin_client.get(reverse("admin:advisor_rulesetversion_changelist"))
        url = reverse("admin:advisor_rulesetversion_restore_defaults")
        assert url in changelist.content.decode()
        page = admin_client.get(url).content.decode()
        assert "<td>merge-small-team</td><td>heuristic</td>" in page
        admin_client.post(url, {"_publish": "1", "_note": "Back to the start."})
        version = latest()
        assert (version.note, version.content) == ("Back to the start.", first.content)

    def test_a_version_shows_what_it_changed(self, admin_client):
        admin_client.post(parameter_url("min_squads"), {"value": "4", "_publish": "1"})
        page = admin_client.get(
            reverse("admin:advisor_rulesetversion_change", args=[latest().pk])
        ).content.decode()
        assert (
            "<tr><td>parameters</td><td>min_squads</td><td><code>3</code></td>"
            "<td><code>4</code></td></tr>"
        ) in page


class TestPermissions:
    def staff(self, client, *codenames):
        user = UserFactory(is_staff=True)
        user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
        client.force_login(user)
        return client

    def test_staff_who_may_only_view_cannot_edit_or_publish(self, client):
        viewer = self.staff(client, "view_heuristic", "view_parameter", "view_rulesetversion")
        heuristic = Heuristic.objects.get(code="split-three-plus-squads")
        change = reverse("admin:advisor_heuristic_change", args=[heuristic.pk])
        assert viewer.get(change).context["has_change_permission"] is False
        assert viewer.post(change, {"severity": "critical"}).status_code == 403
        assert viewer.post(parameter_url("min_squads"), {"value": "4"}).status_code == 403
        restore = reverse("admin:advisor_rulesetversion_restore", args=[latest().pk])
        assert viewer.get(restore).status_code == 403
        assert RulesetVersion.objects.count() == 1

    def test_a_parameter_needs_the_permission_to_change_heuristics_too(self, client):
        editor = self.staff(client, "view_parameter", "change_parameter")
        assert editor.post(parameter_url("min_squads"), {"value": "4"}).status_code == 403
        assert Parameter.objects.get(name="min_squads").value == 3

    def test_staff_who_may_change_heuristics_publish(self, client):
        editor = self.staff(
            client, "view_parameter", "change_parameter", "change_heuristic", "view_heuristic"
        )
        response = editor.post(parameter_url("min_squads"), {"value": "4", "_publish": "1"})
        assert response.status_code == 302
        assert latest().content["parameters"]["min_squads"] == 4

    def test_members_who_are_not_staff_never_reach_the_admin(self, client):
        member = MembershipFactory().user
        client.force_login(member)
        response = client.get(reverse("admin:advisor_heuristic_changelist"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
        response = client.post(parameter_url("min_squads"), {"value": "4", "_publish": "1"})
        assert response.status_code == 302
        assert Parameter.objects.get(name="min_squads").value == 3


class TestHeuristicsPageHistory:
    def test_shows_the_current_version_with_each_versions_changes(self, client, admin_client):
        admin_client.post(
            parameter_url("min_squads"), {"value": "4", "_publish": "1", "_note": "Four."}
        )
        client.force_login(UserFactory())
        html = client.get(reverse("advisor:heuristic_list")).content.decode()
        assert "Ruleset <code>v2</code>" in html
        assert '<li id="version-v2">' in html
        assert ": Four.</summary>" in html
        assert (
            "<tr><td><code>parameters</code></td><td>min_squads</td><td><code>3</code></td>"
            "<td><code>4</code></td></tr>"
        ) in html
        assert '<li id="version-v1">' in html

    def test_lists_twenty_versions_in_a_fixed_number_of_queries(self, client):
        client.force_login(UserFactory())
        url = reverse("advisor:heuristic_list")
        counts = []
        for total in (3, 25):
            for value in range(RulesetVersion.objects.count(), total):
                set_parameter("max_personas", value + 1)
            with CaptureQueriesContext(connection) as queries:
                html = client.get(url).content.decode()
            counts.append(len(queries))
        assert counts[0] + 1 == counts[1]  # the count of older versions, once there are any
        assert html.count('<li id="version-') == 20
        assert "5 older versions are listed in the admin." in html


class TestReferenceBesideTheForm:
    def test_lists_every_fact_and_parameter_and_the_placeholders(self, admin_client):
        html = change_page(admin_client, "split-strategy-stalled")
        assert (
            "<tr><td><code>roadmap_age_days</code></td><td>int</td><td>product</td>"
            "<td>Days since the roadmap was last updated.</td><td>roadmap_updated_on</td></tr>"
        ) in html
        assert "<td><code>is_scrum</code></td><td>bool</td><td>squad</td>" in html
        assert (
            "<tr><td><code>min_squads</code></td><td>3</td><td>Squads from which a product needs "
        ) in html
        assert "<td>split-three-plus-squads, merge-small-team</td></tr>" in html
        assert (
            "Placeholders the message may use for a product heuristic: <code>{subject}, {squads}"
            in html
        )
