"""Geometry of the org chart (who reports to whom) as plain data, and the SVG number and
text helpers every server-rendered chart uses.

Templates only draw what these functions compute; colours are CSS classes (the
CSP forbids inline styles).
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


def svg_number(value: float) -> str:
    """A coordinate as SVG text: no trailing zeros, at most two decimals."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def truncate(text: str, limit: int) -> str:
    """The text cut to `limit` characters with an ellipsis; SVG text does not wrap."""
    return text if len(text) <= limit else text[: max(limit - 1, 0)].rstrip() + "…"


# --- The reporting lines as a tree ---------------------------------------------


@dataclass(frozen=True)
class OrgNode:
    id: int
    parent_id: int | None
    name: str
    title: str
    role: str
    role_label: str = ""
    # The person's edit page, for a reader who may edit; blank otherwise.
    url: str = ""


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
        return " ".join(f"{svg_number(x)},{svg_number(y)}" for x, y in self.points)


@dataclass(frozen=True)
class TreeLayout:
    width: float
    height: float
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]
    roots: int
    # Where a wide chart opens scrolled to: the branch holding the product managers and
    # product owners (their nearest common manager, centred over them), or without
    # any, the largest tree's root.
    focus_x: float = 0
    focus_y: float = 0
    # How many boxes are product managers or product owners (the focused roles).
    focused: int = 0


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


# The roles the chart opens on: the people the advice is about.
PRODUCT_ROLES = ("product_manager", "product_owner")


def _branch_of(
    product: Sequence[Box], boxes: Sequence[Box], parent_of: Mapping[int, int]
) -> Box | None:
    """The nearest common manager of the product managers and owners (`product`: their
    boxes; one of them, when the others report to them), or None when they sit in different
    trees or there are none. Linear in the chart's size, however deep: each manager is
    looked up once.

    The walks up from each of them stop at a person walked already, so together they
    climb every branch once. Then one pass from the bottom counts, for each person
    walked, the product people at or under them; the first to count all of them is
    the nearest common manager (every other person who does is above them, and nobody
    is counted before all their reports are).
    """
    if not product:
        return None
    manager_of: dict[int, int | None] = {}
    for box in product:
        current: int | None = box.node.id
        while current is not None and current not in manager_of:
            manager = parent_of.get(current)
            manager_of[current] = manager
            current = manager
    under = dict.fromkeys(manager_of, 0)
    for box in product:
        under[box.node.id] = 1
    total = sum(under.values())
    waiting = dict.fromkeys(manager_of, 0)  # reports walked but not yet counted
    for manager in manager_of.values():
        if manager is not None:
            waiting[manager] += 1
    ready = [person for person, reports in waiting.items() if not reports]
    while ready:
        person = ready.pop()
        if under[person] == total:
            return next(box for box in boxes if box.node.id == person)
        manager = manager_of[person]
        if manager is not None:
            under[manager] += under[person]
            waiting[manager] -= 1
            if not waiting[manager]:
                ready.append(manager)
    return None


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
    focus_x = box_of[roots_by_size[0].id].center_x if roots_by_size else 0
    focus_y = 0.0
    product = [box for box in boxes if box.node.role in PRODUCT_ROLES]
    if product:
        parent_of = {
            child.id: parent_id for parent_id, kids in placed_children.items() for child in kids
        }
        branch = _branch_of(product, boxes, parent_of)
        if branch is None:  # in several trees: the first product person's place
            branch = min(product, key=lambda box: (box.y, box.x))
        focus_x, focus_y = branch.center_x, branch.y
    return TreeLayout(
        width=2 * margin + max(next_leaf * slot - h_gap, 0),
        height=2 * margin + max((deepest + 1) * level - v_gap, 0),
        boxes=boxes,
        edges=tuple(edges),
        roots=sum(1 for node in nodes if depth_of[node.id] == 0),
        focus_x=focus_x,
        focus_y=focus_y,
        focused=len(product),
    )
