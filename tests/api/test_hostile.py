"""Hostile input: every one is refused before any SQL runs, and the server keeps answering."""

from typing import Any

import pytest
import sqlalchemy as sa
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine

from api.settings import Settings
from tests.api.helpers import app_with, auth, claims, counter, signed, unsigned
from tests.conftest import StatementCounter, bearer

HEALTHY = "{ units(level: PROVINCE) { name } }"


async def accounts(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(sa.text("SELECT count(*) FROM account"))).scalar_one())


async def still_answers(client: AsyncClient, headers: dict[str, str] | None = None) -> None:
    response = await client.post("/graphql", json={"query": HEALTHY}, headers=headers or {})
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body and body["data"] == {"units": [{"name": "Tỉnh Hậu Giang"}]}


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body["errors"]]


# ---- tokens ---------------------------------------------------------------------------------

BAD_TOKENS = {
    "forged (another key)": lambda: signed(claims(), secret="not-the-secret-" + "x" * 30),
    "expired": lambda: signed(claims(exp=1_600_000_000)),
    "none-signed": lambda: unsigned(claims()),
    "other algorithm (HS512)": lambda: signed(claims(), algorithm="HS512"),
    "no exp": lambda: signed({"sub": "no-exp"}),
    "no sub": lambda: signed({k: v for k, v in claims().items() if k != "sub"}),
    "empty sub": lambda: signed(claims(sub="  ")),
    "garbage": lambda: "not.a.token",
    "signature cut off": lambda: signed(claims()).rsplit(".", 1)[0] + ".",
    "payload swapped": lambda: (
        signed(claims()).split(".")[0]
        + "."
        + signed(claims(sub="someone-else")).split(".")[1]
        + "."
        + signed(claims()).split(".")[2]
    ),
}


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")  # HS512 forgery
@pytest.mark.parametrize("kind", list(BAD_TOKENS))
async def test_bad_token_is_refused_before_sql(
    kind: str, client: AsyncClient, count_statements: StatementCounter, engine: AsyncEngine
) -> None:
    before = await accounts(engine)
    with count_statements:
        response = await client.post(
            "/graphql", json={"query": "{ me { sub } }"}, headers=auth(BAD_TOKENS[kind]())
        )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert "data" not in body  # never treated as anonymous
    assert codes(body) == ["UNAUTHENTICATED"]
    assert count_statements.count == 0
    assert await accounts(engine) == before
    await still_answers(client)


async def test_malformed_authorization_header(
    client: AsyncClient, count_statements: StatementCounter
) -> None:
    for header in ("Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "token abc", "bearer"):
        with count_statements:
            response = await client.post(
                "/graphql", json={"query": "{ me { sub } }"}, headers={"Authorization": header}
            )
        assert response.status_code == 401, header
        assert codes(response.json()) == ["UNAUTHENTICATED"]
    assert count_statements.count == 0


@pytest.mark.parametrize(
    ("token_claims", "accepted"),
    [
        ({"iss": "https://id.haugiang.gov.vn", "aud": "hdnd-api"}, True),
        ({"iss": "https://id.haugiang.gov.vn", "aud": "another-api"}, False),
        ({"iss": "https://evil.example", "aud": "hdnd-api"}, False),
        ({"aud": "hdnd-api"}, False),
        ({"iss": "https://id.haugiang.gov.vn"}, False),
    ],
    ids=["right", "wrong audience", "wrong issuer", "no issuer", "no audience"],
)
async def test_issuer_and_audience_are_checked_when_set(
    token_claims: dict[str, str], accepted: bool, db_url: str
) -> None:
    async with app_with(
        db_url, jwt_issuer="https://id.haugiang.gov.vn", jwt_audience="hdnd-api"
    ) as (application, http):
        token = signed(claims(sub="aud-test", **token_claims))
        with counter(application) as count:
            response = await http.post(
                "/graphql", json={"query": "{ me { sub role } }"}, headers=auth(token)
            )
        if accepted:
            assert response.status_code == 200
            body = response.json()
            assert "errors" not in body
            assert body["data"] == {"me": {"sub": "aud-test", "role": "CITIZEN"}}
        else:
            assert response.status_code == 401
            assert codes(response.json()) == ["UNAUTHENTICATED"]
            assert count.count == 0
            await still_answers(http)


# ---- documents ------------------------------------------------------------------------------


def nested(levels: int) -> str:
    """One delegate, then group/leader/group/... `levels` deep: the leaf `id` sits at depth
    `levels + 2` (the root field counts 0). Singular links, so the answer stays small."""
    opening = "".join("{ group " if i % 2 == 0 else "{ leader " for i in range(levels))
    return "{ delegates(first: 1) { nodes " + opening + "{ id }" + " }" * levels + " } }"


HOSTILE_DOCUMENTS = {
    "1,000 aliases": "{ " + " ".join(f"a{i}: __typename" for i in range(1000)) + " }",
    "31 aliases": "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }",
    "depth 50": nested(48),
    "depth 13": nested(11),
    "circular fragments": (
        "query { ...A } fragment A on Query { units { code } ...B } fragment B on Query { ...A }"
    ),
    "self-spread fragment": "query { ...A } fragment A on Query { ...A }",
    "5,001 tokens": "{ " + "__typename " * 5000 + "}",
    "first 101, literal": "{ delegates(first: 101) { totalCount } }",
    "first -1, literal": "{ sessions(first: -1) { totalCount } }",
    "syntax error": "{ units { code ",
    "unknown field": "{ nothingHere }",
}


@pytest.mark.parametrize("kind", list(HOSTILE_DOCUMENTS))
async def test_hostile_document_is_refused_before_sql(
    kind: str,
    client: AsyncClient,
    settings: Settings,
    count_statements: StatementCounter,
    engine: AsyncEngine,
) -> None:
    before = await accounts(engine)
    for headers in ({}, bearer(settings, "hostile-but-valid")):
        with count_statements:
            response = await client.post(
                "/graphql", json={"query": HOSTILE_DOCUMENTS[kind]}, headers=headers
            )
        assert response.status_code == 200  # application/json: errors travel in a 200 answer
        body = response.json()
        assert "data" not in body, "a request error has no `data`"
        assert set(codes(body)) <= {
            "GRAPHQL_VALIDATION_FAILED",
            "GRAPHQL_PARSE_FAILED",
            "BAD_USER_INPUT",
        }, body
        # Not even the signed-in account was read: the document failed first.
        assert count_statements.count == 0
        assert await accounts(engine) == before
    await still_answers(client, bearer(settings, "hostile-but-valid"))


async def test_limits_allow_what_the_contract_allows(
    client: AsyncClient, settings: Settings
) -> None:
    thirty = "{ " + " ".join(f"a{i}: __typename" for i in range(30)) + " }"
    for document in (thirty, nested(10), "{ delegates(first: 100) { totalCount } }"):
        response = await client.post("/graphql", json={"query": document})
        assert response.status_code == 200
        assert "errors" not in response.json(), (document, response.json())


async def test_first_through_a_variable_is_refused_before_sql(
    client: AsyncClient, count_statements: StatementCounter
) -> None:
    document = "query($n: Int) { delegates(first: $n) { totalCount } }"
    with count_statements:
        response = await client.post("/graphql", json={"query": document, "variables": {"n": 101}})
    body = response.json()
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "data" not in body
    assert count_statements.count == 0
    ok = await client.post("/graphql", json={"query": document, "variables": {"n": 2}})
    assert ok.json()["data"]["delegates"]["totalCount"] > 0


# ---- transport ------------------------------------------------------------------------------


async def test_two_mebibyte_body_is_413(
    client: AsyncClient, count_statements: StatementCounter
) -> None:
    padding = " " * (2 * 1024 * 1024)
    with count_statements:
        response = await client.post(
            "/graphql",
            content=('{"query": "' + padding + '{ __typename }"}').encode(),
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 413
    assert codes(response.json()) == ["PAYLOAD_TOO_LARGE"]
    assert count_statements.count == 0
    await still_answers(client)


async def test_body_without_length_is_still_limited(client: AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"query": "'
        for _ in range(40):
            yield b" " * 65536  # 2.5 MiB in all, streamed without Content-Length
        yield b'{ __typename }"}'

    response = await client.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        (
            "application/x-www-form-urlencoded",
            b"query=mutation+%7B+createApiKey%28name%3A%22x%22%29",
        ),
        (
            "multipart/form-data; boundary=x",
            b'--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{ __typename }\r\n--x--\r\n',
        ),
        ("text/plain", b'{"query": "{ __typename }"}'),
        ("application/graphql", b"{ __typename }"),
    ],
    ids=["form-encoded", "multipart", "text/plain", "application/graphql"],
)
async def test_post_takes_json_only(
    content_type: str, content: bytes, client: AsyncClient, count_statements: StatementCounter
) -> None:
    with count_statements:
        response = await client.post(
            "/graphql", content=content, headers={"Content-Type": content_type}
        )
    assert response.status_code == 415
    assert codes(response.json()) == ["UNSUPPORTED_MEDIA_TYPE"]
    assert count_statements.count == 0
    await still_answers(client)


async def test_batch_array_is_refused(
    client: AsyncClient, count_statements: StatementCounter
) -> None:
    with count_statements:
        response = await client.post(
            "/graphql", json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}]
        )
    assert response.status_code == 400
    assert codes(response.json()) == ["BATCH_NOT_SUPPORTED"]
    assert count_statements.count == 0
    await still_answers(client)


async def test_mutation_over_get_is_refused(
    client: AsyncClient, settings: Settings, count_statements: StatementCounter, engine: AsyncEngine
) -> None:
    async def keys() -> int:
        async with engine.connect() as connection:
            result = await connection.execute(sa.text("SELECT count(*) FROM api_key"))
            return int(result.scalar_one())

    before = await keys()
    with count_statements:
        response = await client.get(
            "/graphql",
            params={"query": 'mutation { createApiKey(name: "via-get") { key } }'},
            headers=bearer(settings, "get-mutation"),
        )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert codes(response.json()) == ["METHOD_NOT_ALLOWED"]
    assert count_statements.count == 0
    assert await keys() == before
    # A query over GET is fine.
    ok = await client.get("/graphql", params={"query": HEALTHY})
    assert ok.status_code == 200 and ok.json()["data"]["units"][0]["name"] == "Tỉnh Hậu Giang"


GRAPHQL_RESPONSE = {"Accept": "application/graphql-response+json"}


@pytest.mark.parametrize(
    ("document", "variables", "code"),
    [
        ("{ units { code ", None, "GRAPHQL_PARSE_FAILED"),
        ("{ nothingHere }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("query($n: Int) { delegates(first: $n) { totalCount } }", {"n": "ten"}, "BAD_USER_INPUT"),
        ("query($c: String!) { delegatesForUnit(code: $c) { id } }", {}, "BAD_USER_INPUT"),
    ],
    ids=["parse", "validation", "variable type", "missing variable"],
)
async def test_graphql_response_media_type_answers_400_without_data(
    document: str,
    variables: dict[str, Any] | None,
    code: str,
    client: AsyncClient,
    count_statements: StatementCounter,
) -> None:
    with count_statements:
        response = await client.post(
            "/graphql",
            json={"query": document, "variables": variables},
            headers=GRAPHQL_RESPONSE,
        )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    body = response.json()
    assert "data" not in body
    assert codes(body) == [code]
    assert count_statements.count == 0
    # The legacy media type keeps 200 for the same request error (the spec's SHOULD).
    legacy = await client.post("/graphql", json={"query": document, "variables": variables})
    assert legacy.status_code == 200 and "data" not in legacy.json()


async def test_graphql_response_media_type_keeps_200_for_field_errors(
    client: AsyncClient,
) -> None:
    response = await client.post(
        "/graphql",
        json={"query": '{ delegatesForUnit(code: "nope") { id } }'},
        headers=GRAPHQL_RESPONSE,
    )
    # Execution started: a field error is not a request error; `data` is present.
    assert response.status_code == 200
    body = response.json()
    assert "data" in body and codes(body) == ["BAD_USER_INPUT"]


async def test_field_suggestions_are_off_in_production(db_url: str) -> None:
    document = "{ unts { code } delegates(frist: 2) { totalCount } }"
    async with app_with(db_url, graphiql=True) as (_, http):
        dev = (await http.post("/graphql", json={"query": document})).json()
    assert any("Did you mean" in e["message"] for e in dev["errors"])
    async with app_with(db_url, graphiql=False) as (_, http):
        prod = (await http.post("/graphql", json={"query": document})).json()
        page = await http.get("/graphql", headers={"Accept": "text/html"})
    assert len(prod["errors"]) == len(dev["errors"])
    assert not any("Did you mean" in e["message"] for e in prod["errors"])
    assert page.status_code == 404


async def test_malformed_bodies_are_400(
    client: AsyncClient, count_statements: StatementCounter
) -> None:
    bodies = (
        b"123",
        b'"x"',
        b"null",
        b"{",
        b'{"query": 5}',
        b"{}",
        b'{"query": "{ a }", "variables": [1]}',
    )
    with count_statements:
        for body in bodies:
            response = await client.post(
                "/graphql", content=body, headers={"Content-Type": "application/json"}
            )
            assert response.status_code == 400, body
            assert codes(response.json()) == ["BAD_REQUEST"]
    assert count_statements.count == 0
    await still_answers(client)
