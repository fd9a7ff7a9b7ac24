"""Chart geometry: plain numbers, no database, no browser."""

from advisor.charts import bar_chart, stacked_bar


class TestStackedBar:
    def test_segments_are_proportional_and_end_to_end(self):
        bar = stacked_bar(
            {"backlog": 55, "strategy": 10, "discovery": 5, "stakeholders": 20, "ceremonies": 10},
            width=400,
        )
        assert [(s.bucket, s.value, s.x, s.width) for s in bar.segments] == [
            ("backlog", 55, 0, 220),
            ("strategy", 10, 220, 40),
            ("discovery", 5, 260, 20),
            ("stakeholders", 20, 280, 80),
            ("ceremonies", 10, 360, 40),
        ]
        assert bar.total == 100

    def test_empty_buckets_draw_nothing_but_stay_in_the_legend(self):
        bar = stacked_bar({"backlog": 30, "other": 20}, width=200)
        assert [s.bucket for s in bar.segments] == ["backlog", "other"]
        assert bar.segments[1].x == 60
        assert bar.legend == (
            ("backlog", 30),
            ("strategy", 0),
            ("discovery", 0),
            ("stakeholders", 0),
            ("ceremonies", 0),
            ("other", 20),
        )
        assert bar.total == 50

    def test_the_limit_line_sits_at_its_share_of_the_width(self):
        assert stacked_bar({"backlog": 55}, limit=40, width=400).limit_x == 160
        assert stacked_bar({"backlog": 55}, limit=40, width=250).limit_x == 100

    def test_no_limit_draws_no_line(self):
        assert stacked_bar({"backlog": 55}).limit_x is None

    def test_unknown_shares_count_as_zero(self):
        bar = stacked_bar({"backlog": None, "strategy": 50}, width=100)
        assert [(s.bucket, s.x, s.width) for s in bar.segments] == [("strategy", 0, 50)]


class TestBarChart:
    def test_bar_widths_are_proportional_to_the_values(self):
        chart = bar_chart([("Dana", 2), ("Sam", 4), ("Ana", 1)], limit=3, plot_width=400)
        assert chart.scale_max == 4
        assert [b.width for b in chart.bars] == [200, 400, 100]

    def test_the_limit_line_is_at_the_limit_on_the_same_scale(self):
        chart = bar_chart([("Dana", 2), ("Sam", 4)], limit=3, label_width=160, plot_width=400)
        assert chart.limit_x == 160 + 300

    def test_the_scale_stretches_to_show_a_limit_above_every_bar(self):
        chart = bar_chart([("Dana", 1)], limit=4, label_width=100, plot_width=200)
        assert chart.scale_max == 4
        assert chart.bars[0].width == 50
        assert chart.limit_x == 300

    def test_bars_are_stacked_without_overlap(self):
        chart = bar_chart([(f"P{i}", i) for i in range(5)], bar_height=20, gap=8)
        assert [b.y for b in chart.bars] == [0, 28, 56, 84, 112]
        assert chart.plot_height == 140

    def test_zero_bars_do_not_divide_by_zero(self):
        chart = bar_chart([("Dana", 0)], plot_width=100)
        assert chart.bars[0].width == 0
        assert chart.limit_x is None
