"""Every GraphQL example of the docs runs against the demo data (`hdnd seed --demo`).

Each ```graphql block of README.md, docs/*.md and docs/vi/*.md says who runs it with a first
comment line `# as: ROLE`: ANONYMOUS, or one of the demo accounts whose tokens `hdnd serve`
prints (CITIZEN, DELEGATE, STAFF, MONITOR, ADMIN). A block may give its variables on a comment
line `# variables: {…}` (JSON, as pasted into GraphiQL's Variables pane); a value written
`<name>` stands for something the reader takes from an earlier answer (a tracking code, a
petition's id), filled here from the demo data (PLACEHOLDERS).

Every operation must be named (the README's blocks hold exactly one each), validate, and run on a
fresh copy of the demo data in the order written: a query answers without errors and with
something in every root field (an example that finds nothing shows nothing); a mutation answers
without errors, with empty `userErrors` and its object. Subscriptions are validated only (the
WebSocket tests run them).
"""

import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from graphql import OperationDefinitionNode, OperationType, parse, validate

from api.demo import DEMO_ACCOUNTS, demo_tokens
from api.settings import Settings
from db.engine import make_engine, make_sessionmaker, transaction
from db.seed import seed_demo_extras
from schema import schema
from tests.api.helpers import app_with
from tests.conftest import TEST_SECRET, _admin, database_url

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "docs" / "vi").glob("*.md")),
]
_BLOCK = re.compile(r"^```graphql\n(.*?)^```", re.DOTALL | re.MULTILINE)
_AS = re.compile(r"^#\s*as:\s*([A-Z]+)\s*$", re.MULTILINE)
_VARIABLES = re.compile(r"^#\s*variables:\s*(\{.*\})\s*$", re.MULTILINE)
_PLACEHOLDER = re.compile(r"^<([A-Za-z]+)>$")
ROLES = ("ANONYMOUS", *DEMO_ACCOUNTS)


@dataclass(frozen=True)
class Example:
    page: str
    line: int
    text: str

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def examples() -> list[Example]:
    found = []
    for path in PAGES:
        content = path.read_text(encoding="utf-8")
        for match in _BLOCK.finditer(content):
            line = content.count("\n", 0, match.start()) + 1
            found.append(Example(str(path.relative_to(ROOT)), line, match.group(1)))
    return found


EXAMPLES = examples()


def test_every_page_has_examples_and_the_docs_exist_in_both_languages() -> None:
    pages = {e.page for e in EXAMPLES}
    for english in sorted((ROOT / "docs").glob("*.md")):
        vietnamese = ROOT / "docs" / "vi" / english.name
        assert vietnamese.exists(), f"{english.name} has no Vietnamese page (docs/vi/)"
    assert (ROOT / "docs" / "vi" / "README.md").exists()
    for name in ("README.md", "docs/app.md", "docs/vi/app.md", "docs/vi/README.md"):
        assert name in pages, f"{name} holds no ```graphql example"


@dataclass
class DemoData:
    """A database with the demo data (directory, petitions, contributions, channel) and the demo
    accounts' roles, copied for each example; the demo tokens; the placeholders' values."""

    server: str
    template: str
    tokens: dict[str, str]
    placeholders: dict[str, str]


async def _placeholders(url: str, tokens: dict[str, str]) -> dict[str, str]:
    """What a reader would take from earlier answers, taken the same way from the demo data."""
    bearer = {role: {"Authorization": f"Bearer {token}"} for role, token in tokens.items()}
    async with app_with(url) as (_, http):
        mine = await http.post(
            "/graphql",
            json={"query": "{ myPetitions(first: 20) { nodes { id trackingCode status } } }"},
            headers=bearer["CITIZEN"],
        )
        inbox = await http.post(
            "/graphql",
            json={"query": "{ inbox(status: SUBMITTED, first: 1) { nodes { id } } }"},
            headers=bearer["DELEGATE"],
        )
        meetings = await http.post(
            "/graphql",
            json={
                "query": "{ voterMeetings(first: 20) { nodes { id status timing"
                " group { id } session { id number }"
                " concerns(first: 20) { nodes { id mergedInto { id } title } } } } }"
            },
            headers=bearer["STAFF"],
        )
    answered = next(
        p for p in mine.json()["data"]["myPetitions"]["nodes"] if p["status"] == "ANSWERED"
    )
    rounds = meetings.json()["data"]["voterMeetings"]["nodes"]
    held = [m for m in rounds if m["status"] == "HELD"]
    after = next(m for m in rounds if m["timing"] == "AFTER_SESSION")
    upcoming = next(m for m in rounds if m["session"]["id"] != held[0]["session"]["id"])
    # Two concerns of the second group's meeting say the same and are not merged yet.
    twins = [c["id"] for c in held[1]["concerns"]["nodes"] if c["mergedInto"] is None][:2]
    return {
        # The demo round of voter meetings (db.meetings.demo): the first group's (the demo
        # delegate's) meeting held before the session in progress, its session and group, the
        # meeting after it, the next session, and a pair of duplicates to merge.
        "meetingId": held[0]["id"],
        "groupId": held[0]["group"]["id"],
        "sessionId": held[0]["session"]["id"],
        "afterMeetingId": after["id"],
        "nextSessionId": upcoming["session"]["id"],
        "keptId": twins[0],
        "duplicateId": twins[1],
        # The tracking code of a petition of the demo citizen's (one with an answer).
        "trackingCode": answered["trackingCode"],
        "myPetitionId": answered["id"],
        # A petition waiting in the demo delegate's inbox.
        "petitionId": inbox.json()["data"]["inbox"]["nodes"][0]["id"],
    }


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def demo(server_url: str, template_db: str) -> AsyncIterator[DemoData]:
    name = f"hdnd_docs_{uuid.uuid4().hex[:12]}"
    admin = await _admin(server_url)
    await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    url = database_url(server_url, name)
    try:
        engine = make_engine(url, pool_size=1)
        async with transaction(make_sessionmaker(engine)) as session:
            await seed_demo_extras(session)
        await engine.dispose()
        settings = Settings(database_url=url, jwt_secret=TEST_SECRET, _env_file=None)  # type: ignore[call-arg]
        tokens = await demo_tokens(url, settings)
        placeholders = await _placeholders(url, tokens)
        yield DemoData(server_url, name, tokens, placeholders)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest_asyncio.fixture(loop_scope="session")
async def copy_of(demo: DemoData) -> AsyncIterator[str]:
    """A fresh copy of the demo database for one example."""
    name = f"hdnd_doc_{uuid.uuid4().hex[:12]}"
    admin = await _admin(demo.server)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{demo.template}"')
        yield database_url(demo.server, name)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def _filled(value: Any, placeholders: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _filled(v, placeholders) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, placeholders) for v in value]
    if isinstance(value, str) and (found := _PLACEHOLDER.match(value)):
        assert found.group(1) in placeholders, f"unknown placeholder {value}"
        return placeholders[found.group(1)]
    return value


def _empty(value: Any) -> bool:
    """Nothing to show: null, an empty list, or a connection with no nodes or edges."""
    if value is None or value == []:
        return True
    if isinstance(value, dict):
        items = value.get("nodes", value.get("edges"))
        return items == [] and not value.get("totalCount")
    return False


def _problems(operation: OperationDefinitionNode, body: dict[str, Any]) -> list[str]:
    if body.get("errors"):
        return [f"errors: {body['errors']}"]
    data = body.get("data") or {}
    problems = []
    for field, value in data.items():
        if operation.operation is OperationType.MUTATION:
            if not isinstance(value, dict) or value.get("userErrors"):
                problems.append(f"{field}: {value}")
            elif all(v is None for k, v in value.items() if k != "userErrors"):
                problems.append(f"{field} changed nothing: {value}")
        elif _empty(value):
            problems.append(f"{field} finds nothing: {value}")
    return problems


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
async def test_example_runs_on_the_demo_data(
    example: Example, demo: DemoData, copy_of: str
) -> None:
    roles = _AS.findall(example.text)
    assert len(roles) == 1 and roles[0] in ROLES, (
        f"{example.id}: say who runs it on one line `# as: ROLE` ({', '.join(ROLES)})"
    )
    role = roles[0]
    given = _VARIABLES.findall(example.text)
    variables = _filled(json.loads(given[0]), demo.placeholders) if given else {}
    document = parse(example.text)
    errors = validate(schema._schema, document)
    assert not errors, f"{example.id}: {[e.message for e in errors]}"
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    assert operations and all(op.name for op in operations), f"{example.id}: name every operation"
    if example.page == "README.md":
        assert len(operations) == 1, f"{example.id}: one operation per block, to run as pasted"
    headers = {} if role == "ANONYMOUS" else {"Authorization": f"Bearer {demo.tokens[role]}"}
    problems: list[str] = []
    async with app_with(copy_of) as (_, http):
        for operation in operations:
            if operation.operation is OperationType.SUBSCRIPTION:
                continue  # validated above; the WebSocket tests run subscriptions
            assert operation.name is not None
            response = await http.post(
                "/graphql",
                json={
                    "query": example.text,
                    "operationName": operation.name.value,
                    "variables": variables,
                },
                headers=headers,
            )
            assert response.status_code == 200, f"{example.id}: {response.text}"
            found = _problems(operation, response.json())
            problems += [f"{operation.name.value} as {role}: {p}" for p in found]
    assert not problems, f"{example.id}:\n" + "\n".join(problems)
