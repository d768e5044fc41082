"""Query cost: priced from the document before execution, refused over the budget before any
SQL, reported in `extensions.cost` on every answer; limits that stop validation early."""

from typing import Any

import pytest
from graphql import parse
from httpx import AsyncClient

from api.settings import Settings
from schema import schema
from schema.cost import (
    COUNT_WEIGHT,
    DEFAULT_MAX_COST,
    SEARCH_WEIGHT,
    document_cost,
    undeclared_lists,
)
from schema.limits import MAX_FIELDS
from schema.query_cost import Remembered, remembered_cost
from tests.api.helpers import app_with, counter
from tests.conftest import StatementCounter, bearer

# The issue's fan-out: legal under depth (12) and aliases, but hundreds of thousands of objects.
FAN_OUT = (
    "{ delegateGroups { members { group { members { group { members { group { members { group {"
    " members { group { members { id } } } } } } } } } } } } }"
)
FAN_OUT_30 = "{ " + " ".join(f"a{i}: " + FAN_OUT[2:-2] for i in range(30)) + " }"


def cost_of(document: str, variables: dict[str, Any] | None = None) -> int:
    return document_cost(schema._schema, parse(document), variables)


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def test_every_list_declares_its_size() -> None:
    assert undeclared_lists(schema._schema) == []


def test_the_sdl_carries_the_declarations() -> None:
    sdl = schema.as_str()
    assert "directive @listSize(" in sdl and "directive @cost(" in sdl
    assert (
        '@listSize(assumedSize: 20, slicingArguments: ["first"], sizedFields: ["edges", "nodes"])'
        in sdl
    )
    assert f"@cost(weight: {SEARCH_WEIGHT})" in sdl


def test_cost_counts_objects_the_answer_can_hold() -> None:
    # A plain list: its declared size times (the item + what the item holds).
    assert cost_of("{ delegateGroups { name } }") == 50
    assert cost_of("{ delegateGroups { name leader { fullName } } }") == 50 * 2
    # A connection: itself, then `first` edges each holding a node; scalars are free.
    assert cost_of("{ delegates(first: 5) { edges { cursor node { id } } } }") == 1 + 5 * 2
    assert cost_of("{ delegates { nodes { id } pageInfo { hasNextPage } } }") == 1 + 20 + 1
    # `first` through a variable, and its default when the variable is not given.
    query = "query($n: Int = 7) { delegates(first: $n) { nodes { id } } }"
    assert cost_of(query, {"n": 3}) == 1 + 3
    assert cost_of(query) == 1 + 7
    # A count and a search carry their weights.
    assert cost_of("{ delegates(first: 0) { totalCount } }") == 1 + COUNT_WEIGHT
    searched = '{ petitions(first: 1, filter: { search: "đường" }) { nodes { id } } }'
    assert cost_of(searched) == 1 + 1 + SEARCH_WEIGHT
    by_variable = "query($f: PetitionFilter) { petitions(first: 1, filter: $f) { nodes { id } } }"
    assert cost_of(by_variable, {"f": {"search": "x"}}) == 1 + 1 + SEARCH_WEIGHT
    assert cost_of(by_variable, {"f": {"search": None}}) == 1 + 1
    # Aliases add up: each is another answer.
    assert cost_of("{ a: delegateGroups { name } b: delegateGroups { name } }") == 100


def test_fragments_cost_what_they_would_inline() -> None:
    inline = "{ delegates(first: 10) { nodes { fullName group { name } committees { name } } } }"
    spread = (
        "query { delegates(first: 10) { nodes { ...D } } } "
        "fragment D on Delegate { fullName group { name } ... on Delegate { committees { name } } }"
    )
    assert cost_of(spread) == cost_of(inline) == 1 + 10 * (1 + 1 + 5)


def test_fragments_spread_many_times_are_priced_without_walking_every_path() -> None:
    # Each level spreads the next twice: 2^10 paths, priced once per fragment and type.
    levels = 10
    fragments = " ".join(
        f"fragment F{i} on DelegateGroup {{ members {{ a: group {{ ...F{i + 1} }} b: group {{ ...F{i + 1} }} }} }}"
        for i in range(levels)
    )
    document = f"{{ delegateGroups {{ ...F0 }} }} {fragments} fragment F{levels} on DelegateGroup {{ name }}"
    assert cost_of(document) > 10**15


async def test_fan_out_is_refused_before_any_sql(
    client: AsyncClient, settings: Settings, count_statements: StatementCounter
) -> None:
    for document in (FAN_OUT, FAN_OUT_30):
        for headers in ({}, bearer(settings, "fan-out")):
            with count_statements:
                response = await client.post("/graphql", json={"query": document}, headers=headers)
            body = response.json()
            assert codes(body) == ["QUERY_TOO_COMPLEX"], body
            assert "data" not in body
            error = body["errors"][0]
            assert error["extensions"]["cost"] > DEFAULT_MAX_COST
            assert error["extensions"]["maxCost"] == DEFAULT_MAX_COST
            assert "vượt giới hạn" in error["message"]
            assert body["extensions"]["cost"]["requested"] == error["extensions"]["cost"]
            # Neither the document's SQL nor the signed-in account's row.
            assert count_statements.count == 0


async def test_thirty_aliased_searches_are_refused_before_any_sql(
    client: AsyncClient, count_statements: StatementCounter
) -> None:
    searches = " ".join(
        f'a{i}: petitions(filter: {{ search: "x" }}) {{ totalCount }}' for i in range(30)
    )
    with count_statements:
        body = (await client.post("/graphql", json={"query": "{ " + searches + " }"})).json()
    assert codes(body) == ["QUERY_TOO_COMPLEX"]
    assert count_statements.count == 0
    # A few searches in one request are fine.
    few = " ".join(f'a{i}: petitions(filter: {{ search: "x" }}) {{ totalCount }}' for i in range(3))
    body = (await client.post("/graphql", json={"query": "{ " + few + " }"})).json()
    assert "errors" not in body, body


async def test_every_answer_reports_its_cost(client: AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ delegateGroups { name } }"})
    body = response.json()
    assert len(body["data"]["delegateGroups"]) == 8
    assert body["extensions"]["cost"] == {"requested": 50, "limit": DEFAULT_MAX_COST}
    mutation = (
        'mutation { submitPetition(input: { title: "t", content: "c", category: OTHER, '
        'communeCode: "31318" }) { petition { id } userErrors { code } } }'
    )
    body = (await client.post("/graphql", json={"query": mutation})).json()
    assert body["extensions"]["cost"]["requested"] == 1 + 1 + 20


async def test_budget_is_the_setting(db_url: str) -> None:
    async with app_with(db_url, max_query_cost=60) as (application, http):
        small = await http.post("/graphql", json={"query": "{ delegateGroups { name } }"})
        assert small.json()["extensions"]["cost"] == {"requested": 50, "limit": 60}
        with counter(application) as count:
            big = await http.post(
                "/graphql", json={"query": "{ delegateGroups { name leader { id } } }"}
            )
        assert codes(big.json()) == ["QUERY_TOO_COMPLEX"]
        assert count.count == 0


async def test_too_many_fields_are_refused_before_validation(
    client: AsyncClient, count_statements: StatementCounter
) -> None:
    repeated = "{ " + "__typename " * (MAX_FIELDS + 1) + "}"
    with count_statements:
        body = (await client.post("/graphql", json={"query": repeated})).json()
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "quá nhiều trường" in body["errors"][0]["message"]
    assert count_statements.count == 0
    allowed = "{ " + "__typename " * MAX_FIELDS + "}"
    assert "errors" not in (await client.post("/graphql", json={"query": allowed})).json()


async def test_validation_stops_at_the_first_limit(client: AsyncClient) -> None:
    # Too deep, too many aliases, `first` too large and an unknown field: one error, the first.
    deep = (
        "d: delegates(first: 1) { nodes " + "{ group { leader " * 6 + "{ id }" + " } }" * 6 + " }"
    )
    aliases = " ".join(f"a{i}: __typename" for i in range(31))
    document = (
        "{ " + deep + " " + aliases + " x: delegates(first: 500) { totalCount } nothingHere }"
    )
    body = (await client.post("/graphql", json={"query": document})).json()
    assert len(body["errors"]) == 1, body
    assert "depth" in body["errors"][0]["message"]


async def test_documented_screens_fit_the_budget(client: AsyncClient, settings: Settings) -> None:
    """The queries docs/identity.md prices for App Hậu Giang's screens run under the default."""
    for document, most in SCREENS:
        cost = cost_of(document)
        assert cost <= most <= DEFAULT_MAX_COST, (document, cost)
        body = (
            await client.post(
                "/graphql", json={"query": document}, headers=bearer(settings, "screens")
            )
        ).json()
        assert "QUERY_TOO_COMPLEX" not in codes(body), body
        assert body["extensions"]["cost"]["requested"] == cost


SCREENS = [
    # Directory: a page of 100 delegates with group, constituency and committees.
    (
        "{ delegates(first: 100) { totalCount edges { cursor node { id fullName title photoUrl "
        "group { name } constituency { name } committees { name } } } "
        "pageInfo { endCursor hasNextPage } } }",
        1_000,
    ),
    # Groups with their areas and member counts (the README's first query).
    ("{ delegateGroups { name areas { name } memberCount } }", 2_600),
    # A petitions page with commune, group, delegate and timeline.
    (
        "{ petitions(first: 20) { totalCount nodes { id trackingCode title status supportCount "
        "commune { name } group { name } delegate { fullName } timeline { at status } } } }",
        600,
    ),
    # A search of petitions, 20 a page.
    (
        '{ petitions(first: 20, filter: { search: "sạt lở" }) { totalCount nodes { id title } } }',
        1_100,
    ),
    # A session's compliance.
    (
        "{ sessions(first: 5) { nodes { title compliance { delegateCount compliantCount "
        "groups { group { name } compliantCount } } } } }",
        1_000,
    ),
]


@pytest.mark.parametrize("first", [None, 100])
def test_a_full_page_fits_many_times(first: int | None) -> None:
    page = "delegates{args} {{ nodes {{ id group {{ name }} committees {{ name }} }} }}".format(
        args="" if first is None else f"(first: {first})"
    )
    assert cost_of("{ " + page + " }") * 5 <= DEFAULT_MAX_COST


# ---- refusals are remembered by the document's text (cheap to repeat) ---------------------------

BY_FIRST = (
    "query($n: Int, $f: PetitionFilter) { petitions(first: $n, filter: $f) { nodes { id } } }"
)


def test_a_remembered_price_is_the_price_for_those_variables() -> None:
    document = parse(BY_FIRST)
    # In any order, twice each: the same text with other variables is priced for them.
    cases: list[tuple[dict[str, Any], int]] = [
        ({"n": 5}, 1 + 5),
        ({"n": 50}, 1 + 50),
        ({"n": 5, "f": {"search": "đường"}}, 1 + 5 + SEARCH_WEIGHT),
        ({"n": 5, "f": {"search": "sạt lở"}}, 1 + 5 + SEARCH_WEIGHT),
        ({"n": 5, "f": {"search": None}}, 1 + 5),
        ({"n": "5"}, 1 + 20),  # not an integer: the declared size (validation refuses it later)
        ({}, 1 + 20),
    ]
    for variables, price in cases * 2:
        assert remembered_cost(schema._schema, BY_FIRST, document, variables) == price
        assert cost_of(BY_FIRST, variables) == price


def test_a_remembered_price_is_per_operation() -> None:
    text = (
        "query Small { delegateGroups { name } } "
        "query Big { delegateGroups { name leader { id } } }"
    )
    document = parse(text)
    for _ in range(2):
        assert remembered_cost(schema._schema, text, document, None, "Small") == 50
        assert remembered_cost(schema._schema, text, document, None, "Big") == 100


async def test_a_repeated_document_is_refused_or_answered_for_its_variables(db_url: str) -> None:
    query = "query($n: Int) { delegates(first: $n) { nodes { id } } }"
    async with app_with(db_url, max_query_cost=60) as (application, http):
        for n, refused in [(50, False), (100, True), (50, False), (100, True)]:
            with counter(application) as count:
                response = await http.post("/graphql", json={"query": query, "variables": {"n": n}})
            body = response.json()
            if refused:
                assert codes(body) == ["QUERY_TOO_COMPLEX"], body
                assert body["errors"][0]["extensions"]["cost"] == 1 + n
                assert "data" not in body
                assert count.count == 0
            else:
                assert "errors" not in body, body
                assert len(body["data"]["delegates"]["nodes"]) == n
            assert body["extensions"]["cost"] == {"requested": 1 + n, "limit": 60}


async def test_a_repeated_refusal_says_the_same_without_sql(
    client: AsyncClient, count_statements: StatementCounter
) -> None:
    deep = (
        "{ delegates(first: 1) { nodes " + "{ group { leader " * 6 + "{ id }" + " } }" * 6 + " } }"
    )
    bodies = []
    for document in (deep, FAN_OUT_30, deep, FAN_OUT_30):
        with count_statements:
            bodies.append((await client.post("/graphql", json={"query": document})).json())
        assert count_statements.count == 0
    assert bodies[0] == bodies[2] and bodies[1] == bodies[3]
    assert codes(bodies[0]) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "depth" in bodies[0]["errors"][0]["message"]
    assert codes(bodies[1]) == ["QUERY_TOO_COMPLEX"]


def test_remembered_keeps_the_most_recent() -> None:
    kept: Remembered[str, int] = Remembered(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" is now the most recent
    kept.put("c", 3)
    assert (kept.get("a"), kept.get("b"), kept.get("c")) == (1, None, 3)
