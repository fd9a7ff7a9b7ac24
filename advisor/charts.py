"""Geometry of the server-rendered SVG charts, as plain data.

Templates only draw what these functions compute: every coordinate is a number
here, tested without a database or a browser. Colours are CSS classes in
static/css/advisor.css (the CSP forbids inline styles), so nothing here is
about looks beyond sizes.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from orgs.models import TIME_BUCKETS


def _num(value: float) -> str:
    """A coordinate as SVG text: no trailing zeros, at most two decimals."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def truncate(text: str, limit: int) -> str:
    """The text cut to `limit` characters with an ellipsis; SVG text does not wrap."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


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
    read against the same zero.
    """
    scale = width / 100
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


# --- The reporting lines as a tree ---------------------------------------------


@dataclass(frozen=True)
class OrgNode:
    id: int
    parent_id: int | None
    name: str
    title: str
    role: str
    role_label: str = ""


@dataclass(frozen=True)
class Box:
    node: OrgNode
    x: float
    y: float
    width: float
    height: float
    depth: int

    @property
    def center_x(self) -> float:
        return self.x + self.width / 2

    @property
    def chars(self) -> int:
        # About seven pixels a character at the 12px the stylesheet sets for
        # titles; names, bold at 13px, take about eight.
        return int((self.width - 16) // 7)

    @property
    def name_chars(self) -> int:
        return int((self.width - 16) // 8)

    @property
    def short_name(self) -> str:
        return truncate(self.node.name, self.name_chars)

    @property
    def short_title(self) -> str:
        return truncate(self.node.title, self.chars)

    def line_y(self, line: int) -> float:
        """The baseline of the box's line 1, 2 or 3 (name, title, role)."""
        return self.y + self.height * (line * 0.27)

    @property
    def name_y(self) -> float:
        return self.line_y(1)

    @property
    def title_y(self) -> float:
        return self.line_y(2)

    @property
    def role_y(self) -> float:
        return self.line_y(3)


@dataclass(frozen=True)
class Edge:
    parent_id: int
    child_id: int
    points: tuple[tuple[float, float], ...]

    @property
    def svg_points(self) -> str:
        return " ".join(f"{_num(x)},{_num(y)}" for x, y in self.points)


@dataclass(frozen=True)
class TreeLayout:
    width: float
    height: float
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]
    roots: int
    # Where the largest tree's root stands: a wide chart opens scrolled to it.
    focus_x: float = 0


def _tree_size(root: OrgNode, children: Mapping[int, list[OrgNode]]) -> int:
    size, stack, seen = 0, [root], set()
    while stack:
        node = stack.pop()
        if node.id in seen:
            continue
        seen.add(node.id)
        size += 1
        stack.extend(children.get(node.id, []))
    return size


def org_tree(
    nodes: Sequence[OrgNode],
    *,
    box_width: float = 180,
    box_height: float = 64,
    h_gap: float = 24,
    v_gap: float = 48,
    margin: float = 16,
) -> TreeLayout:
    """Lay the reporting lines out top-down: managers centred over their reports.

    Leaves take the next free slot from left to right, so no two boxes of a
    level overlap and each subtree keeps to its own columns. Several roots (a
    forest) sit side by side. A person whose manager is not among the nodes is
    a root; a loop, which the model refuses anyway, is broken at its first
    member in the given order rather than dropped.
    """
    order = {node.id: i for i, node in enumerate(nodes)}
    children: dict[int, list[OrgNode]] = defaultdict(list)
    roots: list[OrgNode] = []
    for node in nodes:
        if node.parent_id is not None and node.parent_id in order and node.parent_id != node.id:
            children[node.parent_id].append(node)
        else:
            roots.append(node)

    slot = box_width + h_gap
    x_of: dict[int, float] = {}
    depth_of: dict[int, int] = {}
    placed_children: dict[int, list[OrgNode]] = {}
    next_leaf = 0

    def place(root: OrgNode) -> None:
        nonlocal next_leaf
        # Iterative post-order, so a long chain of managers cannot exhaust the stack.
        stack: list[tuple[OrgNode, int, bool]] = [(root, 0, False)]
        while stack:
            node, depth, expanded = stack.pop()
            if expanded:
                kids = placed_children[node.id]
                if kids:
                    x_of[node.id] = (x_of[kids[0].id] + x_of[kids[-1].id]) / 2
                else:
                    x_of[node.id] = margin + next_leaf * slot
                    next_leaf += 1
                continue
            depth_of[node.id] = depth
            kids = [child for child in children.get(node.id, []) if child.id not in depth_of]
            placed_children[node.id] = kids
            stack.append((node, depth, True))
            stack.extend((child, depth + 1, False) for child in reversed(kids))

    # The largest tree first: the company's hierarchy leads, people who report
    # to nobody follow it rather than push it off to the right.
    roots_by_size = sorted(roots, key=lambda r: -_tree_size(r, children))
    for root in roots_by_size:
        place(root)
    # Whatever no root reached sits on a loop: start again from its first member.
    for node in nodes:
        if node.id not in depth_of:
            place(node)

    level = box_height + v_gap
    boxes = tuple(
        Box(
            node,
            x_of[node.id],
            margin + depth_of[node.id] * level,
            box_width,
            box_height,
            depth_of[node.id],
        )
        for node in nodes
    )
    box_of = {box.node.id: box for box in boxes}
    edges = []
    for parent_id, kids in placed_children.items():
        parent = box_of[parent_id]
        for child in kids:
            child_box = box_of[child.id]
            mid_y = parent.y + box_height + v_gap / 2
            edges.append(
                Edge(
                    parent_id,
                    child.id,
                    (
                        (parent.center_x, parent.y + box_height),
                        (parent.center_x, mid_y),
                        (child_box.center_x, mid_y),
                        (child_box.center_x, child_box.y),
                    ),
                )
            )
    edges.sort(key=lambda e: (order[e.parent_id], order[e.child_id]))
    deepest = max(depth_of.values(), default=-1)
    return TreeLayout(
        width=2 * margin + max(next_leaf * slot - h_gap, 0),
        height=2 * margin + max((deepest + 1) * level - v_gap, 0),
        boxes=boxes,
        edges=tuple(edges),
        roots=sum(1 for node in nodes if depth_of[node.id] == 0),
        focus_x=box_of[roots_by_size[0].id].center_x if roots_by_size else 0,
    )
