"""The one global id codec (schema/relay.py): every caller decoding an id of a known type goes
through `pk_of`, and each words its refusal from `not_an_id`."""

import base64

import pytest
from graphql import GraphQLError

from db.refused import Refusal, Refused
from schema.refusals import db_id
from schema.relay import (
    MAX_DATABASE_ID,
    from_global_id,
    not_an_id,
    optional_global_id,
    parse_global_id,
    pk_of,
    to_global_id,
)


def raw_id(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


NOT_A_SESSION = {
    "another type": to_global_id("Delegate", 7),
    "not base64": "%%%",
    "empty": "",
    "no pk": raw_id("Session:"),
    "no separator": raw_id("Session7"),
    "out of range": raw_id(f"Session:{MAX_DATABASE_ID + 1}"),
    "negative": raw_id("Session:-1"),
    "too long": "A" * 201,
}


def test_round_trip() -> None:
    gid = to_global_id("Session", 42)
    assert gid == raw_id("Session:42")
    assert parse_global_id(gid) == ("Session", 42)
    assert pk_of(gid, "Session") == 42
    assert pk_of(to_global_id("Session", MAX_DATABASE_ID), "Session") == MAX_DATABASE_ID


@pytest.mark.parametrize("kind", list(NOT_A_SESSION))
def test_anything_else_is_refused_by_every_caller(kind: str) -> None:
    value = NOT_A_SESSION[kind]
    assert pk_of(value, "Session") is None
    message = not_an_id(value, "Session")
    assert message == f"«{value}» không phải là mã Session hợp lệ."
    with pytest.raises(GraphQLError) as query_error:
        from_global_id(value, "Session", "sessionId")
    assert query_error.value.message == message
    assert query_error.value.extensions == {"code": "BAD_USER_INPUT", "field": "sessionId"}
    with pytest.raises(Refused) as refused:
        db_id(value, "Session", "input", "sessionId")
    assert refused.value.code is Refusal.INVALID_INPUT
    assert refused.value.message == message
    assert refused.value.field == ("input", "sessionId")


def test_optional() -> None:
    assert optional_global_id(None, "Session", "sessionId") is None
    assert optional_global_id(to_global_id("Session", 3), "Session", "sessionId") == 3
    with pytest.raises(GraphQLError):
        optional_global_id(to_global_id("Delegate", 3), "Session", "sessionId")
