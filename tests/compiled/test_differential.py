"""Both paths, the same JSON: every query of the corpus (the suite's read documents, the docs'
examples, the benchmark's) and hypothesis-generated documents, for every kind of viewer, on
the demo data. The resolvers are the reference."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio
from graphql import parse

from schema.compiled.execution import PLANS
from schema.relay import to_global_id
from tests.compiled.corpus import GENERATED, corpus, generated
from tests.compiled.world import VIEWERS, DemoWorld, demo_world, first_difference, same
from tests.conftest import StatementCounter


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(server_url: str, template_db: str) -> AsyncIterator[DemoWorld]:
    async for made in demo_world(server_url, template_db):
        yield made


# Clock readings of uncovered fields (the export's own time) differ between two requests.
CLOCKS = ("exportedAt",)


def without_clocks(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: None if k in CLOCKS else without_clocks(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_clocks(v) for v in value]
    return value


async def compare(
    world: DemoWorld,
    query: str,
    variables: dict[str, Any] | None,
    viewers: tuple[str, ...] = VIEWERS,
) -> list[str]:
    failures = []
    for viewer in viewers:
        (s1, compiled), (s2, reference) = await world.both(query, variables, viewer)
        compiled, reference = without_clocks(compiled), without_clocks(reference)
        if s1 != s2 or not same(compiled, reference):
            where = first_difference(compiled, reference)
            failures.append(f"{viewer}: HTTP {s1}/{s2} {where}")
    return failures


@pytest.mark.parametrize("case", range(len(corpus())))
async def test_corpus(world: DemoWorld, case: int) -> None:
    name, query, variables = corpus(world)[case]
    failures = await compare(world, query, variables)
    assert not failures, f"{name}:\n{query}\n{variables}\n" + "\n".join(failures)


async def test_compiled_path_answers(world: DemoWorld) -> None:
    """The covered reads do compile: their answer comes from one statement rendering JSON."""
    query = "{ delegateGroups { name memberCount areas { name } } }"
    with StatementCounter(world.compiled_app.state.engine) as counter:
        (status, body), _ = await world.both(query, None, "anonymous")
    assert status == 200 and len(body["data"]["delegateGroups"]) == 8
    assert [s for s in counter.statements if "json_build_object" in s], counter.statements


BATCH = 10


@pytest.mark.parametrize("batch", range(GENERATED // BATCH))
async def test_generated(world: DemoWorld, batch: int) -> None:
    """hypothesis-graphql's documents over the covered root fields, in batches; each document
    for three kinds of viewer, taken in turn so every kind meets a share of them."""
    documents = generated()
    assert len(documents) >= GENERATED * 0.9, "the fixed seed should give nearly every case"
    failures = []
    for i in range(batch * BATCH, min((batch + 1) * BATCH, len(documents))):
        viewers = tuple(VIEWERS[(i + step) % len(VIEWERS)] for step in (0, 3, 7))
        found = await compare(world, documents[i], None, viewers)
        document = documents[i]
        if found:
            failures.append(document + "\n" + "\n".join(found))
    assert not failures, "\n\n".join(failures)


Vars = Callable[[DemoWorld], dict[str, Any] | None]


def _no_variables(world: DemoWorld) -> None:
    return None


# name: (document, its variables, viewer); each root field of the document is covered.
HOT_READS: dict[str, tuple[str, Vars, str]] = {
    "Q1": (
        "query($first: Int) { delegates(first: $first) { totalCount edges { cursor node { id "
        "fullName title workplace isFullTime servedFrom group { id name } constituency { id "
        "number name } committees { id name kind } } } } }",
        lambda w: {"first": 50},
        "anonymous",
    ),
    "Q2": (
        "{ petitions(first: 20, filter: { status: ANSWERED }) { edges { cursor node { id title "
        "status submittedAt commune { name } group { name } } } } }",
        _no_variables,
        "anonymous",
    ),
    "Q3": ("{ delegateGroups { name memberCount areas { name } } }", _no_variables, "anonymous"),
    "tracking": (
        "query($c: String!) { petitionByTrackingCode(code: $c) { status timeline { at status } } }",
        lambda w: {"c": w.tracking_codes[0]},
        "anonymous",
    ),
    "inbox": (
        "{ inbox(first: 20) { totalCount nodes { id title status } } }",
        _no_variables,
        "delegate",
    ),
    "delegatesForUnit": (
        '{ delegatesForUnit(code: "930") { id fullName group { name } constituency { name } } }',
        _no_variables,
        "anonymous",
    ),
    "node": (
        "query($id: ID!) { node(id: $id) { __typename ... on Delegate { fullName "
        "contributions(first: 3) { totalCount nodes { topic session { number } } } } } }",
        lambda w: {"id": to_global_id("Delegate", w.delegate_id)},
        "citizen",
    ),
    "sessions": (
        "query($first: Int) { sessions { totalCount nodes { number title status term agenda { "
        "title } contributions(first: $first) { totalCount pageInfo { hasNextPage endCursor } "
        "nodes { kind topic delegate { fullName } petitions { id } } } } } }",
        lambda w: {"first": 5},
        "anonymous",
    ),
    "sessionCompliance": (
        "query($s: ID!) { sessionCompliance(sessionId: $s) { delegateCount compliantCount "
        "notYetCount excusedCount delegates { status excuseReason delegate { fullName } } "
        "groups { compliantCount group { name } } } }",
        lambda w: {"s": to_global_id("Session", w.sessions["IN_PROGRESS"])},
        "monitor",
    ),
    "sessions and their compliance": (
        "{ sessions(first: 5) { nodes { number compliance { compliantCount delegates { status "
        "excuseReason } } } } }",
        _no_variables,
        "delegate",
    ),
    "two roots": (
        '{ sessions { nodes { number } } delegatesForUnit(code: "39999") { fullName } }',
        _no_variables,
        "staff",
    ),
}


@pytest.mark.parametrize("name", sorted(HOT_READS))
async def test_one_statement_per_read(world: DemoWorld, name: str) -> None:
    """A covered read costs one statement per root field for the answer, plus the account
    read when signed in; repeating it makes no new plan."""
    query, variables_of, viewer = HOT_READS[name]
    variables = variables_of(world)
    roots = len(parse(query).definitions[0].selection_set.selections)  # type: ignore[attr-defined]
    counter = StatementCounter(world.compiled_app.state.engine)
    failures = await compare(world, query, variables, (viewer,))  # the plan is made
    assert not failures, failures
    plans = PLANS.compiled
    with counter:
        response = await world.compiled.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=world.headers[viewer],
        )
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    answers = [s for s in counter.statements if "json_build_object" in s]
    others = [s for s in counter.statements if "json_build_object" not in s]
    assert len(answers) == roots, counter.statements
    assert len(others) == (1 if viewer != "anonymous" else 0), others
    assert PLANS.compiled == plans


async def test_nested_arguments_per_request(world: DemoWorld) -> None:
    """A nested field's arguments given by variables change the answer, not the plan: each
    request binds its own page size and cursor; a value the resolver refuses falls back."""
    query = """query($first: Int, $after: String) { sessions { nodes { number
      contributions(first: $first, after: $after) { totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor } nodes { id } } } } }"""
    seen = []
    plans = None
    for first, after in ((2, None), (3, None), (2, None), (4, world.contribution_cursor)):
        variables = {"first": first, "after": after}
        failures = await compare(world, query, variables, ("anonymous",))
        assert not failures, f"{variables}: {failures}"
        counter = StatementCounter(world.compiled_app.state.engine)
        with counter:
            response = await world.compiled.post(
                "/graphql", json={"query": query, "variables": variables}
            )
        assert [s for s in counter.statements if "json_build_object" in s], counter.statements
        pages = [s["contributions"] for s in response.json()["data"]["sessions"]["nodes"]]
        seen.append([len(p["nodes"]) for p in pages])
        if after is None:
            plans = PLANS.compiled if plans is None else plans
            assert PLANS.compiled == plans, "the same shape reuses its plan"
    assert seen[0] != seen[1] and seen[0] == seen[2]
    # Refused by the resolver (an error at the field): the resolvers answer, errors alike.
    refused = {"first": 2, "after": "bogus"}
    assert not await compare(world, query, refused, ("anonymous", "staff"))
    counter = StatementCounter(world.compiled_app.state.engine)
    with counter:
        response = await world.compiled.post(
            "/graphql", json={"query": query, "variables": refused}
        )
    assert response.json()["errors"][0]["path"][-1] == "contributions"
    assert not [s for s in counter.statements if "json_build_object" in s]


async def test_setting_turns_it_off(world: DemoWorld) -> None:
    """HDND_COMPILED_READS=false: the resolvers answer (several statements)."""
    query, variables_of, _ = HOT_READS["Q1"]
    variables = variables_of(world)
    app = world.resolvers_app
    counter = StatementCounter(app.state.engine)
    with counter:
        response = await world.resolvers.post(
            "/graphql", json={"query": query, "variables": variables}
        )
    assert response.status_code == 200
    assert not any("json_build_object" in s for s in counter.statements)
    assert counter.count > 1


async def test_one_document_many_shapes(world: DemoWorld) -> None:
    """One document, its filters' fields given, left out, true and false in turn (inside an
    input object passed as one variable): each shape gets a plan of its own; a boolean given
    is not a field left out."""
    query = """query($f: PetitionFilter, $d: DelegateFilter) {
      petitions(first: 100, filter: $f) { totalCount }
      delegates(filter: $d) { totalCount } }"""
    counts = set()
    for overdue in (None, True, False, None, True):
        for status in (None, "SUBMITTED"):
            for serving in (None, True, False):
                variables = {
                    "f": {"overdue": overdue, "status": status},
                    "d": {"serving": serving},
                }
                failures = await compare(world, query, variables, ("anonymous", "staff"))
                assert not failures, f"{variables}: {failures}"
                (_, body), _ = await world.both(query, variables, "staff")
                counts.add(body["data"]["petitions"]["totalCount"])
    assert len(counts) > 2
