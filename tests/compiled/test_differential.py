"""Both paths, the same JSON: every query of the corpus (the suite's read documents, the docs'
examples, the benchmark's) and hypothesis-generated documents, for every kind of viewer, on
the demo data. The resolvers are the reference."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from schema.compiled.execution import PLANS
from tests.compiled.corpus import GENERATED, corpus, generated
from tests.compiled.world import VIEWERS, DemoWorld, demo_world, first_difference, same


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
    """The corpus is not all fallbacks: the covered directory and petition reads compile."""
    before = PLANS.compiled
    query = "{ delegateGroups { name memberCount areas { name } } }"
    (status, body), _ = await world.both(query, None, "anonymous")
    assert status == 200 and len(body["data"]["delegateGroups"]) == 8
    assert PLANS.compiled >= before
    key = next(k for k in PLANS.entries if k[1] == "delegateGroups")
    assert PLANS.entries[key][1] is not None


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
