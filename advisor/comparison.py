"""What changed from one stored assessment to another, and why, read from their rows.

Subjects are matched on the id they had: a product renamed between two assessments is
the same product, shown under its newer name. Only a subject left unmatched on both sides
is then matched on its name: one deleted and made again under the same name, or one of
an assessment kept before ids were recorded (the rows migration 0004 rebuilt without a
live match). `import_org --replace` updates the subjects it names again in place, so
they keep their ids.

The cause of a product's change (docs/history.md): its advice is its verdict, the
product heuristics that fired and the recommended staffing. The older facts are judged
again under the newer ruleset version (advisor.engine.judging): if that differs from what
the older assessment said, the rules moved it; if it differs from what the newer one
says, the organization did; `both`, or `none` when the advice did not change.

Reading: two assessments of a 1,000-squad organization are 7,000 product and person rows
and their findings. They are read as tuples of the columns the comparison uses (no model
instances), their JSON columns as text decoded (by orjson) only where read: a subject's
facts when their text differs between the two sides or they are judged again under newer
rules, a finding's evidence when a page shows it (FindingViews). Five to six times faster
than model instances with every JSON column decoded by the standard library: about 0.3x
the time of reading the two assessments' subject rows once (docs/performance.md).
"""

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol, overload

from django.core.paginator import Page
from django.db.models import TextField
from django.db.models.functions import Cast

from advisor.engine.explanations import format_value
from advisor.engine.facts import CATALOGUE
from advisor.engine.judging import Judgement, judge_products
from advisor.engine.plan import Staffing
from advisor.engine.vocabulary import Cause, Scope
from advisor.jsonio import column_value
from advisor.models import AssessedFinding, Assessment, RulesetVersion, staffing_counts
from advisor.presenters import PEOPLE_PER_PAGE, PRODUCTS_PER_PAGE, FindingView, finding_view
from advisor.rulesets import parsed_ruleset
from orgs.paging import page_of

SubjectKey = tuple[str, int | str]

# The product facts the comparison reports as staffing, not as facts: the counts now.
STAFFING_FACTS = ("product_managers", "product_owners")
# Staffing names → the row's fields, in the order they are reported.
STAFFING_FIELDS = {
    "product_managers": "current_pms",
    "product_owners": "current_pos",
    "recommended_product_managers": "recommended_pms",
    "recommended_product_owners": "recommended_pos",
}
# A person's facts that only tally the scope votes; the votes' inputs are reported.
VOTE_TALLIES = ("scope_votes_pm", "scope_votes_po")
# Findings that appeared or disappeared, a page: as many as the assessment page's pages of
# people and of squads.
FINDINGS_PER_PAGE = 20


@dataclass(frozen=True)
class Move:
    """One value that moved: a fact, a staffing count or a person's input."""

    name: str
    before: Any
    after: Any
    # The side the subject is missing from ("before" or "after"), if it is: no value
    # there, which is not an unknown one.
    absent: str = ""

    @property
    def words(self) -> str:
        """`pm_backlog_share 35% → 55%`."""
        return f"{self.name} {self.before_text} → {self.after_text}"

    @property
    def before_text(self) -> str:
        return "—" if self.absent == "before" else format_value(self.name, self.before)

    @property
    def after_text(self) -> str:
        return "—" if self.absent == "after" else format_value(self.name, self.after)

    def to_json(self) -> dict[str, Any]:
        return {"from": self.before, "to": self.after}


@dataclass(frozen=True)
class ProductChange:
    name: str
    # The name it had in the earlier assessment, when it was renamed since.
    renamed_from: str
    verdict_before: str | None
    verdict_after: str | None
    recommended_before: dict[str, int | None] | None
    recommended_after: dict[str, int | None] | None
    # Product managers and product owners serving it when assessed, on each side.
    current_before: dict[str, int | None] | None = None
    current_after: dict[str, int | None] | None = None
    cause: str = Cause.NONE.value
    # Codes of its own heuristics that fired on one side only.
    appeared: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()
    facts: tuple[Move, ...] = ()
    staffing: tuple[Move, ...] = ()

    @property
    def changed(self) -> bool:
        return (self.verdict_before, self.recommended_before) != (
            self.verdict_after,
            self.recommended_after,
        )

    @property
    def moved(self) -> bool:
        """Whether anything of it moved: its advice, its facts or its staffing."""
        return bool(self.cause != Cause.NONE or self.facts or self.staffing)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "verdict": {"from": self.verdict_before, "to": self.verdict_after},
            "cause": self.cause,
            "appeared": list(self.appeared),
            "resolved": list(self.resolved),
            "facts": {m.name: m.to_json() for m in self.facts},
            "staffing": {m.name: m.to_json() for m in self.staffing},
        }


@dataclass(frozen=True)
class PersonChange:
    """A person whose inputs moved, or who is on one side only."""

    name: str
    renamed_from: str
    # "joined", "left" or "" (on both sides).
    presence: str
    moves: tuple[Move, ...]


@dataclass(frozen=True)
class Comparison:
    ruleset_before: str
    ruleset_after: str
    products: tuple[ProductChange, ...]
    appeared: Sequence[FindingView]
    disappeared: Sequence[FindingView]
    people: tuple[PersonChange, ...] = ()

    @property
    def ruleset_changed(self) -> bool:
        return self.ruleset_before != self.ruleset_after


@dataclass(frozen=True)
class ComparisonPage:
    """One page of each of a comparison's long lists, as the compare page shows them, and
    what the whole comparison counts."""

    comparison: Comparison
    # Of (number, change): the number is the product's place in the whole comparison, so
    # that its detail's id (#product-N) is the same whatever the page.
    products: Page
    people: Page
    appeared: Page
    disappeared: Page
    # Of all the products: those whose advice changed, and those with anything that moved
    # (each detailed on its page).
    changed: int
    moved: int
    # Whether `products` lists only those with something that moved.
    only_moved: bool = False


def comparison_page(
    comparison: Comparison,
    *,
    products_page: Any = None,
    people_page: Any = None,
    appeared_page: Any = None,
    disappeared_page: Any = None,
    only_moved: bool = False,
) -> ComparisonPage:
    """The pages the requested numbers ask for (orgs.paging.page_number: a number past the
    end is the last page, anything else not a page number the first); with `only_moved`,
    the products listed are those with something that moved, each still numbered by its
    place in the whole comparison."""
    numbered = enumerate(comparison.products, start=1)
    products = page_of(
        [(n, p) for n, p in numbered if p.moved] if only_moved else list(numbered),
        products_page,
        per_page=PRODUCTS_PER_PAGE,
    )
    return ComparisonPage(
        comparison=comparison,
        products=products,
        people=page_of(comparison.people, people_page, per_page=PEOPLE_PER_PAGE),
        appeared=page_of(comparison.appeared, appeared_page, per_page=FINDINGS_PER_PAGE),
        disappeared=page_of(comparison.disappeared, disappeared_page, per_page=FINDINGS_PER_PAGE),
        changed=sum(1 for p in comparison.products if p.changed),
        moved=sum(1 for p in comparison.products if p.moved),
        only_moved=only_moved,
    )


# A person's facts that restate inputs already listed: the scope votes' tallies and
# strategic_share (the strategy and discovery shares added up).
_NOT_INPUTS = (*VOTE_TALLIES, "strategic_share")


def _json_text(field: str) -> Cast:
    """A JSON column read as its text, which JSONField would decode: the comparison decodes
    only the values it reads, and not those equal on both sides."""
    return Cast(field, output_field=TextField())


class SubjectRow(NamedTuple):
    """An assessed product or person as the comparison reads it: the columns it uses, read
    as a tuple (no model instance), and its facts as their JSON text."""

    key: SubjectKey
    scope: str
    name: str
    verdict: str
    current_pms: int | None
    current_pos: int | None
    recommended_pms: int | None
    recommended_pos: int | None
    facts_json: str | None

    @property
    def facts(self) -> dict[str, Any]:
        """Its facts, decoded on each read."""
        return column_value(self.facts_json)

    @property
    def current(self) -> dict[str, int | None]:
        return staffing_counts(self.current_pms, self.current_pos)

    @property
    def recommended(self) -> dict[str, int | None]:
        return staffing_counts(self.recommended_pms, self.recommended_pos)


class FindingRow(NamedTuple):
    """A finding with its subject's key, scope and name, read as a tuple; its JSON columns
    stay text until a page shows it (one of those that appeared or disappeared)."""

    key: SubjectKey
    scope: str
    subject: str
    heuristic: str
    name: str
    outcome: str
    severity: str
    message: str
    evidence_json: str | None
    trace_json: str | None
    sources_json: str | None
    outranked: bool
    pk: int

    def view(self) -> FindingView:
        """The finding as the pages show it (an unsaved instance, for the presenter)."""
        finding = AssessedFinding(
            pk=self.pk,
            heuristic=self.heuristic,
            name=self.name,
            outcome=self.outcome,
            severity=self.severity,
            message=self.message,
            evidence=column_value(self.evidence_json),
            trace=column_value(self.trace_json),
            sources=column_value(self.sources_json),
            outranked=self.outranked,
        )
        return finding_view(finding, scope=self.scope, subject=self.subject)


class FindingViews(Sequence[FindingView]):
    """Findings that appeared or disappeared, each made a view (its evidence decoded and
    laid out) only when read: the compare page reads a page of them, where a 1,000-squad
    comparison has hundreds. Equal to any sequence of the same views."""

    __slots__ = ("_rows",)

    def __init__(self, rows: Iterable[FindingRow]) -> None:
        self._rows = tuple(rows)

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> FindingView: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[FindingView, ...]: ...

    def __getitem__(self, index: int | slice) -> FindingView | tuple[FindingView, ...]:
        if isinstance(index, slice):
            return tuple(row.view() for row in self._rows[index])
        return self._rows[index].view()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(self._rows)

    def __repr__(self) -> str:
        return f"FindingViews({len(self)} findings)"


def _subject_key(scope: str, pk: int | None, name: str) -> SubjectKey:
    """What makes two assessments' rows the same subject: its id, else (old rows) its name."""
    return (scope, pk if pk is not None else f"name:{name}")


def _subjects(assessment: Assessment) -> dict[SubjectKey, SubjectRow]:
    """The assessment's products and people with their facts, in one query."""
    rows = (
        assessment.subjects.filter(scope__in=[Scope.PRODUCT, Scope.PERSON])
        .order_by("scope", "position")
        .values_list(
            "scope",
            "product_id",
            "person_id",
            "name",
            "verdict",
            "current_pms",
            "current_pos",
            "recommended_pms",
            "recommended_pos",
            _json_text("facts"),
        )
    )
    subjects = {}
    for scope, product_id, person_id, name, *rest in rows:
        key = _subject_key(scope, product_id if scope == Scope.PRODUCT else person_id, name)
        subjects[key] = SubjectRow(key, scope, name, *rest)
    return subjects


def _findings(assessment: Assessment) -> list[FindingRow]:
    """Every finding of the assessment with its subject, in one query."""
    rows = (
        AssessedFinding.objects.filter(assessment=assessment)
        .order_by("subject__scope", "subject__position", "position")
        .values_list(
            "subject__scope",
            "subject__product_id",
            "subject__person_id",
            "subject__squad_id",
            "subject__name",
            "heuristic",
            "name",
            "outcome",
            "severity",
            "message",
            _json_text("evidence"),
            _json_text("trace"),
            _json_text("sources"),
            "outranked",
            "pk",
        )
    )
    findings = []
    for scope, product_id, person_id, squad_id, subject, *rest in rows:
        pk = {Scope.PRODUCT: product_id, Scope.PERSON: person_id, Scope.SQUAD: squad_id}[scope]
        findings.append(FindingRow(_subject_key(scope, pk, subject), scope, subject, *rest))
    return findings


class _Named(Protocol):
    """What matching subjects on their names reads of a row."""

    @property
    def scope(self) -> str: ...

    @property
    def name(self) -> str: ...


def _same_subjects(
    before: Mapping[SubjectKey, _Named], after: Mapping[SubjectKey, _Named]
) -> dict[SubjectKey, SubjectKey]:
    """Each earlier subject's key → the later key of the same subject: the same id, else,
    for one no later subject has the id of, the one unmatched later subject of its scope
    and name."""
    matched = {key: key for key in before if key in after}
    by_name: dict[tuple[str, str], list[SubjectKey]] = {}
    for key, row in after.items():
        if key not in before:
            by_name.setdefault((row.scope, row.name), []).append(key)
    for key, row in before.items():
        if key not in matched:
            candidates = by_name.get((row.scope, row.name), [])
            if len(candidates) == 1:
                matched[key] = candidates.pop()
    return matched


@functools.cache
def _catalogue_order(scope: str, skip: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The catalogue's facts of the scope but those skipped, in its order, and the names not
    to read after them (the catalogue's and the skipped): what orders a subject's moves
    without sorting its facts."""
    names = CATALOGUE[Scope(scope)]
    return tuple(n for n in names if n not in skip), frozenset(names) | frozenset(skip)


def _moves(
    scope: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    skip: tuple[str, ...],
) -> tuple[Move, ...]:
    """The facts whose values differ, in the catalogue's order (facts it no longer has last,
    by name); None for a side the subject is not on."""
    absent = "before" if before is None else "after" if after is None else ""
    before, after = before or {}, after or {}
    ordered, known = _catalogue_order(scope, skip)
    # A fact on neither side reads None on both, so it is not a move.
    names = [*ordered, *sorted((before.keys() | after.keys()) - known)]
    return tuple(
        Move(name, before.get(name), after.get(name), absent)
        for name in names
        if before.get(name) != after.get(name)
    )


def _fact_moves(
    scope: str, before: SubjectRow | None, after: SubjectRow | None, skip: tuple[str, ...]
) -> tuple[Move, ...]:
    """_moves of two rows' facts; none, without decoding them, when their texts are equal."""
    if before is not None and after is not None and before.facts_json == after.facts_json:
        return ()
    return _moves(
        scope,
        before.facts if before is not None else None,
        after.facts if after is not None else None,
        skip,
    )


def _staffing(row: SubjectRow | None) -> dict[str, int | None]:
    if row is None:
        return {}
    return {name: getattr(row, field) for name, field in STAFFING_FIELDS.items()}


def _staffing_moves(before: SubjectRow | None, after: SubjectRow | None) -> tuple[Move, ...]:
    b, a = _staffing(before), _staffing(after)
    absent = "before" if before is None else "after" if after is None else ""
    return tuple(
        Move(name, b.get(name), a.get(name), absent)
        for name in STAFFING_FIELDS
        if b.get(name) != a.get(name)
    )


Advice = tuple[str, frozenset[str], tuple[int | None, int | None]]


def _advice(verdict: str, fired: Iterable[str], recommended: Mapping[str, Any]) -> Advice:
    return (
        verdict,
        frozenset(fired),
        (recommended["product_managers"], recommended["product_owners"]),
    )


def _judged_advice(judgement: Judgement) -> Advice:
    staffing: Staffing = judgement.recommended
    return _advice(judgement.verdict, judgement.fired, staffing.to_json())


def cause_of(before: Advice, after: Advice, older_under_newer_rules: Advice) -> str:
    """`none` when the advice is the same; else which of the rules and the organization
    moved it: the rules when the older facts are judged differently under the newer rules,
    the organization when the newer facts are judged differently from the older ones."""
    if before == after:
        return Cause.NONE.value
    rules = older_under_newer_rules != before
    organization = older_under_newer_rules != after
    if rules and organization:
        return Cause.BOTH.value
    return Cause.RULES.value if rules else Cause.ORGANIZATION.value


def _same_rules(before: RulesetVersion, after: RulesetVersion) -> bool:
    return before.pk == after.pk or before.digest == after.digest


def compare_assessments(before: Assessment, after: Assessment) -> Comparison:
    """Per product: the verdict then and now, the cause, the findings that appeared and
    resolved, the facts and staffing that moved; the people whose inputs moved; every
    finding that appeared or disappeared. A finding is the same finding when its heuristic
    and subject match. Four queries whatever the sizes, and one more for the newer ruleset
    version's document the first time a process compares across versions."""
    subjects_before, subjects_after = _subjects(before), _subjects(after)
    findings_before, findings_after = _findings(before), _findings(after)
    all_before: dict[SubjectKey, _Named] = {f.key: f for f in findings_before}
    all_after: dict[SubjectKey, _Named] = {f.key: f for f in findings_after}
    same = _same_subjects(all_before | subjects_before, all_after | subjects_after)

    fired_before: dict[SubjectKey, list[str]] = {}
    for finding in findings_before:
        fired_before.setdefault(finding.key, []).append(finding.heuristic)
    fired_after: dict[SubjectKey, list[str]] = {}
    for finding in findings_after:
        fired_after.setdefault(finding.key, []).append(finding.heuristic)

    products_before = {k: r for k, r in subjects_before.items() if r.scope == Scope.PRODUCT}
    products_after = {k: r for k, r in subjects_after.items() if r.scope == Scope.PRODUCT}
    pairs = _pairs(products_before, products_after, same)

    # The older facts under the newer rules, for the products on both sides.
    judged: dict[SubjectKey, Judgement] = {}
    if not _same_rules(before.ruleset, after.ruleset):
        ruleset = parsed_ruleset(after.ruleset)
        judged = judge_products(
            {key: b.facts for key, b, a in pairs if a is not None and b is not None},
            ruleset.heuristics,
            rules=ruleset.staffing,
            current={
                key: Staffing(b.current_pms or 0, b.current_pos or 0)
                for key, b, a in pairs
                if a is not None and b is not None
            },
        )

    changes = []
    for key, b, a in pairs:
        codes_b = fired_before.get(b.key, []) if b else []
        codes_a = fired_after.get(key, []) if a else []
        if a is None or b is None:
            cause = Cause.ORGANIZATION.value
        else:
            advice_b = _advice(b.verdict, codes_b, b.recommended)
            advice_a = _advice(a.verdict, codes_a, a.recommended)
            hybrid = _judged_advice(judged[key]) if key in judged else advice_b
            cause = cause_of(advice_b, advice_a, hybrid)
        name = (a or b).name
        changes.append(
            ProductChange(
                name=name,
                renamed_from=b.name if a and b and b.name != a.name else "",
                verdict_before=b.verdict if b else None,
                verdict_after=a.verdict if a else None,
                recommended_before=b.recommended if b else None,
                recommended_after=a.recommended if a else None,
                current_before=b.current if b else None,
                current_after=a.current if a else None,
                cause=cause,
                appeared=tuple(dict.fromkeys(c for c in codes_a if c not in codes_b)),
                resolved=tuple(dict.fromkeys(c for c in codes_b if c not in codes_a)),
                facts=_fact_moves(Scope.PRODUCT, b, a, skip=STAFFING_FACTS),
                staffing=_staffing_moves(b, a),
            )
        )

    people_before = {k: r for k, r in subjects_before.items() if r.scope == Scope.PERSON}
    people_after = {k: r for k, r in subjects_after.items() if r.scope == Scope.PERSON}
    people = []
    for _, b, a in _pairs(people_before, people_after, same):
        presence = "joined" if b is None else "left" if a is None else ""
        # One on a side only is listed without moves.
        moves = () if presence else _fact_moves(Scope.PERSON, b, a, skip=_NOT_INPUTS)
        if moves or presence:
            people.append(
                PersonChange(
                    name=(a or b).name,
                    renamed_from=b.name if a and b and b.name != a.name else "",
                    presence=presence,
                    moves=moves,
                )
            )

    found_before = {(f.heuristic, same.get(f.key, ("before", f.key))): f for f in findings_before}
    found_after = {(f.heuristic, f.key): f for f in findings_after}
    return Comparison(
        ruleset_before=before.ruleset.label,
        ruleset_after=after.ruleset.label,
        products=tuple(changes),
        appeared=FindingViews(f for k, f in found_after.items() if k not in found_before),
        disappeared=FindingViews(f for k, f in found_before.items() if k not in found_after),
        people=tuple(people),
    )


def _pairs(
    before: Mapping[SubjectKey, SubjectRow],
    after: Mapping[SubjectKey, SubjectRow],
    same: Mapping[SubjectKey, SubjectKey],
) -> list[tuple[SubjectKey, SubjectRow | None, SubjectRow | None]]:
    """(key, earlier row, later row) of each subject: the later ones in their order, then
    those gone since."""
    earlier = {same[key]: row for key, row in before.items() if key in same}
    pairs: list[tuple[SubjectKey, SubjectRow | None, SubjectRow | None]] = [
        (key, earlier.get(key), row) for key, row in after.items()
    ]
    pairs += [(key, row, None) for key, row in before.items() if same.get(key) not in after]
    return pairs
