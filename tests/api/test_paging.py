"""One page type and one links builder for every list the API serves."""

import pandas as pd
import pytest
from starlette.datastructures import URL, QueryParams

from api.paging import MAX_OFFSET, page_links, page_of
from geo.errors import QueryError

ROWS = pd.DataFrame({"n": range(12)})


def rels(links) -> dict[str, dict[str, str]]:
    """Each link's query parameters by its rel."""
    return {link["rel"]: dict(QueryParams(URL(link["href"]).query)) for link in links}


def test_pages_walk_forward_and_back_with_the_same_limit():
    url = URL("http://host/scores?province=bien+hai&limit=5&offset=5")
    page = page_of(ROWS, offset=5, limit=5)
    assert list(page.frame["n"]) == [5, 6, 7, 8, 9] and page.matched == 12
    links = rels(page_links(url, page))
    assert links["self"] == {"province": "bien hai", "limit": "5", "offset": "5"}
    assert links["next"] == {"province": "bien hai", "limit": "5", "offset": "10"}
    assert links["prev"] == {"province": "bien hai", "limit": "5", "offset": "0"}
    last = page_of(ROWS, offset=10, limit=5)
    assert last.returned == 2 and "next" not in rels(page_links(url, last))


def test_without_a_limit_one_page_holds_the_rest_and_prev_goes_to_the_start():
    page = page_of(ROWS, offset=4)
    assert page.returned == 8 and page.next_offset is None and page.prev_offset == 0
    links = page_links(URL("http://host/scores?offset=4"), page, media_type=None)
    assert rels(links)["prev"] == {"offset": "0"}
    assert all("type" not in link for link in links)


def test_an_offset_past_the_end_is_an_empty_page_or_an_error_naming_the_count():
    assert page_of(ROWS, offset=20, limit=5).returned == 0
    with pytest.raises(QueryError, match="offset was 20 but only 12 communes match"):
        page_of(ROWS, offset=20, past_end=False, what="communes")


@pytest.mark.parametrize(
    ("offset", "limit", "detail"),
    [
        (-1, 5, "offset is -1 but is expected to be 0-10,000,000"),
        (MAX_OFFSET + 1, 5, "offset is 10000001"),
        (0, 0, "limit was 0 but is expected to be 1 or more"),
    ],
)
def test_bad_offsets_and_limits_are_query_errors(offset, limit, detail):
    with pytest.raises(QueryError, match=detail):
        page_of(ROWS, offset=offset, limit=limit)
