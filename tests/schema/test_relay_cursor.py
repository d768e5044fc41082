"""Cursors: a sort key goes in and comes out with exactly its types; anything else is refused
as a bad `after` (never reaches SQL, where it would fail the query)."""

from datetime import UTC, date, datetime

import pytest
from graphql import GraphQLError

from schema.relay import decode_cursor, encode_cursor


@pytest.mark.parametrize(
    ("key", "types"),
    [
        (("Nguyễn Văn A", 3), (str, int)),
        ((datetime(2026, 9, 16, 8, 30, tzinfo=UTC), 12), (datetime, int)),
        ((date(2026, 9, 16), 2), (date, int)),
    ],
)
def test_round_trip(key: tuple[object, ...], types: tuple[type, ...]) -> None:
    assert decode_cursor(encode_cursor(key), types) == key


@pytest.mark.parametrize(
    ("key", "types"),
    [
        (("h", True), (str, int)),  # true is an int to Python, not to PostgreSQL
        ((datetime(2026, 9, 16, 12, tzinfo=UTC), 2), (date, int)),  # an instant for a day
        ((date(2026, 9, 16), 2), (datetime, int)),
        (("h",), (str, int)),
        ((3, "h"), (str, int)),
    ],
)
def test_refused(key: tuple[object, ...], types: tuple[type, ...]) -> None:
    with pytest.raises(GraphQLError) as refused:
        decode_cursor(encode_cursor(key), types)
    assert refused.value.extensions == {"code": "BAD_USER_INPUT", "field": "after"}


def test_not_a_cursor() -> None:
    with pytest.raises(GraphQLError):
        decode_cursor("bogus!", (str, int))
    assert decode_cursor(None, (str, int)) is None
