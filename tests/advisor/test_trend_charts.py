"""Geometry of the trend charts, and the change since the last assessment, as plain data."""

import pytest

from advisor.trend_charts import line_chart, verdict_grid
from advisor.trends import Change, ProductTrend


class TestLineChart:
    def test_values_are_placed_on_a_common_scale_from_zero(self):
        chart = line_chart(
            ["a", "b", "c"],
            [("share", "line-share", [0, 50, 100])],
            scale_max=100,
            column_width=50,
            plot_height=100,
            left=10,
            top=5,
        )
        (series,) = chart.series
        assert [(p.x, p.y) for p in series.points] == [(10, 105), (60, 55), (110, 5)]
        assert series.runs == ("10,105 60,55 110,5",)
        assert chart.columns == (("a", 10), ("b", 60), ("c", 110))
        assert [value for value, _ in chart.ticks] == [0, 25, 50, 75, 100]

    def test_an_unknown_value_breaks_the_line_instead_of_falling_to_zero(self):
        chart = line_chart(
            ["a", "b", "c", "d", "e"],
            [("share", "s", [10, 20, None, 30, 40])],
            scale_max=40,
            column_width=10,
            plot_height=40,
            left=0,
            top=0,
        )
        (series,) = chart.series
        assert [p.value for p in series.points] == [10, 20, 30, 40]
        assert series.runs == ("0,30 10,20", "30,10 40,0")

    def test_a_lone_known_value_is_a_point_without_a_line(self):
        chart = line_chart(["a", "b"], [("s", "s", [None, 3])])
        (series,) = chart.series
        assert (len(series.points), series.runs) == (1, ())

    def test_the_scale_fits_the_largest_value_and_is_never_zero(self):
        assert line_chart(["a"], [("s", "s", [7])]).ticks[-1][0] == 8
        assert line_chart(["a"], [("s", "s", [None])]).ticks[-1][0] == 1

    def test_a_value_past_the_scale_is_drawn_at_its_edge(self):
        chart = line_chart(["a"], [("s", "s", [150])], scale_max=100, top=0, plot_height=100)
        assert chart.series[0].points[0].y == 0


class TestVerdictGrid:
    def test_a_cell_per_assessment_in_a_row_per_product(self):
        grid = verdict_grid(
            ["1 Oct", "1 Nov"],
            [
                ("Payments", [("merge", "Merge"), ("split", "Split")]),
                ("Atlas", [(None, "not assessed"), ("keep", "Keep")]),
            ],
            label_width=100,
            cell_width=60,
            cell_height=20,
            gap=4,
            header=20,
        )
        assert [row.y for row in grid.rows] == [20, 44]
        payments, atlas = grid.rows
        assert [(c.x, c.verdict, c.width) for c in payments.cells] == [
            (100, "merge", 56),
            (160, "split", 56),
        ]
        assert atlas.cells[0].verdict is None
        assert (grid.width, grid.height) == (228, 68)


class TestChange:
    @pytest.mark.parametrize(
        ("before", "after", "direction", "words"),
        [
            (35, 55, "up", "up 20, from 35 to 55"),
            (2, 1, "down", "down 1, from 2 to 1"),
            (4, 4, "same", "unchanged at 4"),
            (None, 4, "", "no change to show"),
            (4, None, "", "no change to show"),
        ],
    )
    def test_which_way_and_how_far(self, before, after, direction, words):
        change = Change(before, after)
        assert (change.direction, change.words) == (direction, words)

    def test_a_verdict_change_is_named(self):
        assert ProductTrend("Payments", ("keep", "merge", "split")).change == "Merge → Split"
        assert ProductTrend("Payments", ("split", "split")).change == ""
        assert ProductTrend("Payments", ("split",)).change == ""
        assert ProductTrend("Atlas", (None, "keep")).change == "— → Keep"
