"""One page of a list, from the page number a request asks for, for the pages of both apps.

Any requested number gives a page: anything that is not a whole number, and any number below
1, gives the first page; a number past the end gives the last. Every list link is shared and
bookmarked, so an old or hand-edited link shows what is there now rather than a 404.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

# A number with more digits than this is past the end of any list; it is not converted, so a
# parameter of thousands of digits costs nothing (and never meets int()'s digit limit).
MAX_DIGITS = 18


# The largest id a row can have: a 64-bit integer column's largest value.
LARGEST_ID = 2**63 - 1


def id_from_text(text: str | None) -> int | None:
    """A row's id as a query parameter or a form gives it: ASCII digits and nothing else
    (int() would also read " 3", "+3", "1_0" and other scripts' digits) making 1 to
    LARGEST_ID, else None, so that no query runs on it (a number past 64 bits fails in the
    database) and nothing of it is echoed."""
    if text is None or not (text.isascii() and text.isdigit()):
        return None
    # Converted without its leading zeros: int() refuses more than 4,300 digits.
    digits = text.lstrip("0")
    if not digits or len(digits) > MAX_DIGITS + 1:
        return None
    value = int(digits)
    return value if value <= LARGEST_ID else None


def page_number(requested: Any, num_pages: int) -> int:
    """The page to show for a requested number (a query parameter's text, an int or None)."""
    if isinstance(requested, int):
        return min(max(requested, 1), num_pages)
    text = "" if requested is None else str(requested).strip()
    # A sign, a decimal point or any other character is not a page number; isascii() keeps
    # out the other scripts' digits and the superscripts that isdigit() admits.
    if not (text.isascii() and text.isdigit()):
        return 1
    digits = text.lstrip("0") or "0"
    if len(digits) > MAX_DIGITS:
        return num_pages
    return min(max(int(digits), 1), num_pages)


def page_of(object_list: QuerySet | Sequence, requested: Any, *, per_page: int) -> Page:
    """The page of `object_list` the requested number asks for, clamped to the pages there are
    (a queryset is counted once and only the page's rows are fetched)."""
    paginator = Paginator(object_list, per_page)
    return paginator.page(page_number(requested, paginator.num_pages))


def page_from(
    request: HttpRequest, object_list: QuerySet | Sequence, *, per_page: int, param: str = "page"
) -> Page:
    """The page of `object_list` that the request's `param` query parameter asks for."""
    return page_of(object_list, request.GET.get(param), per_page=per_page)


# Past any list's last page: a requested number is clamped to it before the first query,
# which does not know how many pages there are.
PAGES_AT_MOST = 10**9


def page_fetched(
    fetch: Callable[[int, int], tuple[list[Any], int | None]], requested: Any, *, per_page: int
) -> Page:
    """The page the requested number asks for, clamped like page_of, of a list read a page
    at a time together with its size: `fetch(offset, limit)` gives the page's items and
    how many items the list has, or None for the count when it found no item. One fetch,
    or, for a number past the end, two more: the first page to count, then the last."""
    number = page_number(requested, PAGES_AT_MOST)
    items, count = fetch((number - 1) * per_page, per_page)
    if count is None and number > 1:
        items, count = fetch(0, per_page)
        number = page_number(number, max(1, -(-(count or 0) // per_page)))
        if number > 1:
            items, count = fetch((number - 1) * per_page, per_page)
    paginator = Paginator((), per_page)
    paginator.count = count or 0
    return Page(items, number, paginator)


def page_query(query: QueryDict, names: Iterable[str]) -> QueryDict:
    """The page numbers of `query` that a page reads (`names`), in the query's order, and
    nothing else: what a page whose HTML is kept is keyed on and rendered from, so a made-up
    parameter makes no other entry and never gets into its links. Each number is written as
    page_number reads it (a value that is not a number is left out: the first page; one of
    more than MAX_DIGITS digits becomes PAGES_AT_MOST: the last page)."""
    wanted = set(names)
    kept = QueryDict(mutable=True)
    for name, value in query.items():
        text = value.strip()
        if name not in wanted or not (text.isascii() and text.isdigit()):
            continue
        digits = text.lstrip("0") or "0"
        kept[name] = digits if len(digits) <= MAX_DIGITS else str(PAGES_AT_MOST)
    return kept
