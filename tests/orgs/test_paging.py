"""orgs.paging: any requested page number gives a page of the list, clamped to the pages there
are; the views of both apps use it."""

import pytest
from django.http import QueryDict
from django.template import RequestContext, Template
from django.test import RequestFactory

from orgs.models import Product
from orgs.paging import (
    PAGES_AT_MOST,
    id_from_text,
    page_fetched,
    page_from,
    page_number,
    page_of,
    page_query,
)
from tests.factories import ProductFactory

LETTERS = list("abcdefghijklmnopqrstuvwxy")  # 25 items: pages of 10, 10 and 5


class TestPageNumber:
    @pytest.mark.parametrize(
        ("requested", "expected"),
        [
            (None, 1),
            ("", 1),
            ("2", 2),
            (" 2 ", 2),
            ("002", 2),
            (2, 2),
            ("3", 3),
            ("4", 3),
            (99, 3),
            ("0", 1),
            (0, 1),
            ("-2", 1),
            (-2, 1),
            ("2.0", 1),
            ("+2", 1),
            ("2_0", 1),
            ("two", 1),
            ("\N{ARABIC-INDIC DIGIT TWO}", 1),
            ("\N{SUPERSCRIPT TWO}", 1),
            ("9" * 5000, 3),
            ("0" * 5000 + "2", 2),
        ],
    )
    def test_a_requested_number_is_clamped_to_the_pages_there_are(self, requested, expected):
        assert page_number(requested, 3) == expected


class TestPageFetched:
    """A list read a page at a time, each read counting the whole list too."""

    def fetcher(self, items: list[str], asked: list[tuple[int, int]]):
        def fetch(offset: int, limit: int) -> tuple[list[str], int | None]:
            asked.append((offset, limit))
            page = items[offset : offset + limit]
            return page, (len(items) if page else None)

        return fetch

    def test_one_fetch_for_a_page_there_is(self):
        asked = []
        page = page_fetched(self.fetcher(LETTERS, asked), "2", per_page=10)
        assert (page.number, list(page), asked) == (2, LETTERS[10:20], [(10, 10)])
        assert (page.start_index(), page.end_index(), page.paginator.num_pages) == (11, 20, 3)

    @pytest.mark.parametrize("requested", [None, "", "0", "-1", "x", "1"])
    def test_not_a_number_or_below_one_is_the_first_page(self, requested):
        asked = []
        page = page_fetched(self.fetcher(LETTERS, asked), requested, per_page=10)
        assert (page.number, list(page), asked) == (1, LETTERS[:10], [(0, 10)])

    @pytest.mark.parametrize("requested", ["4", "9" * 5000])
    def test_past_the_end_is_the_last_page_after_counting_on_the_first(self, requested):
        asked = []
        page = page_fetched(self.fetcher(LETTERS, asked), requested, per_page=10)
        assert (page.number, list(page), page.paginator.count) == (3, LETTERS[20:], 25)
        assert asked[1:] == [(0, 10), (20, 10)]

    def test_past_the_end_of_a_one_page_list_fetches_the_first_page_once_more(self):
        asked = []
        page = page_fetched(self.fetcher(LETTERS[:4], asked), "3", per_page=10)
        assert (page.number, list(page), asked) == (1, LETTERS[:4], [(20, 10), (0, 10)])

    @pytest.mark.parametrize("requested", ["1", "5"])
    def test_nothing_to_list_is_one_empty_page(self, requested):
        page = page_fetched(self.fetcher([], []), requested, per_page=10)
        assert (page.number, page.paginator.num_pages, page.paginator.count, list(page)) == (
            1,
            1,
            0,
            [],
        )


class TestPageOf:
    def test_the_page_asked_for_with_its_items(self):
        page = page_of(LETTERS, "2", per_page=10)
        assert (page.number, list(page)) == (2, LETTERS[10:20])

    def test_past_the_end_is_the_last_page_and_not_a_number_the_first(self):
        assert list(page_of(LETTERS, "7", per_page=10)) == LETTERS[20:]
        assert list(page_of(LETTERS, "x", per_page=10)) == LETTERS[:10]

    def test_an_empty_list_has_one_empty_page(self):
        page = page_of([], "5", per_page=10)
        assert (page.number, page.paginator.num_pages, list(page)) == (1, 1, [])

    @pytest.mark.django_db
    def test_a_queryset_is_counted_once_and_only_the_page_is_fetched(
        self, django_assert_num_queries
    ):
        for name in ["Ava", "Bea", "Cy"]:
            ProductFactory(name=name)
        with django_assert_num_queries(2):
            page = page_of(Product.objects.order_by("name"), "9", per_page=2)
            names = [p.name for p in page]
        assert (page.number, names) == (2, ["Cy"])

    def test_page_from_reads_the_named_query_parameter(self):
        request = RequestFactory().get("/", {"page": "3", "people_page": "2"})
        assert page_from(request, LETTERS, per_page=10).number == 3
        assert page_from(request, LETTERS, per_page=10, param="people_page").number == 2
        assert page_from(request, LETTERS, per_page=10, param="squads_page").number == 1


class TestPaginationInclude:
    def render(self, source: str, query: dict, **context) -> str:
        request = RequestFactory().get("/", query)
        html = Template(source).render(RequestContext(request, context))
        return " ".join(html.split())

    def test_plain_links_keep_the_other_lists_pages_and_scroll_to_the_anchor(self):
        html = self.render(
            '{% include "includes/pagination.html" with pages=pages param="people_page" '
            'noun="people" anchor="people" only %}',
            {"page": "2", "people_page": "2"},
            pages=page_of(LETTERS, "2", per_page=10),
        )
        hidden = '<span class="visually-hidden"> people</span>'
        assert html == (
            '<nav class="pagination" aria-label="Pages of people"> '
            '<a class="button small" rel="prev" href="?page=2&amp;people_page=1#people">'
            f"Previous{hidden}</a> "
            '<span aria-current="page">Page 2 of 3</span> '
            '<a class="button small" rel="next" href="?page=2&amp;people_page=3#people">'
            f"Next{hidden}</a> </nav>"
        )

    def test_the_advisors_include_passes_only_its_four_variables(self):
        html = self.render(
            '{% include "advisor/_pagination.html" %}',
            {},
            pages=page_of(LETTERS, "1", per_page=10),
            param="page",
            noun="squads",
            anchor="squads",
            hx_target="#somewhere",
            next_label="Onwards",
        )
        assert 'href="?page=2#squads">Next<span class="visually-hidden"> squads</span>' in html
        assert "hx-get" not in html

    def test_a_single_page_has_no_links(self):
        html = self.render(
            '{% include "includes/pagination.html" with pages=pages param="page" noun="x" only %}',
            {},
            pages=page_of(LETTERS[:3], None, per_page=10),
        )
        assert html == ""


class TestPageQuery:
    def test_keeps_the_page_numbers_read_in_the_querys_order_and_nothing_else(self):
        query = QueryDict("people_page=2&utm=mail&page=003&products_page=x&other=1")

        kept = page_query(query, ["page", "people_page", "products_page"])

        assert kept.urlencode() == "people_page=2&page=3"

    def test_a_number_past_any_list_stays_past_the_end_without_its_digits(self):
        kept = page_query(QueryDict("page=" + "9" * 5000), ["page"])

        assert kept["page"] == str(PAGES_AT_MOST)
        assert page_number(kept["page"], num_pages=7) == 7

    def test_what_is_not_a_page_number_is_left_out_so_the_first_page_shows(self):
        kept = page_query(QueryDict("page=-2&people_page=%C2%B2"), ["page", "people_page"])

        assert kept.urlencode() == ""


@pytest.mark.parametrize(
    ("text", "row_id"),
    [
        ("7", 7),
        ("007", 7),
        ("0" * 5000 + "7", 7),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),
        ("9" * 5000, None),
        ("0", None),
        ("", None),
        (None, None),
        (" 7", None),
        ("+7", None),
        ("1_0", None),
        ("²", None),
        ("\N{ARABIC-INDIC DIGIT SEVEN}", None),
    ],
)
def test_an_id_from_text_is_ascii_digits_and_fits_a_64_bit_column(text, row_id):
    assert id_from_text(text) == row_id
