"""Geometry of the server-rendered SVG charts, as plain data.

Templates only draw what these functions compute: every coordinate is a number
here, tested without a database or a browser. Colours are CSS classes in
static/css/advisor.css (the CSP forbids inline styles), so nothing here is
about looks beyond sizes.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from advisor.engine.vocabulary import TIME_BUCKETS
from orgs.charts import truncate

# --- A person's time allocation: one stacked bar --------------------------------


@dataclass(frozen=True)
class Segment:
    bucket: str
    value: int
    x: float
    width: float


@dataclass(frozen=True)
class StackedBar:
    width: float
    height: float
    segments: tuple[Segment, ...]
    legend: tuple[tuple[str, int], ...]  # every bucket, zeros included
    total: int
    limit: int | None
    limit_x: float | None
    # False when the person's time was never entered (every share unknown, or all 0):
    # the bar says "not entered" and shows no percentage at all, never 0%.
    known: bool = True

    # Room around the bar for the limit line's overhang and its label below.
    pad: float = 4
    label_room: float = 18

    @property
    def outer_width(self) -> float:
        return self.width + 2 * self.pad

    @property
    def outer_height(self) -> float:
        return self.height + self.pad + self.label_room

    @property
    def label_y(self) -> float:
        return self.height + self.label_room - 3

    @property
    def mid_x(self) -> float:
        return self.width / 2

    @property
    def mid_y(self) -> float:
        return self.height / 2


def stacked_bar(
    shares: Mapping[str, int | None],
    *,
    limit: int | None = None,
    width: float = 400,
    height: float = 24,
    buckets: Sequence[str] = TIME_BUCKETS,
) -> StackedBar:
    """Percent shares laid end to end on a bar where 100% is the full width.

    Backlog comes first, so its end and the limit line (a backlog share) are
    read against the same zero. Shares all unknown or all 0 are time never entered:
    an empty bar marked unknown, with no limit line to read it against.
    """
    scale = width / 100
    if not any(shares.get(bucket) for bucket in buckets):
        return StackedBar(
            width=width,
            height=height,
            segments=(),
            legend=(),
            total=0,
            limit=limit,
            limit_x=None,
            known=False,
        )
    segments: list[Segment] = []
    legend: list[tuple[str, int]] = []
    x = 0.0
    for bucket in buckets:
        value = int(shares.get(bucket) or 0)
        legend.append((bucket, value))
        if value > 0:
            segments.append(Segment(bucket, value, x, value * scale))
            x += value * scale
    limit_x = None if limit is None else min(max(limit, 0), 100) * scale
    return StackedBar(
        width=width,
        height=height,
        segments=tuple(segments),
        legend=tuple(legend),
        total=sum(value for _, value in legend),
        limit=limit,
        limit_x=limit_x,
    )


# --- A bar per person, with a threshold line -----------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: float
    width: float
    label_y: float
    value_x: float

    @property
    def short_label(self) -> str:
        return truncate(self.label, 22)


@dataclass(frozen=True)
class BarChart:
    width: float
    height: float
    label_width: float
    plot_width: float
    plot_height: float
    bar_height: float
    bars: tuple[Bar, ...]
    scale_max: int
    limit: int | None
    limit_x: float | None
    ticks: tuple[tuple[int, float], ...]

    @property
    def label_x(self) -> float:
        return self.label_width - 8

    @property
    def tick_label_y(self) -> float:
        return self.height - 4


def bar_chart(
    rows: Sequence[tuple[str, int]],
    *,
    limit: int | None = None,
    label_width: float = 160,
    plot_width: float = 360,
    bar_height: float = 20,
    gap: float = 8,
    axis_height: float = 20,
) -> BarChart:
    """Horizontal bars, one per row, on a common scale that also fits the limit."""
    scale_max = max([1, *(value for _, value in rows), *([limit] if limit is not None else [])])
    scale = plot_width / scale_max
    bars = []
    for i, (label, value) in enumerate(rows):
        width = max(value, 0) * scale
        y = i * (bar_height + gap)
        bars.append(Bar(label, value, y, width, y + bar_height / 2, label_width + width + 4))
    plot_height = len(rows) * (bar_height + gap)
    step = max(1, -(-scale_max // 10))
    ticks = tuple((v, label_width + v * scale) for v in range(0, scale_max + 1, step))
    return BarChart(
        # Room right of the plot for the longest bar's value label.
        width=label_width + plot_width + 24,
        height=plot_height + axis_height,
        label_width=label_width,
        plot_width=plot_width,
        plot_height=plot_height,
        bar_height=bar_height,
        bars=tuple(bars),
        scale_max=scale_max,
        limit=limit,
        limit_x=None if limit is None else label_width + limit * scale,
        ticks=ticks,
    )
