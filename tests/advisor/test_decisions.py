"""Decisions on advice: accept, dismiss with a reason, snooze until a date; later assessments
keep them while the evidence is no worse and reopen them, saying why, when it gets worse or
the snooze ends; who decided what and when is kept and shown."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from advisor.decisions import decide, worsened
from advisor.models import Decision, DecisionEvent
from advisor.services import run_assessment
from orgs.models import MemberRole
from tests.advisor.scenarios import decide_url, detail_url, finding
from tests.factories import SquadFactory, build_organization
from tests.helpers import HX, assert_partial, assert_redirects_to, client_for

pytestmark = pytest.mark.django_db


def clause(fact, value, op, threshold, result=True, param=None):
    return {
        "fact": fact,
        "value": value,
        "op": op,
        "threshold": threshold,
        "param": param,
        "result": result,
    }


class TestWorse:
    def test_a_larger_value_is_worse_for_greater_than(self):
        before = [clause("pm_backlog_share", 45, ">", 40, param="max_backlog_share")]
        after = [clause("pm_backlog_share", 60, ">", 40, param="max_backlog_share")]
        assert worsened(before, after) == ["PM backlog share rose from 45% to 60%"]

    def test_a_smaller_value_is_worse_for_less_than(self):
        before = [clause("strategic_share", 10, "<", 15, param="min_strategic_share")]
        after = [clause("strategic_share", 5, "<", 15, param="min_strategic_share")]
        assert worsened(before, after) == ["strategic share fell from 10% to 5%"]

    def test_the_same_or_a_better_value_is_not_worse(self):
        before = [clause("squads", 4, ">=", 3), clause("strategic_share", 10, "<", 15)]
        assert worsened(before, before) == []
        better = [clause("squads", 3, ">=", 3), clause("strategic_share", 12, "<", 15)]
        assert worsened(before, better) == []

    def test_a_clause_newly_firing_is_worse(self):
        before = [clause("squads", 2, ">=", 3, result=False), clause("pm_squads", 3, ">=", 3)]
        after = [clause("squads", 3, ">=", 3), clause("pm_squads", 3, ">=", 3)]
        assert worsened(before, after) == ["squads now fires (3 >= 3)"]

    def test_a_clause_not_compared_then_and_holding_now_is_worse(self):
        after = [clause("scrum_squads", 0, "==", 0)]
        assert worsened([], after) == ["scrum squads now fires (0 == 0)"]

    def test_a_clause_that_stopped_holding_is_not_worse(self):
        before = [clause("squads", 3, ">=", 3), clause("pm_squads", 3, ">=", 3)]
        after = [clause("squads", 2, ">=", 3, result=False), clause("pm_squads", 3, ">=", 3)]
        assert worsened(before, after) == []


def today_assessment(org):
    return run_assessment(org)[2]


class TestCarryForward:
    def test_a_decision_is_kept_while_the_evidence_is_unchanged_or_better(self, acme, member):
        user = member(MemberRole.EDITOR).user
        first = today_assessment(acme)
        decision = decide(
            finding(first, "split-backlog-overload"),
            action="dismiss",
            reason="accepted_risk",
            note="Dana likes the backlog.",
            user=user,
        )
        today_assessment(acme)
        acme.people.filter(name="Dana Lee").update(time_backlog=50)
        today_assessment(acme)
        decision.refresh_from_db()
        assert decision.status == "dismissed"
        assert decision.event_count == 1
        assert list(decision.events.values_list("action", flat=True)) == ["dismiss"]

    def test_worse_evidence_reopens_it_saying_why(self, acme, member):
        user = member(MemberRole.EDITOR).user
        first = today_assessment(acme)
        decision = decide(finding(first, "split-backlog-overload"), action="accept", user=user)
        acme.people.filter(name="Dana Lee").update(time_backlog=60, time_strategy=5)
        second = today_assessment(acme)
        decision.refresh_from_db()
        assert decision.status == "open"
        assert decision.reopened_because == "PM backlog share rose from 55% to 60%."
        event = decision.events.first()
        assert (event.action, event.by, event.assessment, event.explanation) == (
            "reopen",
            None,
            second,
            "PM backlog share rose from 55% to 60%.",
        )

    def test_a_renamed_product_keeps_its_decision(self, acme, member):
        user = member(MemberRole.EDITOR).user
        decision = decide(
            finding(today_assessment(acme), "split-three-plus-squads"),
            action="snooze",
            until=timezone.localdate() + timedelta(days=30),
            user=user,
        )
        payments = acme.products.get()
        payments.name = "Payments Platform"
        payments.save()
        today_assessment(acme)
        decision.refresh_from_db()
        assert decision.status == "snoozed"
        SquadFactory(product=payments, name="Fraud")
        today_assessment(acme)
        decision.refresh_from_db()
        assert (decision.status, decision.subject_id, decision.reopened_because) == (
            "open",
            payments.pk,
            "Squads rose from 3 to 4.",
        )

    def test_a_snooze_reopens_once_its_date_comes(self, acme, member):
        user = member(MemberRole.EDITOR).user
        today = timezone.localdate()
        decision = decide(
            finding(today_assessment(acme), "split-three-plus-squads"),
            action="snooze",
            until=today + timedelta(days=10),
            user=user,
        )
        Decision.objects.filter(pk=decision.pk).update(until=today)
        today_assessment(acme)
        decision.refresh_from_db()
        assert decision.status == "open"
        assert decision.reopened_because == (f"The snooze until {today.day} {today:%b %Y} ended.")

    def test_a_projection_reopens_nothing(self, acme, member):
        user = member(MemberRole.EDITOR).user
        decision = decide(
            finding(today_assessment(acme), "split-backlog-overload"), action="accept", user=user
        )
        acme.people.filter(name="Dana Lee").update(time_backlog=60, time_strategy=5)
        run_assessment(acme, as_of=timezone.localdate() + timedelta(days=30))
        decision.refresh_from_db()
        assert decision.status == "accepted"

    def test_a_finding_that_resolved_and_came_back_as_it_was_keeps_the_decision(self, acme, member):
        user = member(MemberRole.EDITOR).user
        decision = decide(
            finding(today_assessment(acme), "split-backlog-overload"), action="accept", user=user
        )
        acme.people.filter(name="Dana Lee").update(time_backlog=30, time_strategy=35)
        resolved = today_assessment(acme)
        assert not resolved.findings.filter(heuristic="split-backlog-overload").exists()
        acme.people.filter(name="Dana Lee").update(time_backlog=55, time_strategy=10)
        today_assessment(acme)
        decision.refresh_from_db()
        assert decision.status == "accepted"


class TestDecidingInTheBrowser:
    @pytest.fixture
    def assessed(self, acme):
        return today_assessment(acme)

    @pytest.mark.parametrize("name", ["advisor:decide", "advisor:reopen_decision"])
    @pytest.mark.parametrize("headers", [{}, HX])
    def test_a_viewer_gets_403_and_a_stranger_404_and_nothing_is_written(
        self, assessed, member, name, headers
    ):
        url = decide_url(assessed, finding(assessed, "split-backlog-overload"), name)
        data = {"action": "accept"}
        assert member(MemberRole.VIEWER).post(url, data, headers=headers).status_code == 403
        assert member(None).post(url, data, headers=headers).status_code == 404
        assert member(None).get(url).status_code == 404
        assert not Decision.objects.exists()
        assert not DecisionEvent.objects.exists()

    def test_a_finding_of_another_organization_is_404(self, assessed, member):
        other = build_organization(3, name="Other")
        theirs = today_assessment(other).findings.first()
        url = reverse("advisor:decide", args=["acme", assessed.pk, theirs.pk])
        assert member(MemberRole.OWNER).post(url, {"action": "accept"}).status_code == 404

    def test_an_editor_dismisses_with_a_reason_and_note_and_returns_to_the_page(
        self, assessed, member
    ):
        client = member(MemberRole.EDITOR)
        f = finding(assessed, "split-backlog-overload")
        back = detail_url(assessed) + "?people_page=1"
        response = client.post(
            decide_url(assessed, f),
            {"action": "dismiss", "reason": "accepted_risk", "note": "Hiring in Q2.", "next": back},
        )
        assert_redirects_to(response, f"{back}#advice-{f.pk}-card")
        decision = Decision.objects.get()
        assert (
            decision.scope,
            decision.subject_id,
            decision.heuristic,
            decision.status,
            decision.reason,
            decision.note,
            decision.decided_by,
        ) == (
            "product",
            f.subject.product_id,
            "split-backlog-overload",
            "dismissed",
            "accepted_risk",
            "Hiring in Q2.",
            client.user,
        )
        assert decision.evidence == f.trace

    def test_next_never_leaves_the_assessment(self, assessed, member):
        f = finding(assessed, "split-backlog-overload")
        for evil in ["https://evil.example/", "//evil.example/", "/orgs/other/"]:
            response = member(MemberRole.EDITOR).post(
                decide_url(assessed, f), {"action": "accept", "next": evil}
            )
            assert_redirects_to(response, f"{detail_url(assessed)}#advice-{f.pk}-card")

    @pytest.mark.parametrize(
        ("data", "field", "error"),
        [
            ({"action": "dismiss"}, "reason", "Choose why you dismiss this advice."),
            ({"action": "snooze"}, "until", "Give the date until which to snooze it."),
            (
                {"action": "snooze", "until": "2020-01-01"},
                "until",
                "The snooze must end after today.",
            ),
            ({"action": "snooze", "until": "tomorrow"}, "until", "Enter a valid date."),
            ({"action": "maybe"}, "action", "Select a valid choice. maybe is not one of the"),
            (
                {"action": "accept", "note": "bad\x00note"},
                "note",
                "Null characters are not allowed.",
            ),
        ],
    )
    def test_a_wrong_input_is_refused_by_field(self, assessed, member, data, field, error):
        f = finding(assessed, "split-backlog-overload")
        client = member(MemberRole.EDITOR)
        for headers, template in [({}, "advisor/decision.html"), (HX, "advisor/_advice.html")]:
            response = client.post(decide_url(assessed, f), data, headers=headers)
            assert response.status_code == 200
            assert response.template_name == template
            errors = response.context["form"].errors[field]
            assert errors[0].startswith(error), errors
            assert error.split(".")[0] in response.content.decode()
        assert not Decision.objects.exists()

    def test_today_is_not_a_future_date_and_tomorrow_is(self, assessed, member):
        f = finding(assessed, "split-backlog-overload")
        client = member(MemberRole.EDITOR)
        today = timezone.localdate()
        client.post(decide_url(assessed, f), {"action": "snooze", "until": today.isoformat()})
        assert not Decision.objects.exists()
        tomorrow = today + timedelta(days=1)
        client.post(decide_url(assessed, f), {"action": "snooze", "until": tomorrow.isoformat()})
        assert Decision.objects.get().until == tomorrow

    def test_htmx_swaps_the_advice_in_place(self, assessed, member):
        f = finding(assessed, "split-backlog-overload")
        client = member(MemberRole.EDITOR)
        until = timezone.localdate() + timedelta(days=14)
        response = client.post(
            decide_url(assessed, f),
            {"action": "snooze", "until": until.isoformat(), "placement": "card"},
            headers=HX,
        )
        assert response.template_name == "advisor/_advice.html"
        html = response.content.decode()
        assert "<html" not in html
        assert html.startswith(f'<div class="advice advice-set-aside" id="advice-{f.pk}-card">')
        assert f"until {until.day} {until:%b %Y}" in html
        assert "Shown under Decided" in html

    def test_accepting_keeps_the_finding_in_place_with_who_and_when(self, assessed, member):
        f = finding(assessed, "split-backlog-overload")
        client = member(MemberRole.EDITOR)
        client.post(decide_url(assessed, f), {"action": "accept"})
        html = client.get(detail_url(assessed)).content.decode()
        card = html.split('id="product-1"')[1].split("<section")[0]
        assert f'id="advice-{f.pk}-card"' in card
        assert f"Accepted</span>\n          by {client.user.get_username()} on" in card
        assert "No advice here is dismissed or snoozed." in html

    def test_dismissed_advice_is_shown_apart_under_decided_never_hidden(self, assessed, member):
        f = finding(assessed, "split-backlog-overload")
        editor = member(MemberRole.EDITOR)
        editor.post(
            decide_url(assessed, f),
            {"action": "dismiss", "reason": "not_applicable", "note": "Seasonal peak."},
        )
        response = member(MemberRole.VIEWER).get(detail_url(assessed))
        html = response.content.decode()
        assert response.context["decided"].paginator.count == 1
        decided = html.split('<section id="decided"')[1].split("</section>")[0]
        assert f'id="advice-{f.pk}-decided"' in decided
        assert "Does not apply to us" in decided
        assert "Seasonal peak." in decided
        assert "Backlog work crowds out strategy" in decided
        # The card keeps a line pointing there; a viewer gets no decision forms.
        assert f'id="advice-{f.pk}-card"' in html
        assert '<a href="#decided">Shown under Decided</a>' in html
        assert "Decide on this advice" not in html
        assert "Reopen" not in html

    def test_reopening_brings_it_back_and_the_history_says_who_did_what(self, assessed, member):
        f = finding(assessed, "split-backlog-overload")
        editor = member(MemberRole.EDITOR)
        owner = member(MemberRole.OWNER)
        editor.post(decide_url(assessed, f), {"action": "dismiss", "reason": "data_wrong"})
        owner.post(decide_url(assessed, f, "advisor:reopen_decision"), {"placement": "decided"})
        decision = Decision.objects.get()
        assert decision.status == "open"
        html = editor.get(detail_url(assessed)).content.decode()
        assert "No advice here is dismissed or snoozed." in html
        history = member(MemberRole.VIEWER).get(
            reverse("advisor:decision_history", args=["acme", decision.pk])
        )
        rows = [(e.action, e.by, e.reason) for e in history.context["events"]]
        assert rows == [
            ("reopen", owner.user, ""),
            ("dismiss", editor.user, "data_wrong"),
        ]
        text = history.content.decode()
        assert "The data behind it is wrong" in text
        assert owner.user.get_username() in text and editor.user.get_username() in text

    def test_the_history_names_the_assessment_that_reopened_it_and_why(self, acme, member):
        first = today_assessment(acme)
        editor = member(MemberRole.EDITOR)
        editor.post(
            decide_url(first, finding(first, "split-backlog-overload")), {"action": "accept"}
        )
        acme.people.filter(name="Dana Lee").update(time_backlog=60, time_strategy=5)
        second = today_assessment(acme)
        decision = Decision.objects.get()
        text = editor.get(
            reverse("advisor:decision_history", args=["acme", decision.pk])
        ).content.decode()
        assert "PM backlog share rose from 55% to 60%." in text
        assert "the assessment" in text
        assert second.get_absolute_url() in text
        page = editor.get(detail_url(second)).content.decode()
        assert "Reopened</span> PM backlog share rose from 55% to 60%." in page

    def test_a_history_of_another_organization_is_404(self, acme, member):
        other = build_organization(3, name="Other")
        f = today_assessment(other).findings.select_related("subject", "assessment").first()
        decision = decide(f, action="accept", user=None)
        url = reverse("advisor:decision_history", args=["acme", decision.pk])
        assert member(MemberRole.OWNER).get(url).status_code == 404


class TestTheFormOnDemand:
    """The assessment page shows a Decide link per finding; the form comes when asked for."""

    @pytest.fixture
    def assessed(self, acme):
        return today_assessment(acme)

    def test_the_page_links_each_finding_to_its_form_and_carries_no_form(self, assessed, member):
        f = finding(assessed, "split-backlog-overload")
        page = detail_url(assessed) + "?people_page=1"
        html = member(MemberRole.EDITOR).get(page).content.decode()
        link = f"{decide_url(assessed, f)}?placement=card&amp;next={quote(page)}"
        assert f'<a class="decide-link" href="{link}"\n            hx-get="{link}"' in html
        assert 'hx-target="this" hx-swap="outerHTML">Decide on this advice' in html
        assert 'name="action"' not in html
        assert '<form method="post" action="' + decide_url(assessed, f) not in html

    def test_a_made_up_placement_posted_is_the_page_of_its_own_never_an_error(
        self, assessed, member
    ):
        f = finding(assessed, "split-backlog-overload")
        response = member(MemberRole.EDITOR).post(
            decide_url(assessed, f), {"action": "dismiss", "placement": "%d<b>"}
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert f'id="decision-{f.pk}-page-reason"' in html
        assert "%d&lt;b&gt;" not in html and "%d<b>" not in html

    def test_without_javascript_the_link_opens_the_form_on_a_page_of_its_own(
        self, assessed, member
    ):
        f = finding(assessed, "split-backlog-overload")
        back = detail_url(assessed) + "?people_page=1"
        response = member(MemberRole.EDITOR).get(
            decide_url(assessed, f), {"placement": "card", "next": back}
        )
        assert response.status_code == 200
        assert response.template_name == "advisor/decision.html"
        html = response.content.decode()
        assert "<h1>Decide on this advice</h1>" in html
        assert f'<div class="advice" id="advice-{f.pk}-page">' in html
        assert '<details class="decide" open>' in html
        assert f'hx-target="#advice-{f.pk}-page"' in html
        assert f'<input type="hidden" name="next" value="{back}">' in html
        assert f'id="decision-{f.pk}-page-action_0"' in html
        # The form posts as it always did, and returns to the page it came from.
        response = member(MemberRole.EDITOR).post(
            decide_url(assessed, f), {"action": "accept", "placement": "page", "next": back}
        )
        assert_redirects_to(response, f"{back}#advice-{f.pk}-card")
        assert Decision.objects.get().status == "accepted"

    def test_htmx_gets_the_form_alone_to_put_in_place_of_the_link(self, assessed, member):
        f = finding(assessed, "split-backlog-overload")
        back = detail_url(assessed) + "?page=1"
        response = member(MemberRole.EDITOR).get(
            decide_url(assessed, f), {"placement": "card", "next": back}, headers=HX
        )
        html = assert_partial(response, "advisor/decision.html#decide-form")
        assert html.strip().startswith('<details class="decide" open>')
        assert f'hx-target="#advice-{f.pk}-card" hx-swap="outerHTML"' in html
        assert '<input type="hidden" name="placement" value="card">' in html
        assert f'<input type="hidden" name="next" value="{back}">' in html
        assert 'name="csrfmiddlewaretoken"' in html
        assert f'id="decision-{f.pk}-card-action_0"' in html
        # Posted from there, the advice comes back in place with the decision.
        response = member(MemberRole.EDITOR).post(
            decide_url(assessed, f), {"action": "accept", "placement": "card"}, headers=HX
        )
        advice = assert_partial(response, "advisor/_advice.html")
        assert advice.startswith(f'<div class="advice" id="advice-{f.pk}-card">')
        assert "Accepted</span>" in advice
        assert "Decide on this advice" in advice

    def test_the_form_of_the_decided_section_answers_in_its_place(self, assessed, member):
        f = finding(assessed, "split-backlog-overload")
        editor = member(MemberRole.EDITOR)
        editor.post(decide_url(assessed, f), {"action": "dismiss", "reason": "data_wrong"})
        html = editor.get(detail_url(assessed)).content.decode()
        decided = html.split('<section id="decided"')[1].split("</section>")[0]
        assert f"{decide_url(assessed, f)}?placement=decided&amp;next=" in decided
        response = editor.get(decide_url(assessed, f), {"placement": "decided"}, headers=HX)
        form = assert_partial(response, "advisor/decision.html#decide-form")
        assert f'hx-target="#advice-{f.pk}-decided"' in form

    @pytest.mark.parametrize("evil", ["https://evil.example/", "//evil.example/", "/orgs/other/"])
    def test_the_return_address_never_leaves_the_assessment(self, assessed, member, evil):
        f = finding(assessed, "split-backlog-overload")
        for headers in [{}, HX]:
            html = (
                member(MemberRole.EDITOR)
                .get(decide_url(assessed, f), {"next": evil}, headers=headers)
                .content.decode()
            )
            assert f'<input type="hidden" name="next" value="{detail_url(assessed)}">' in html
            assert "evil" not in html and "/orgs/other/" not in html

    @pytest.mark.parametrize("headers", [{}, HX])
    def test_a_viewer_gets_403_and_a_stranger_404_for_the_form(self, assessed, member, headers):
        url = decide_url(assessed, finding(assessed, "split-backlog-overload"))
        assert member(MemberRole.VIEWER).get(url, headers=headers).status_code == 403
        assert member(None).get(url, headers=headers).status_code == 404


class TestQueryCounts:
    @pytest.mark.parametrize("n_squads", [6, 60])
    def test_the_assessment_page_with_decisions_costs_the_same_at_any_size(
        self, n_squads, django_assert_max_num_queries
    ):
        org = build_organization(n_squads)
        assessment = today_assessment(org)
        client = client_for(org, MemberRole.EDITOR)
        findings = list(assessment.findings.select_related("subject", "assessment"))
        until = timezone.localdate() + timedelta(days=5)
        for i, f in enumerate(findings):
            action = ("accept", "dismiss", "snooze")[i % 3]
            decide(f, action=action, user=client.user, reason="other", until=until)
        url = detail_url(assessment)
        # The page's 14, the decided findings counted and a page of them, and the decisions.
        with django_assert_max_num_queries(17):
            response = client.get(url)
        assert response.status_code == 200
        assert response.context["decided"].paginator.count == len(
            [f for i, f in enumerate(findings) if i % 3]
        )
        with django_assert_max_num_queries(17):
            assert client.get(url + "?decided_page=2").status_code == 200
