"""The favorites list query: paging, a known county, a bounded keyword."""

import pytest

from common import errors
from common.validation import load
from contracts.favorites import FavoritePostingsQuery


def test_defaults_and_values():
    assert load(FavoritePostingsQuery(), {}) == {"page": 1, "page_size": 20}
    assert load(FavoritePostingsQuery(), {"county": "140106", "q": "会计", "page": "2", "page_size": "50"}) == {
        "county": "140106",
        "q": "会计",
        "page": 2,
        "page_size": 50,
    }


@pytest.mark.parametrize(
    "query, field",
    [
        ({"county": "999999"}, "county"),
        ({"q": "长" * 51}, "q"),
        ({"page": "0"}, "page"),
        ({"page_size": "101"}, "page_size"),
        ({"page_size": "x"}, "page_size"),
        ({"city": "140100"}, "city"),
    ],
)
def test_bad_queries_name_the_field(query, field):
    with pytest.raises(errors.InvalidInput) as caught:
        load(FavoritePostingsQuery(), query)
    assert field in caught.value.details
