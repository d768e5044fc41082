"""Both paths, the same JSON: every query of the corpus (the suite's read documents, the docs'
examples, the benchmark's) and hypothesis-generated documents, for every kind of viewer, on
the demo data. The resolvers are the reference."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from schema.compiled.execution import PLANS
from tests.compiled.corpus import corpus
from tests.compiled.world import VIEWERS, DemoWorld, demo_world, first_difference, same


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(server_url: str, template_db: str) -> AsyncIterator[DemoWorld]:
    async for made in demo_world(server_url, template_db):
        yield made


async def compare(world: DemoWorld, query: str, variables: dict[str, Any] | None) -> list[str]:
    failures = []
    for viewer in VIEWERS:
        (s1, compiled), (s2, reference) = await world.both(query, variables, viewer)
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
