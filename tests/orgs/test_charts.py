"""The org chart's geometry and the SVG text helpers."""

import itertools
import random

import pytest

from orgs.charts import PRODUCT_ROLES, OrgNode, _branch_of, org_tree, truncate


def node(id: int, parent_id: int | None = None, name: str = "") -> OrgNode:
    return OrgNode(id, parent_id, name or f"P{id}", "Title", "other", "Other")


class CountingLookups(dict):
    """A dict that counts how often it is read."""

    lookups = 0

    def get(self, key, default=None):
        self.lookups += 1
        return super().get(key, default)

    def __getitem__(self, key):
        self.lookups += 1
        return super().__getitem__(key)


def assert_no_overlaps(layout) -> None:
    for a, b in itertools.combinations(layout.boxes, 2):
        apart = (
            a.x + a.width <= b.x
            or b.x + b.width <= a.x
            or a.y + a.height <= b.y
            or b.y + b.height <= a.y
        )
        assert apart, (a.node.id, b.node.id)


def assert_inside(layout) -> None:
    for box in layout.boxes:
        assert box.x >= 0 and box.x + box.width <= layout.width
        assert box.y >= 0 and box.y + box.height <= layout.height


class TestOrgTree:
    def test_a_manager_sits_centred_above_their_reports(self):
        layout = org_tree(
            [node(1), node(2, 1), node(3, 1), node(4, 1)],
            box_width=100,
            box_height=40,
            h_gap=20,
            v_gap=30,
            margin=10,
        )
        box = {b.node.id: b for b in layout.boxes}
        assert [(box[i].x, box[i].y) for i in (2, 3, 4)] == [(10, 80), (130, 80), (250, 80)]
        assert (box[1].x, box[1].y) == (130, 10)
        assert (layout.width, layout.height) == (360, 130)

    def test_edges_run_from_the_manager_down_to_each_report(self):
        layout = org_tree([node(1), node(2, 1)], box_width=100, box_height=40, v_gap=30, margin=10)
        (edge,) = layout.edges
        assert (edge.parent_id, edge.child_id) == (1, 2)
        assert edge.points == ((60, 50), (60, 65), (60, 65), (60, 80))
        assert edge.svg_points == "60,50 60,65 60,65 60,80"

    def test_several_roots_stand_side_by_side(self):
        layout = org_tree([node(1), node(2), node(3, 2)], box_width=100, h_gap=20, margin=10)
        box = {b.node.id: b for b in layout.boxes}
        assert layout.roots == 2
        assert box[1].y == box[2].y
        assert box[1].x > box[2].x
        assert_no_overlaps(layout)

    def test_the_largest_tree_comes_first(self):
        layout = org_tree([node(1), node(2), node(3), node(4, 3), node(5, 3)])
        box = {b.node.id: b for b in layout.boxes}
        assert box[4].x < box[5].x < box[1].x < box[2].x
        assert_no_overlaps(layout)

    def test_the_chart_focuses_on_the_largest_trees_root(self):
        layout = org_tree([node(1), node(2), node(3), node(4, 3), node(5, 3)])
        box = {b.node.id: b for b in layout.boxes}
        assert layout.focus_x == box[3].center_x

    def test_a_manager_outside_the_nodes_makes_a_root(self):
        layout = org_tree([node(1, parent_id=99)])
        assert layout.roots == 1
        assert layout.boxes[0].depth == 0

    def test_a_reporting_loop_is_broken_not_dropped(self):
        layout = org_tree([node(1, 3), node(2, 1), node(3, 2)])
        assert sorted(b.node.id for b in layout.boxes) == [1, 2, 3]
        assert sorted(b.depth for b in layout.boxes) == [0, 1, 2]
        assert len(layout.edges) == 2

    def test_a_wide_level_makes_a_wide_chart_without_overlaps(self):
        nodes = [node(1)] + [node(i, 1) for i in range(2, 62)]
        layout = org_tree(nodes, box_width=180, h_gap=24, margin=16)
        assert layout.width == 2 * 16 + 60 * 204 - 24
        assert_no_overlaps(layout)
        assert_inside(layout)

    @pytest.mark.parametrize("seed", range(5))
    def test_random_forests_lay_out_without_overlaps(self, seed):
        rng = random.Random(seed)
        nodes = []
        for i in range(1, 120):
            parent = rng.choice([None, *range(1, i)]) if i > 1 and rng.random() > 0.05 else None
            nodes.append(node(i, parent))
        rng.shuffle(nodes)
        layout = org_tree(nodes)
        assert len(layout.boxes) == len(nodes)
        assert_no_overlaps(layout)
        assert_inside(layout)
        box = {b.node.id: b for b in layout.boxes}
        for n in nodes:
            if n.parent_id is not None:
                assert box[n.id].depth == box[n.parent_id].depth + 1
                assert box[n.id].y > box[n.parent_id].y

    def test_a_long_chain_does_not_exhaust_the_stack(self):
        nodes = [node(1)] + [node(i, i - 1) for i in range(2, 3001)]
        layout = org_tree(nodes)
        assert max(b.depth for b in layout.boxes) == 2999

    def test_long_names_are_cut_to_fit_the_box(self):
        layout = org_tree([node(1, name="Maximiliana Theodora Featherstonehaugh-Smythe")])
        box = layout.boxes[0]
        assert box.short_name.endswith("…")
        assert len(box.short_name) == box.name_chars


class TestTruncate:
    def test_short_text_is_kept(self):
        assert truncate("Dana", 10) == "Dana"

    def test_long_text_ends_in_an_ellipsis_within_the_limit(self):
        assert truncate("Dana Lee-Ortiz", 8) == "Dana Le…"


def person(id: int, parent_id: int | None, role: str) -> OrgNode:
    return OrgNode(id, parent_id, f"P{id}", "Title", role, role)


class TestProductBranch:
    def test_opens_on_the_nearest_common_manager_of_the_pms_and_pos(self):
        # CEO 1 over an engineering VP 2 (with five reports) and a head of product 3, whose
        # PM 4 has a PO 5; a second PM 6 reports to 3 as well.
        nodes = [
            person(1, None, "executive"),
            person(2, 1, "engineering_manager"),
            *(person(10 + i, 2, "other") for i in range(5)),
            person(3, 1, "product_leader"),
            person(4, 3, "product_manager"),
            person(5, 4, "product_owner"),
            person(6, 3, "product_manager"),
        ]
        layout = org_tree(nodes)
        box = {b.node.id: b for b in layout.boxes}
        assert (layout.focus_x, layout.focus_y, layout.focused) == (
            box[3].center_x,
            box[3].y,
            3,
        )
        assert layout.focus_x != box[1].center_x

    def test_a_lone_product_manager_is_their_own_branch(self):
        layout = org_tree([person(1, None, "executive"), person(2, 1, "product_manager")])
        box = {b.node.id: b for b in layout.boxes}
        assert (layout.focus_x, layout.focus_y) == (box[2].center_x, box[2].y)

    def test_product_people_in_two_trees_open_on_the_first_of_them(self):
        nodes = [
            person(1, None, "executive"),
            person(2, 1, "product_manager"),
            person(3, None, "other"),
            person(4, 3, "product_owner"),
        ]
        layout = org_tree(nodes)
        box = {b.node.id: b for b in layout.boxes}
        assert (layout.focus_x, layout.focus_y) == (box[2].center_x, box[2].y)

    def test_a_deep_chain_opens_on_its_first_product_person(self):
        # Each reports to the one before; every other one a product manager.
        roles = ("other", "product_manager")
        layout = org_tree([person(i, i - 1 if i else None, roles[i % 2]) for i in range(300)])
        box = {b.node.id: b for b in layout.boxes}
        assert (layout.focus_x, layout.focus_y, layout.focused) == (
            box[1].center_x,
            box[1].y,
            150,
        )

    @pytest.mark.parametrize("people", [100, 400])
    def test_finding_the_branch_looks_each_manager_up_once_however_deep(self, people):
        # The same chain: the walk up from each product manager stops where another
        # walked, so the lookups grow with the chart, not with its size times its depth.
        roles = ("other", "product_manager")
        nodes = [person(i, i - 1 if i else None, roles[i % 2]) for i in range(people)]
        boxes = org_tree(nodes).boxes
        parent_of = CountingLookups((n.id, n.parent_id) for n in nodes if n.parent_id is not None)
        product = [b for b in boxes if b.node.role in PRODUCT_ROLES]
        assert _branch_of(product, boxes, parent_of).node.id == 1
        assert parent_of.lookups <= people

    def test_without_product_people_the_largest_trees_root(self):
        layout = org_tree([node(1), node(2), node(3), node(4, 3), node(5, 3)])
        box = {b.node.id: b for b in layout.boxes}
        assert (layout.focus_x, layout.focus_y, layout.focused) == (box[3].center_x, 0, 0)
