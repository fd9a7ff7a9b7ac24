"""The staffing plan: one verdict per product, the staffing it calls for, and the actions
that get there, naming the people and squads they concern (DOMAIN.md, "The staffing plan").

The plan never contradicts itself or its verdict:

- the current staffing counts each retitle the assessment recommends (the person as their
  work shows them), so a retitle is never followed by a hire or a fold of the same seat;
- keep changes no staffing: its actions are the retitles, and the gaps' asks for a backlog
  or roadmap owner;
- people already there fill a seat before anyone is hired: a surplus product manager who
  serves one squad and does a product owner's work becomes that squad's product owner; a
  product with product owners but no product manager that should merge or go PM-only makes
  one of its product owners the product manager;
- no plan adds and removes the same role, and a verdict whose counts are already met says
  so ("already one person in both roles (Dana Lee): keep it that way").

Every action is an `Action` with its words and what it concerns (people by id, squads by
id), so that a test can carry a plan out; every hire comes with its profile (`Hire`).
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from advisor.engine.evaluation import Finding
from advisor.engine.facts import Subject
from advisor.engine.snapshot import OrgSnapshot, PersonIn, SquadIn
from advisor.engine.vocabulary import (
    KEEP,
    TITLE_OF_ROLE,
    VERDICT_PRECEDENCE,
    Methodology,
    Role,
    Scope,
)

_PM, _PO = Role.PRODUCT_MANAGER.value, Role.PRODUCT_OWNER.value
_LEADER, _EXECUTIVE = Role.PRODUCT_LEADER.value, Role.EXECUTIVE.value
_SCRUM = Methodology.SCRUM.value
MERGE, SPLIT, PM_ONLY = "merge", "split", "pm_only"

# What a hire does, from po-vs-pm-untangling.txt ("Responsibilities of the Product Manager"
# and "... of the Product Owner"), as a job profile lists them.
PM_RESPONSIBILITIES = (
    "own the product vision, strategy and roadmap",
    "research the market: trends, competitors and target customers",
    "decide which features to develop and when",
    "communicate the vision and roadmap to stakeholders across the organization",
)
PO_RESPONSIBILITIES = (
    "create, prioritize and refine the backlog",
    "plan each sprint with the development team and define its deliverables",
    "verify that completed work meets the acceptance criteria",
    "keep stakeholders informed of the progress of development",
)


@dataclass(frozen=True)
class StaffingRules:
    """The ratios of the staffing plan and the votes that settle `scope_role`."""

    pms_per_product: Decimal = Decimal(1)
    pos_per_scrum_squad: Decimal = Decimal(1)
    scope_votes_needed: int = 3


@dataclass(frozen=True)
class Staffing:
    product_managers: int
    product_owners: int

    def to_json(self) -> dict[str, int]:
        return {"product_managers": self.product_managers, "product_owners": self.product_owners}


@dataclass(frozen=True)
class Hire:
    """A person to hire, with the profile the articles give the role."""

    role: str
    title: str
    squads: tuple[str, ...]
    reports_to: str | None
    responsibilities: tuple[str, ...]
    squad_ids: tuple[int, ...] = ()
    reports_to_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "title": self.title,
            "squads": list(self.squads),
            "reports_to": self.reports_to,
            "responsibilities": list(self.responsibilities),
        }


class ActionKind:
    RETITLE = "retitle"  # person_id takes `role` (the role their work shows)
    PROMOTE = "promote"  # person_id, a product owner, becomes the product manager
    CONVERT = "convert"  # person_id, a surplus product manager, becomes the squads' PO
    FOLD = "fold"  # person_id's role on the product folds into into_id's
    HIRE = "hire"  # `hires`
    COVER = "cover"  # person_id takes on the backlog of squad_ids too
    GAP = "gap"  # name an owner (nobody named can be)
    MET = "met"  # the verdict's staffing is already there

    STAFFING = (PROMOTE, CONVERT, FOLD, HIRE, COVER)


@dataclass(frozen=True)
class Action:
    kind: str
    text: str
    person_id: int | None = None
    into_id: int | None = None
    role: str | None = None
    squad_ids: tuple[int, ...] = ()
    hires: tuple[Hire, ...] = ()


@dataclass(frozen=True)
class ProductPlan:
    subject: Subject
    verdict: str
    current: Staffing
    recommended: Staffing
    actions: tuple[str, ...]
    findings: tuple[Finding, ...]
    steps: tuple[Action, ...] = ()
    hires: tuple[Hire, ...] = ()
    # advisor.engine.sensitivity: what would change the verdict, how close it is, and for
    # a product where nothing fired, the nearest misses.
    what_would_change: tuple[Any, ...] = ()
    close: bool = False
    nearest_misses: tuple[str, ...] = ()


def verdict_of(outcomes: Iterable[str]) -> str:
    """The highest-ranking verdict among the outcomes; `keep` when none sets one."""
    present = set(outcomes)
    for verdict in VERDICT_PRECEDENCE:  # a plain loop: faster than next() over a generator
        if verdict in present:
            return verdict
    return KEEP


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def names_in_words(names: Sequence[str]) -> str:
    """`A`, `A and B`, `A, B and C`."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def recommend(verdict: str, current: Staffing, scrum_squads: int, rules: StaffingRules) -> Staffing:
    """The staffing the verdict calls for, by the ratios of the rules; keep: the current."""
    pms = math.ceil(rules.pms_per_product)
    if verdict == SPLIT:
        return Staffing(pms, math.ceil(rules.pos_per_scrum_squad * scrum_squads))
    if verdict in (MERGE, PM_ONLY):
        return Staffing(pms, 0)
    return current


class _Member(NamedTuple):
    """A product manager or product owner as the plan sees them on one product.

    Made once per organization by `PlanContext`, not by each product's plan, and a named
    tuple like the snapshot's rows (about twice as fast to build as a frozen dataclass).
    It keeps the person's facts and reads the few the plan needs only when it needs them:
    most members are never asked whether they do a product owner's work."""

    person: PersonIn
    name: str
    product_id: int
    role: str  # as their work shows them: the retitle counted
    retitled_to: str | None
    here: tuple[int, ...]  # their squads of this product
    facts: Mapping[str, Any]

    @property
    def strategic(self) -> int | None:
        """Their strategic share; unknown (None) when their time was never entered."""
        return self.facts.get("strategic_share")

    def does_po_work(self) -> bool:
        facts = self.facts
        votes_pm = facts.get("scope_votes_pm") or 0
        votes_po = facts.get("scope_votes_po") or 0
        if facts.get("scope_role") == _PO or votes_po > votes_pm:
            return True
        # Both unknown (None) when the person's time was never entered.
        backlog, strategic = facts.get("backlog_share"), facts.get("strategic_share")
        return backlog is not None and strategic is not None and (backlog > strategic)


def _dealt(members: list[_Member]) -> dict[int, tuple[_Member, ...]]:
    """Members by product, each product's in the order given."""
    by_product: dict[int, list[_Member]] = {}
    for member in members:
        by_product.setdefault(member.product_id, []).append(member)
    return {product_id: tuple(kept) for product_id, kept in by_product.items()}


class PlanContext:
    """What every product's plan reads of the organization, worked out once: each
    product's squads, Scrum squads, product managers and product owners (`_Member`, in
    the order the plan takes them), in one pass over the squads and one over the people,
    so that a product's plan only looks them up."""

    def __init__(
        self,
        snapshot: OrgSnapshot,
        people: Sequence[Subject],
        retitles: Mapping[int, str],
    ) -> None:
        self.squads_of: dict[int, list[SquadIn]] = {}
        self.scrum_of: dict[int, list[SquadIn]] = {}  # the product's squads in Scrum
        self.squad_name: dict[int, str] = {}
        squad_product: dict[int, int] = {}
        methodology = snapshot.methodology  # a squad's when it has none of its own
        for squad in snapshot.squads:
            self.squads_of.setdefault(squad.product_id, []).append(squad)
            if (squad.methodology or methodology) == _SCRUM:
                self.scrum_of.setdefault(squad.product_id, []).append(squad)
            self.squad_name[squad.id] = squad.name
            squad_product[squad.id] = squad.product_id
        self.person_by_id = {p.id: p for p in snapshot.people}
        self.leader_ids: set[int] = set()  # the product leaders (by title)

        # The product managers and product owners (as their work shows them) of the
        # organization, in the order of the people (the facts keep the snapshot's): the
        # only people a plan places. A person serving several products is a member of each.
        pms: list[_Member] = []
        pos: list[_Member] = []
        self.retitled_of: dict[int, list[_Member]] = {}  # of each product, in that order
        executives = []
        for subject in people:
            facts = subject.facts
            titled = facts["role"]
            if titled == _LEADER:
                self.leader_ids.add(subject.id)
            elif titled == _EXECUTIVE:
                executives.append(self.person_by_id[subject.id])
            to = retitles.get(subject.id)
            role = to or titled
            if role == _PM:
                holders = pms
            elif role == _PO:
                holders = pos
            else:
                continue
            person = self.person_by_id[subject.id]
            if len(subject.product_ids) == 1:
                here_of = {subject.product_ids[0]: person.squad_ids}
            else:
                here_of = {}
                for squad_id in person.squad_ids:
                    here_of.setdefault(squad_product[squad_id], []).append(squad_id)
            for product_id, here in here_of.items():
                member = _Member(person, person.name, product_id, role, to, tuple(here), facts)
                holders.append(member)
                if to:
                    self.retitled_of.setdefault(product_id, []).append(member)

        # Each product's product managers in the order they are kept, and its product
        # owners in theirs. Sorting everyone once and dealing them out to their products
        # gives each product's own sorted list (the sort is stable, so ties stay in the
        # people's order), without a sort for every product.
        # Tuples: every product's plan reads them, none may change them.
        self.pms_of: dict[int, tuple[_Member, ...]] = _dealt(sorted(pms, key=_keep_order))
        # Strategic time ranks a product's managers only when every one's is known: one
        # never entered is not 0%, so there the name decides (the missing facts ask for it).
        for product_id, kept in self.pms_of.items():
            if len(kept) > 1 and any(m.strategic is None for m in kept):
                self.pms_of[product_id] = tuple(sorted(kept, key=_order_without_time))
        self.pos_of: dict[int, tuple[_Member, ...]] = _dealt(sorted(pos, key=_order_without_time))

        self.first_leader = _first_by_name([self.person_by_id[i] for i in self.leader_ids])
        self.first_executive = _first_by_name(executives)

    def pm_manager(self, pms: Sequence[_Member]) -> PersonIn | None:
        """Whom a new product manager reports to: the product leader the product's PMs report
        to, else the organization's first product leader by name, else its first executive."""
        leaders = [
            self.person_by_id[pm.person.reports_to_id]
            for pm in pms
            if pm.person.reports_to_id in self.leader_ids
        ]
        return _first_by_name(leaders) or self.first_leader or self.first_executive


def _first_by_name(people: Sequence[PersonIn]) -> PersonIn | None:
    return min(people, key=lambda p: (p.name, p.id), default=None)


def _keep_order(m: _Member) -> tuple:
    """Who stays a product manager first: the roadmap owner, the one serving most squads of
    the product, the most strategic time, then by name. (Only products whose managers' time
    is all known keep this order: PlanContext sorts the others without the time.)"""
    return (m.person.owns_roadmap is not True, -len(m.here), -(m.strategic or 0), m.name)


def _order_without_time(m: _Member) -> tuple:
    """The roadmap owner, the one serving most squads of the product, then by name: the
    order of product owners, and of product managers when one's time is unknown."""
    return (m.person.owns_roadmap is not True, -len(m.here), m.name)


def _chunks(items: list, n: int) -> list[list]:
    """`items` in `n` groups as even as can be, in order."""
    size, extra = divmod(len(items), n)
    groups, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        groups.append(items[start:end])
        start = end
    return groups


class _Owners:
    """A product's product owners as some fold into others, in their order: by squad, the
    positions of those serving it and how many are left, so that whom one folds into and
    which squads it leaves without a product owner are looked up, not searched for among
    all the others (which took time in the square of the product owners)."""

    def __init__(self, members: Sequence[_Member]) -> None:
        self.members = list(members)
        self.left_ = [True] * len(self.members)
        self.position = {id(m): i for i, m in enumerate(self.members)}
        self.everyone = list(range(len(self.members)))
        self.serving: dict[int, list[int]] = {}  # by squad: positions, in order
        self.count: dict[int, int] = {}  # by squad: how many left serve it
        self.start: dict[int, int] = {}  # by squad: in `serving`, all before it have folded
        self.first = 0  # in `everyone`, all before it have folded
        for i, m in enumerate(self.members):
            for squad_id in dict.fromkeys(m.here):
                self.serving.setdefault(squad_id, []).append(i)
                self.count[squad_id] = self.count.get(squad_id, 0) + 1

    def _first_left(self, positions: list[int], start: int, but: int) -> tuple[int, int | None]:
        """Past the folded at the front of `positions` (from `start`, which it returns moved
        on), the first position still left other than `but`, or None."""
        left = self.left_
        while start < len(positions) and not left[positions[start]]:
            start += 1
        for k in range(start, len(positions)):  # by index: a slice would copy the rest
            i = positions[k]
            if i != but and left[i]:
                return start, i
        return start, None

    def into(self, extra: _Member) -> _Member | None:
        """The first other product owner left who shares a squad with `extra`, else the first
        other left; None when nobody else is left."""
        e = self.position[id(extra)]
        sharing = []
        for squad_id in extra.here:
            self.start[squad_id], i = self._first_left(
                self.serving[squad_id], self.start.get(squad_id, 0), e
            )
            if i is not None:
                sharing.append(i)
        if sharing:
            return self.members[min(sharing)]
        self.first, i = self._first_left(self.everyone, self.first, e)
        return None if i is None else self.members[i]

    def fold(self, extra: _Member) -> list[int]:
        """Fold `extra` away; the squads of theirs no product owner left serves, in order."""
        self.left_[self.position[id(extra)]] = False
        for squad_id in dict.fromkeys(extra.here):
            self.count[squad_id] -= 1
        return [s for s in extra.here if self.count[s] == 0]

    def left(self) -> list[_Member]:
        return [m for m, left in zip(self.members, self.left_, strict=True) if left]


def plan_product(
    product: Subject,
    verdict: str,
    findings: tuple[Finding, ...],
    related: Sequence[tuple[Scope, int, Finding]],
    org: PlanContext,
    rules: StaffingRules,
    *,
    what_would_change: tuple[Any, ...] = (),
    close: bool = False,
    nearest_misses: tuple[str, ...] = (),
) -> ProductPlan:
    """The product's plan: current and recommended staffing, and the actions between them.

    What would change the verdict (advisor.engine.sensitivity) is the caller's to work out
    and is passed through as it is, so that the plan is made once, whole, rather than made
    and then copied with `dataclasses.replace` (which costs more than making it)."""
    squads = org.squads_of.get(product.id, ())
    squad_name = org.squad_name
    scrum = org.scrum_of.get(product.id, ())
    pms = org.pms_of.get(product.id, ())
    pos = org.pos_of.get(product.id, ())
    current = Staffing(len(pms), len(pos))
    recommended = recommend(verdict, current, len(scrum), rules)
    product_name = product.name

    steps = [
        Action(
            ActionKind.RETITLE,
            f"retitle {m.name} to {TITLE_OF_ROLE.get(m.retitled_to, m.retitled_to)}",
            person_id=m.person.id,
            role=m.retitled_to,
        )
        for m in org.retitled_of.get(product.id, ())
    ]

    hires: list[Hire] = []
    staffing: list[Action] = []
    new_pm = False  # a product manager is hired or made, who owns the roadmap
    covered_by_plan: set[int] = set()  # squads a hire or a conversion gives a backlog owner

    def squad_words(ids: Iterable[int]) -> str:
        return names_in_words([squad_name[i] for i in ids])

    if verdict != KEEP:
        kept = list(pms[: recommended.product_managers])
        surplus = pms[recommended.product_managers :]
        pos_left = list(pos)

        # Product managers: make one of the product owners the PM, or hire; or place the
        # surplus, as a squad's PO where they do that work, else folded into a kept PM.
        missing = recommended.product_managers - len(pms)
        if missing > 0 and verdict in (MERGE, PM_ONLY):
            for po in pos_left[:missing]:
                how = (
                    ", holding both roles"
                    if verdict == MERGE
                    else " (without Scrum there is no product-owner role to keep)"
                )
                staffing.append(
                    Action(
                        ActionKind.PROMOTE,
                        f"make {po.name} the product manager of {product_name}{how}; "
                        "retitle to Product Manager",
                        person_id=po.person.id,
                        role=_PM,
                    )
                )
                kept.append(po)
                new_pm = True
            pos_left = pos_left[missing:]
            missing = recommended.product_managers - len(kept)
        if missing > 0:
            manager = org.pm_manager(pms)
            also = (
                [f"own the backlog of {squad_words(s.id for s in squads)} too"]
                if verdict in (MERGE, PM_ONLY) and squads
                else []
            )
            hire = Hire(
                role=_PM,
                title=TITLE_OF_ROLE[_PM],
                squads=tuple(s.name for s in squads),
                reports_to=manager.name if manager else None,
                responsibilities=(*PM_RESPONSIBILITIES, *also),
                squad_ids=tuple(s.id for s in squads),
                reports_to_id=manager.id if manager else None,
            )
            made = tuple([hire] * missing)
            hires.extend(made)
            new_pm = True
            if verdict == MERGE:
                covered_by_plan.update(s.id for s in squads)
            both = " who also owns the backlog" if verdict == MERGE else ""
            what = "a product manager" if missing == 1 else _plural(missing, "product manager")
            staffing.append(
                Action(ActionKind.HIRE, f"add {what} for {product_name}{both}", hires=made)
            )

        # The kept product manager a surplus PM or a product owner folds into: the first
        # kept who shares a squad with them, else the first kept. By squad, the first kept
        # serving it, worked out once (not every kept's squads for every one placed).
        first_kept_of: dict[int, int] = {}
        for i, k in enumerate(kept):
            for s in k.here:
                first_kept_of.setdefault(s, i)

        def kept_into(member: _Member) -> _Member | None:
            sharing = [first_kept_of[s] for s in member.here if s in first_kept_of]
            if sharing:
                return kept[min(sharing)]
            return kept[0] if kept else None

        has_po = {s for po in pos_left for s in po.here}
        scrum_ids = {s.id for s in scrum} if surplus else set()
        for extra in surplus:
            only = extra.here[0] if len(extra.person.squad_ids) == 1 and extra.here else None
            if (
                verdict == SPLIT
                and only is not None
                and only not in has_po
                and only in scrum_ids
                and extra.does_po_work()
            ):
                staffing.append(
                    Action(
                        ActionKind.CONVERT,
                        f"make {extra.name} the product owner of {squad_name[only]}; "
                        "retitle to Product Owner",
                        person_id=extra.person.id,
                        role=_PO,
                        squad_ids=(only,),
                    )
                )
                has_po.add(only)
                covered_by_plan.add(only)
                pos_left.append(extra)
                continue
            into = kept_into(extra)
            if into is None:
                continue
            on = f" on {product_name}" if len(extra.here) < len(extra.person.squad_ids) else ""
            staffing.append(
                Action(
                    ActionKind.FOLD,
                    f"fold {extra.name}'s PM role{on} into {into.name}'s",
                    person_id=extra.person.id,
                    into_id=into.person.id,
                    role=_PM,
                    squad_ids=extra.here,
                )
            )

        # Product owners.
        if verdict in (MERGE, PM_ONLY):
            reason = (
                "no squad works in Scrum, so there is no sprint backlog to own"
                if verdict == PM_ONLY
                else "the team is small enough for one person to do both"
            )
            for po in pos_left:
                into = kept_into(po)
                target = f"{into.name}'s" if into else "the new product manager's"
                staffing.append(
                    Action(
                        ActionKind.FOLD,
                        f"fold {po.name}'s PO role into {target} ({reason})",
                        person_id=po.person.id,
                        into_id=into.person.id if into else None,
                        role=_PO,
                        squad_ids=po.here,
                    )
                )
        elif verdict == SPLIT:
            uncovered = [s.id for s in scrum if s.id not in has_po]
            wanted = recommended.product_owners - len(pos_left)
            if wanted > 0:
                others = [s.id for s in scrum if s.id in has_po]
                candidates = uncovered + others if len(uncovered) < wanted else uncovered
                groups = [g or candidates for g in _chunks(candidates, wanted)]
                boss = kept[0] if kept else None
                made = tuple(
                    Hire(
                        role=_PO,
                        title=TITLE_OF_ROLE[_PO],
                        squads=tuple(squad_name[i] for i in group),
                        reports_to=boss.name if boss else None,
                        responsibilities=PO_RESPONSIBILITIES,
                        squad_ids=tuple(group),
                        reports_to_id=boss.person.id if boss else None,
                    )
                    for group in groups
                )
                hires.extend(made)
                covered_by_plan.update(i for group in groups for i in group)
                what = "a product owner" if wanted == 1 else _plural(wanted, "product owner")
                staffing.append(
                    Action(
                        ActionKind.HIRE,
                        f"add {what} for {squad_words(dict.fromkeys(candidates))}",
                        hires=made,
                        squad_ids=tuple(candidates),
                    )
                )
            else:
                if wanted < 0:
                    # The product owners beyond the ratio: those with the fewest squads here
                    # fold into another product owner who shares a squad with them.
                    by_load = sorted(pos_left, key=lambda m: (len(m.here), m.name))
                    owners = _Owners(pos_left)
                    for extra in by_load[:-wanted]:
                        # Another product owner (the first sharing a squad, else the first),
                        # else a kept product manager.
                        into = owners.into(extra) or kept_into(extra)
                        # The last product owner, where the split wants none (no squad works
                        # in Scrum): the product manager takes the backlog.
                        target = f"{into.name}'s" if into else "the new product manager's"
                        staffing.append(
                            Action(
                                ActionKind.FOLD,
                                f"fold {extra.name}'s PO role into {target}",
                                person_id=extra.person.id,
                                into_id=into.person.id if into else None,
                                role=_PO,
                                squad_ids=extra.here,
                            )
                        )
                        uncovered.extend(owners.fold(extra))
                    pos_left = owners.left()
                if uncovered and pos_left:
                    taker = min(pos_left, key=lambda m: (len(m.here), m.name))
                    staffing.append(
                        Action(
                            ActionKind.COVER,
                            f"have {taker.name} take on the backlog of "
                            f"{squad_words(uncovered)} too",
                            person_id=taker.person.id,
                            squad_ids=tuple(uncovered),
                        )
                    )
                    covered_by_plan.update(uncovered)

        if not staffing:
            who = names_in_words([k.name for k in kept])
            met = {
                MERGE: f"already one person in both roles ({who}): keep it that way",
                PM_ONLY: f"already a product manager ({who}) and no product owner: "
                "keep it that way",
                SPLIT: f"already a product manager ({who}) and a product owner for each "
                "Scrum squad: keep it that way",
            }[verdict]
            staffing.append(Action(ActionKind.MET, met))
        steps.extend(staffing)
        holders = kept
    else:
        holders = pms

    # Gaps: asks for an owner the plan does not already give.
    for scope, subject_id, finding in related:
        if finding.outcome != "gap":
            continue
        if scope == Scope.SQUAD:
            if subject_id in covered_by_plan:
                continue
            owner = holders[0] if holders and verdict in (MERGE, PM_ONLY) else None
            text = (
                f"have {owner.name} own the backlog of squad {finding.subject} too"
                if owner
                else f"name a backlog owner for squad {finding.subject}"
            )
            steps.append(
                Action(
                    ActionKind.GAP,
                    text,
                    person_id=owner.person.id if owner else None,
                    squad_ids=(subject_id,),
                )
            )
        else:
            if new_pm:
                continue
            owner = holders[0] if holders else None
            text = (
                f"have {owner.name}, its product manager, own the roadmap of {finding.subject}"
                if owner
                else f"name a roadmap owner for {finding.subject}"
            )
            steps.append(Action(ActionKind.GAP, text, person_id=owner.person.id if owner else None))

    texts = tuple(dict.fromkeys(a.text for a in steps))
    return ProductPlan(
        subject=product,
        verdict=verdict,
        current=current,
        recommended=recommended,
        actions=texts,
        findings=findings,
        steps=tuple(steps),
        hires=tuple(hires),
        what_would_change=what_would_change,
        close=close,
        nearest_misses=nearest_misses,
    )
