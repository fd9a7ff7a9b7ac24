"""Geometry of the trend charts (advisor.trends), as plain data.

As advisor.charts: templates only draw what these functions compute, every coordinate is a
number here, and colours are CSS classes in static/css/history.css (the CSP forbids inline
styles). Values may be unknown (None): a line breaks there rather than falling to zero.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from orgs.charts import svg_number, truncate

# --- Lines over the assessments ------------------------------------------------


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    column: str


@dataclass(frozen=True)
class Series:
    name: str
    css: str
    points: tuple[Point, ...]
    # Each unbroken run of known values as SVG `points` text.
    runs: tuple[str, ...]


@dataclass(frozen=True)
class LineChart:
    width: float
    height: float
    left: float
    top: float
    plot_width: float
    plot_height: float
    columns: tuple[tuple[str, float], ...]  # (label, x)
    ticks: tuple[tuple[int, float], ...]  # (value, y)
    series: tuple[Series, ...]
    label_y: float

    @property
    def tick_label_x(self) -> float:
        return self.left - 4

    @property
    def right(self) -> float:
        return self.left + self.plot_width


def _step(scale_max: int, count: int) -> int:
    return max(1, -(-scale_max // count))


def line_chart(
    columns: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None]]],
    *,
    scale_max: int | None = None,
    column_width: float = 64,
    plot_height: float = 120,
    left: float = 36,
    top: float = 10,
    axis_room: float = 22,
    show_columns: bool = True,
    tick_count: int = 4,
) -> LineChart:
    """One line per series (name, CSS class, a value per column) on a common scale from 0 to
    `scale_max` (default: the largest value, at least 1)."""
    known = [v for _, _, values in series for v in values if v is not None]
    top_value = scale_max if scale_max is not None else max([1, *known])
    top_value = max(int(top_value), 1)
    # The scale ends on a tick.
    step = _step(top_value, tick_count)
    top_value = -(-top_value // step) * step
    plot_width = max(len(columns) - 1, 1) * column_width
    xs = [
        left + (i * column_width if len(columns) > 1 else plot_width / 2)
        for i in range(len(columns))
    ]

    def y_of(value: float) -> float:
        clamped = min(max(value, 0), top_value)
        return top + plot_height - clamped * plot_height / top_value

    built = []
    for name, css, values in series:
        points = tuple(
            Point(x, y_of(v), v, column)
            for x, v, column in zip(xs, values, columns, strict=True)
            if v is not None
        )
        runs: list[list[str]] = [[]]
        for x, v in zip(xs, values, strict=True):
            if v is None:
                runs.append([])
            else:
                runs[-1].append(f"{svg_number(x)},{svg_number(y_of(v))}")
        built.append(Series(name, css, points, tuple(" ".join(r) for r in runs if len(r) > 1)))
    return LineChart(
        width=left + plot_width + 40,
        height=top + plot_height + (axis_room if show_columns else 6),
        left=left,
        top=top,
        plot_width=plot_width,
        plot_height=plot_height,
        columns=tuple(zip(columns, xs, strict=True)) if show_columns else (),
        ticks=tuple((v, y_of(v)) for v in range(0, top_value + 1, step)),
        series=tuple(built),
        label_y=top + plot_height + axis_room - 6,
    )


# --- Verdicts over the assessments: a row of cells per product --------------------------


@dataclass(frozen=True)
class Cell:
    x: float
    verdict: str | None  # None: the product was not in that assessment
    label: str
    column: str
    width: float

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class VerdictRow:
    name: str
    y: float
    text_y: float
    cells: tuple[Cell, ...]

    @property
    def short_name(self) -> str:
        return truncate(self.name, 24)


@dataclass(frozen=True)
class VerdictGrid:
    width: float
    height: float
    label_width: float
    cell_width: float
    cell_height: float
    columns: tuple[tuple[str, float], ...]  # (label, centre x)
    rows: tuple[VerdictRow, ...]
    header_y: float

    @property
    def label_x(self) -> float:
        return self.label_width - 8


def verdict_grid(
    columns: Sequence[str],
    rows: Sequence[tuple[str, Sequence[tuple[str | None, str]]]],
    *,
    label_width: float = 180,
    cell_width: float = 64,
    cell_height: float = 24,
    gap: float = 4,
    header: float = 22,
) -> VerdictGrid:
    """A row per product (name, a (verdict, label) per column), a cell per assessment."""
    built = []
    for i, (name, cells) in enumerate(rows):
        y = header + i * (cell_height + gap)
        built.append(
            VerdictRow(
                name=name,
                y=y,
                text_y=y + cell_height / 2,
                cells=tuple(
                    Cell(label_width + j * cell_width, verdict, label, column, cell_width - gap)
                    for j, ((verdict, label), column) in enumerate(zip(cells, columns, strict=True))
                ),
            )
        )
    return VerdictGrid(
        width=label_width + len(columns) * cell_width + 8,
        height=header + len(rows) * (cell_height + gap),
        label_width=label_width,
        cell_width=cell_width,
        cell_height=cell_height,
        columns=tuple(
            (column, label_width + j * cell_width + (cell_width - gap) / 2)
            for j, column in enumerate(columns)
        ),
        rows=tuple(built),
        header_y=header - 8,
    )
