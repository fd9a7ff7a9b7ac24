"""An organization's advice over its assessments, for the trends page: each product's
verdict, each product manager's backlog share against the limit, and the recommended
against the current PM and PO counts, with the change since the previous assessment.

Reads the latest assessments that are not projections (a projection is not history), at
most MAX_ASSESSMENTS of them, in four queries whatever the organization's size: the
assessments, their products' rows, their product managers' backlog shares, and the
limits their ruleset versions set. Products and product managers are paged.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.db.models.fields.json import KT

from advisor.engine.ruleset import entry_parameters
from advisor.engine.vocabulary import Role, Scope, verdict_label
from advisor.models import AssessedSubject, Assessment, RulesetVersion
from advisor.trend_charts import LineChart, VerdictGrid, line_chart, verdict_grid
from orgs.models import Organization
from orgs.paging import page_of

MAX_ASSESSMENTS = 12
PER_PAGE = 20
STAFFING_PLOT_WIDTH = 560
# The limit a product manager's backlog share is drawn against: this heuristic's parameter,
# as each assessment's ruleset version set it (none where the heuristic was off).
BACKLOG_LIMIT = ("split-backlog-overload", "max_backlog_share")


@dataclass(frozen=True)
class Change:
    """A value at the previous assessment and at the latest, and which way it went."""

    before: Any
    after: Any

    @property
    def direction(self) -> str:
        """`up`, `down`, `same`, or "" when either side is unknown."""
        if not isinstance(self.before, int | float) or not isinstance(self.after, int | float):
            return ""
        if self.after == self.before:
            return "same"
        return "up" if self.after > self.before else "down"

    @property
    def words(self) -> str:
        direction = self.direction
        if not direction:
            return "no change to show"
        if direction == "same":
            return f"unchanged at {self.after}"
        return f"{direction} {abs(self.after - self.before)}, from {self.before} to {self.after}"


@dataclass(frozen=True)
class Column:
    assessment: Assessment
    label: str


@dataclass(frozen=True)
class ProductTrend:
    name: str
    verdicts: tuple[str | None, ...]

    @property
    def cells(self) -> tuple[tuple[str | None, str], ...]:
        return tuple((v, verdict_label(v) if v else "not assessed") for v in self.verdicts)

    @property
    def change(self) -> str:
        """`Merge → Split` when the latest verdict differs from the previous one."""
        if len(self.verdicts) < 2 or self.verdicts[-1] == self.verdicts[-2]:
            return ""
        before, after = self.verdicts[-2], self.verdicts[-1]
        return f"{verdict_label(before)} → {verdict_label(after)}"


@dataclass(frozen=True)
class ManagerTrend:
    name: str
    shares: tuple[int | None, ...]
    limits: tuple[int | None, ...]
    chart: LineChart

    @property
    def change(self) -> Change:
        return Change(*self.shares[-2:]) if len(self.shares) > 1 else Change(None, None)

    @property
    def rows(self) -> tuple[tuple[int | None, int | None], ...]:
        return tuple(zip(self.shares, self.limits, strict=True))


@dataclass(frozen=True)
class StaffingLine:
    name: str
    css: str
    values: tuple[int | None, ...]

    @property
    def change(self) -> Change:
        return Change(*self.values[-2:]) if len(self.values) > 1 else Change(None, None)


@dataclass(frozen=True)
class TrendsPage:
    columns: tuple[Column, ...]
    # How many assessments (projections aside) the organization has; the page charts the
    # latest MAX_ASSESSMENTS.
    total: int
    products: Page
    verdicts: VerdictGrid | None
    managers: Page
    staffing: tuple[StaffingLine, ...]
    staffing_chart: LineChart | None


def _label(assessment: Assessment) -> str:
    return f"{assessment.as_of:%d %b %y}"


def _key(subject_id: int | None, name: str) -> int | str:
    return subject_id if subject_id is not None else f"name:{name}"


def _limit(content: Any) -> int | None:
    """The backlog limit a version's document sets, if its heuristic is on: the ruleset's
    parameter, or in a version from before parameters belonged to the ruleset, the
    heuristic's own."""
    code, param = BACKLOG_LIMIT
    entries = content.get("heuristics") if isinstance(content, Mapping) else None
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, Mapping) and entry.get("code") == code:
            if entry.get("state") != "on":
                return None
            table = content.get("parameters")
            own = entry_parameters(entry, table if isinstance(table, Mapping) else {})
            value = own.get(param) if isinstance(own, Mapping) else None
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            return int(value) if ok else None
    return None


def _ordered(
    rows: Sequence[tuple[int, int | str, str, int]], position: Mapping[int, int]
) -> dict[int | str, str]:
    """Subject key → its latest name, in the latest assessment's order, then those gone
    since (latest seen first). Each row: assessment id, key, name, minus its place."""
    names: dict[int | str, tuple[int, int, str]] = {}
    for assessment_id, key, name, minus_place in rows:
        order = (position[assessment_id], minus_place)
        if key not in names or order > names[key][:2]:
            names[key] = (*order, name)
    ranked = sorted(names.items(), key=lambda item: (-item[1][0], -item[1][1], item[1][2]))
    return {key: name for key, (_, _, name) in ranked}


def trends_page(
    organization: Organization,
    *,
    products_page: Any = None,
    people_page: Any = None,
) -> TrendsPage:
    settled = organization.assessments.advice()
    latest = list(
        settled.latest_first()
        .select_related("ruleset")
        .only("pk", "as_of", "created_at", "ruleset__number")[:MAX_ASSESSMENTS]
    )
    total = len(latest)
    if total == MAX_ASSESSMENTS:
        total = settled.count()
    assessments = latest[::-1]
    columns = tuple(Column(a, _label(a)) for a in assessments)
    position = {a.pk: i for i, a in enumerate(assessments)}
    ids = list(position)

    product_rows = list(
        AssessedSubject.objects.filter(assessment_id__in=ids, scope=Scope.PRODUCT)
        .order_by()
        .values_list(
            "assessment_id",
            "product_id",
            "name",
            "position",
            "verdict",
            "current_pms",
            "current_pos",
            "recommended_pms",
            "recommended_pos",
        )
    )
    verdicts: dict[int | str, list[str | None]] = {}
    totals = {field: [None] * len(ids) for field in ("cpm", "rpm", "cpo", "rpo")}
    keyed = []
    for aid, pid, name, place, verdict, cpm, cpo, rpm, rpo in product_rows:
        key = _key(pid, name)
        keyed.append((aid, key, name, -place))
        verdicts.setdefault(key, [None] * len(ids))[position[aid]] = verdict or None
        for field, value in (("cpm", cpm), ("cpo", cpo), ("rpm", rpm), ("rpo", rpo)):
            if value is not None:
                column = totals[field]
                column[position[aid]] = (column[position[aid]] or 0) + value
    product_names = _ordered(keyed, position)
    labels = [c.label for c in columns]
    products = page_of(
        [ProductTrend(name, tuple(verdicts[key])) for key, name in product_names.items()],
        products_page,
        per_page=PER_PAGE,
    )
    grid = (
        verdict_grid(labels, [(p.name, p.cells) for p in products], cell_width=84)
        if len(products.object_list)
        else None
    )

    limits_by_version = {
        pk: _limit(content)
        for pk, content in RulesetVersion.objects.filter(
            pk__in={a.ruleset_id for a in assessments}
        ).values_list("pk", "content")
    }
    limits = tuple(limits_by_version.get(a.ruleset_id) for a in assessments)
    manager_rows = list(
        AssessedSubject.objects.filter(
            assessment_id__in=ids, scope=Scope.PERSON, role=Role.PRODUCT_MANAGER
        )
        .order_by()
        .annotate(backlog=KT("facts__backlog_share"))
        .values_list("assessment_id", "person_id", "name", "position", "backlog")
    )
    shares: dict[int | str, list[int | None]] = {}
    keyed = []
    for aid, pid, name, place, backlog in manager_rows:
        key = _key(pid, name)
        keyed.append((aid, key, name, -place))
        value = int(float(backlog)) if backlog not in (None, "", "null") else None
        shares.setdefault(key, [None] * len(ids))[position[aid]] = value
    manager_names = _ordered(keyed, position)
    managers = page_of(list(manager_names.items()), people_page, per_page=PER_PAGE)
    managers.object_list = [
        ManagerTrend(
            name=name,
            shares=tuple(shares[key]),
            limits=limits,
            chart=line_chart(
                labels,
                [
                    ("Backlog share", "line-share", shares[key]),
                    ("Limit", "line-limit", limits),
                ],
                scale_max=100,
                column_width=48,
                plot_height=60,
                show_columns=False,
                tick_count=2,
            ),
        )
        for key, name in managers.object_list
    ]

    staffing = (
        StaffingLine("Product managers now", "line-pm", tuple(totals["cpm"])),
        StaffingLine("Product managers recommended", "line-pm-recommended", tuple(totals["rpm"])),
        StaffingLine("Product owners now", "line-po", tuple(totals["cpo"])),
        StaffingLine("Product owners recommended", "line-po-recommended", tuple(totals["rpo"])),
    )
    staffing_chart = (
        line_chart(
            labels,
            [(s.name, s.css, s.values) for s in staffing],
            # At least 80 pixels a column, and room to read a short history.
            column_width=max(80, STAFFING_PLOT_WIDTH / max(len(labels) - 1, 1)),
            plot_height=160,
        )
        if columns
        else None
    )
    return TrendsPage(
        columns=columns,
        total=total,
        products=products,
        verdicts=grid,
        managers=managers,
        staffing=staffing,
        staffing_chart=staffing_chart,
    )
