"""Stable advice (DOMAIN.md): carry out each demo organization's plan (hires with the backlog
work moved to them, retitles, folds), assess again, and no product is told to undo what it
just did."""

from dataclasses import replace
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from advisor.engine import assess
from advisor.engine.plan import ActionKind
from advisor.engine.snapshot import OrgSnapshot, PersonIn
from advisor.engine.vocabulary import TITLE_OF_ROLE, Role
from advisor.loading import load_snapshot
from advisor.rulesets import current_ruleset, parsed_ruleset
from orgs.models import Organization

AS_OF = date(2026, 11, 23)
SEEDS = ["fernhill-labs", "kestrel-mutual", "lumen-health", "parcelbird", "tidewater-freight"]
PM, PO = Role.PRODUCT_MANAGER.value, Role.PRODUCT_OWNER.value
# The time a hire is given beside the backlog work moved to them.
PM_TIME = {"strategy": 40, "discovery": 20, "stakeholders": 20, "ceremonies": 10}
PO_TIME = {"ceremonies": 20, "stakeholders": 10}
STAFFING = set(ActionKind.STAFFING)


def _backlog(person: PersonIn) -> float:
    return (person.time or {}).get("backlog", 0)


def _with_time(person: PersonIn, **changes: float) -> PersonIn:
    time = dict(person.time or {})
    for bucket, delta in changes.items():
        time[bucket] = round(time.get(bucket, 0) + delta)
    return person._replace(time=time)


def carry_out(snap: OrgSnapshot, result) -> OrgSnapshot:
    """The organization once every product's plan is done."""
    people = {p.id: p for p in snap.people}
    new_id = max([p.id for p in snap.people] + [0]) + 1
    squad_product = {s.id: s.product_id for s in snap.squads}
    roles = {p.id: p.facts["role"] for p in result.facts.people}

    def role_of(person: PersonIn) -> str:
        return person.role or roles.get(person.id, "")

    for plan in result.products:
        for step in plan.steps:
            if step.kind in (ActionKind.RETITLE, ActionKind.PROMOTE, ActionKind.CONVERT):
                person = people[step.person_id]
                people[person.id] = person._replace(role=step.role, title=TITLE_OF_ROLE[step.role])
            elif step.kind == ActionKind.FOLD:
                person = people[step.person_id]
                share = _backlog(person) * len(step.squad_ids) / len(person.squad_ids)
                left = tuple(s for s in person.squad_ids if s not in step.squad_ids)
                people[person.id] = _with_time(person, backlog=-share)._replace(squad_ids=left)
                if step.into_id is not None:
                    people[step.into_id] = _with_time(people[step.into_id], backlog=share)
            elif step.kind == ActionKind.COVER:
                person = people[step.person_id]
                people[person.id] = person._replace(
                    squad_ids=tuple(dict.fromkeys((*person.squad_ids, *step.squad_ids)))
                )
            elif step.kind == ActionKind.HIRE:
                for hire in step.hires:
                    moved = 0.0
                    if hire.role == PO:
                        # The product managers' backlog work on the hire's squads moves to
                        # the hire; their freed time goes to strategy.
                        for pid, pm in list(people.items()):
                            mine = set(pm.squad_ids) & set(hire.squad_ids)
                            if role_of(pm) != PM or not mine:
                                continue
                            share = _backlog(pm) * len(mine) / len(pm.squad_ids)
                            people[pid] = _with_time(pm, backlog=-share, strategy=share)
                            moved += share
                        time = {**PO_TIME, "backlog": round(moved)}
                    else:
                        time = dict(PM_TIME)
                    people[new_id] = PersonIn(
                        id=new_id,
                        name=f"New {hire.title} {new_id}",
                        title=hire.title,
                        role=hire.role,
                        reports_to_id=hire.reports_to_id,
                        squad_ids=hire.squad_ids,
                        time=time,
                        owns_roadmap=hire.role == PM,
                        does_market_research=hire.role == PM,
                        sets_pricing=False,
                    )
                    new_id += 1
            elif step.kind == ActionKind.GAP and step.person_id is not None:
                person = people[step.person_id]
                if step.squad_ids:
                    squads = tuple(dict.fromkeys((*person.squad_ids, *step.squad_ids)))
                    people[person.id] = person._replace(squad_ids=squads)
                else:
                    people[person.id] = person._replace(owns_roadmap=True)
    assert all(squad_product[s] is not None for p in people.values() for s in p.squad_ids)
    return replace(snap, people=tuple(people.values()))


@pytest.fixture
def ruleset(db):
    call_command("load_seeds", stdout=StringIO())
    return parsed_ruleset(current_ruleset())


@pytest.mark.parametrize("slug", SEEDS)
def test_following_the_plan_is_not_undone_by_the_next_assessment(ruleset, slug):
    organization = Organization.objects.get(slug=slug)
    snap = load_snapshot(organization, title_rules=ruleset.title_rules)
    before = assess(snap, ruleset.heuristics, as_of=AS_OF, rules=ruleset.staffing)
    after = assess(carry_out(snap, before), ruleset.heuristics, as_of=AS_OF, rules=ruleset.staffing)
    for old, new in zip(before.products, after.products, strict=True):
        undo = {"split": {"merge", "pm_only"}, "merge": {"split"}, "pm_only": {"split"}}
        assert new.verdict not in undo.get(old.verdict, set()), (old.subject.name, new.actions)
        # Once done, the plan asks for no further staffing change: the verdict is met.
        staffing = [a.text for a in new.steps if a.kind in STAFFING or a.kind == "retitle"]
        assert staffing == [], (old.subject.name, old.actions, new.verdict, new.actions)
        if old.verdict != "keep":
            assert new.recommended == new.current, old.subject.name


def test_a_split_for_backlog_overload_carried_out_does_not_turn_into_merge(ruleset):
    """Lumen Health's Patient App: one PM at 55% backlog on four squads; once the three POs
    carry the backlog work, merged_backlog_share still sees it."""
    organization = Organization.objects.get(slug="lumen-health")
    snap = load_snapshot(organization, title_rules=ruleset.title_rules)
    before = assess(snap, ruleset.heuristics, as_of=AS_OF, rules=ruleset.staffing)
    after = assess(carry_out(snap, before), ruleset.heuristics, as_of=AS_OF, rules=ruleset.staffing)
    (app,) = [p for p in after.products if p.subject.name == "Patient App"]
    assert app.subject.facts["merged_backlog_share"] > 40
    assert app.verdict == "split"
    assert app.actions == (
        "already a product manager (Daniel Costa) and a product owner for each Scrum squad: "
        "keep it that way",
    )


@pytest.mark.parametrize("slug", SEEDS)
def test_no_plan_contradicts_itself_or_its_verdict(ruleset, slug):
    organization = Organization.objects.get(slug=slug)
    snap = load_snapshot(organization, title_rules=ruleset.title_rules)
    result = assess(snap, ruleset.heuristics, as_of=AS_OF, rules=ruleset.staffing)
    for plan in result.products:
        kinds = {step.kind for step in plan.steps}
        if plan.verdict == "keep":
            assert kinds <= {ActionKind.RETITLE, ActionKind.GAP}, plan.actions
            assert plan.recommended == plan.current
            continue
        added = {hire.role for step in plan.steps for hire in step.hires}
        removed = {step.role for step in plan.steps if step.kind == ActionKind.FOLD}
        assert not added & removed, plan.actions
        # Staffing to change, or the words that say it is already there: never silence.
        assert kinds & (STAFFING | {ActionKind.MET}), plan.actions
        if ActionKind.MET in kinds:
            assert plan.recommended == plan.current
