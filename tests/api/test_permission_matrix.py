"""Every query, mutation and restricted field, for every kind of viewer (see permission_matrix)."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import orjson
import pytest
import pytest_asyncio
import sqlalchemy as sa
from httpx import AsyncClient, Headers
from sqlmodel import col
from starlette.applications import Starlette
from strawberry.types.base import StrawberryObjectDefinition

from api.identity import account_viewer, authenticate
from api.settings import Settings
from db.accounts import grant_role, viewer_for_sub
from db.agencies.reads import agency_by_code
from db.clock import local_date
from db.clock import now as clock_now
from db.council.writes import end_service
from db.engine import Sessionmaker, transaction
from db.integrators import create_api_key
from db.tables import Delegate
from db.viewer import Role
from schema import schema
from schema.context import Context
from schema.permissions import restriction_of
from tests.api.permission_matrix import ROWS, VIEWERS, RefusalKind, Row, World
from tests.conftest import TEST_SECRET, bearer

ROOTS = ("Query", "Mutation", "Subscription")
ROLES = {
    "citizen_a": Role.CITIZEN,
    "citizen_b": Role.CITIZEN,
    "delegate": Role.DELEGATE,
    "other_delegate": Role.DELEGATE,
    "ended_delegate": Role.DELEGATE,
    "staff": Role.STAFF,
    "monitor": Role.MONITOR,
    "admin": Role.ADMIN,
    "agency": Role.AGENCY,
}


def fields_to_cover() -> dict[str, str]:
    """Every root field, and every field declared restricted, read from the schema itself."""
    found: dict[str, str] = {}
    for type_name, converted in schema.schema_converter.type_map.items():
        definition = converted.definition
        if not isinstance(definition, StrawberryObjectDefinition) or definition.is_input:
            continue
        for f in definition.fields:
            name = f"{type_name}.{schema.config.name_converter.get_graphql_name(f)}"
            restriction = restriction_of(f)
            if type_name in ROOTS or restriction:
                found[name] = restriction or "root field"
    return found


def test_every_field_has_a_row() -> None:
    covered = {row.field for row in ROWS}
    wanted = fields_to_cover()
    missing = sorted(set(wanted) - covered)
    stale = sorted(covered - set(wanted))
    assert not missing, f"add rows to tests/api/permission_matrix.py for: {missing}"
    assert not stale, f"rows for fields the schema no longer has: {stale}"
    assert len(covered) == len(ROWS), "one row per field"


@pytest_asyncio.fixture
async def world(sessionmaker: Sessionmaker) -> AsyncIterator[World]:
    async with transaction(sessionmaker) as session:
        rows = (
            await session.execute(
                sa.select(col(Delegate.id), col(Delegate.group_id)).order_by(col(Delegate.id))
            )
        ).all()
        delegate_id, group_id = rows[0]
        other_delegate_id, other_group_id = next((d, g) for d, g in rows if g != group_id)
        ended_delegate_id = next(d for d, g in rows if g == group_id and d != delegate_id)
        subs = {viewer: f"matrix-{viewer}" for viewer in ROLES}
        links = {
            "delegate": delegate_id,
            "other_delegate": other_delegate_id,
            "ended_delegate": ended_delegate_id,
        }
        agency = await agency_by_code(session, "SO-XAYDUNG")
        assert agency is not None and agency.id is not None
        for viewer, role in ROLES.items():
            await grant_role(
                session,
                subs[viewer],
                role,
                links.get(viewer),
                agency_id=agency.id if role is Role.AGENCY else None,
            )
        # Their last day of service was before the session days the rows use and before today.
        staff = await viewer_for_sub(session, subs["staff"], None, None)
        last_day = min(date(2026, 11, 15), local_date(clock_now()) - timedelta(days=1))
        await end_service(session, staff, ended_delegate_id, last_day, "Chuyển công tác khác")
    yield World(
        sessionmaker=sessionmaker,
        delegate_id=delegate_id,
        group_id=group_id,
        other_delegate_id=other_delegate_id,
        other_group_id=other_group_id,
        ended_delegate_id=ended_delegate_id,
        subs=subs,
        agency_id=agency.id,
    )


@pytest_asyncio.fixture
async def headers(world: World, settings: Settings) -> dict[str, dict[str, str]]:
    async with transaction(world.sessionmaker) as session:
        made = await create_api_key(session, "matrix integrator")
    result: dict[str, dict[str, str]] = {"anonymous": {}, "integrator": {"X-API-Key": made.secret}}
    for viewer, sub in world.subs.items():
        result[viewer] = bearer(settings, sub, name=f"Tên {viewer}", phone="0901234567")
    return result


def strings_in(value: Any) -> set[str]:
    """Every string leaf of an answer: what a refused viewer must not see."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(strings_in(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(strings_in(v) for v in value)) if value else set()
    return set()


def root_of(row: Row) -> str:
    return row.root or row.field.split(".", 1)[1]


def values_at(data: Any, path: str) -> list[Any]:
    """The values at a dotted path under `data` ("node.submitter"); a list met on the way is
    walked item by item ("sessionCompliance.delegates.excuseReason")."""
    current: list[Any] = [data]
    keys = path.split(".")
    for depth, key in enumerate(keys):
        found: list[Any] = []
        for item in current:
            value = item.get(key) if isinstance(item, dict) else None
            if isinstance(value, list) and depth < len(keys) - 1:
                found.extend(value)
            else:
                found.append(value)
        current = found
    return current


def present(row: Row, body: dict[str, Any]) -> list[Any]:
    """What the answer holds where the row's field is: its non-null values."""
    return [v for v in values_at(body.get("data") or {}, root_of(row)) if v is not None]


def check_allowed(row: Row, body: dict[str, Any]) -> str | None:
    answers = present(row, body)
    if body.get("errors"):
        return f"errors {body['errors']}"
    if not answers:
        return "answered null"
    if row.refusal == "user_error" and answers[0].get("userErrors"):
        return f"userErrors {answers[0]['userErrors']}"
    return None


def wiped_by(body: dict[str, Any]) -> str | None:
    """Where a field's refusal took more than the field: the parent that came back null (so a
    screen mixing public and restricted fields would lose its public part), else None."""
    for error in body.get("errors") or []:
        path = error.get("path")
        if not path:
            continue
        parent: Any = body.get("data")
        for key in path[:-1]:
            if parent is None:
                break
            parent = parent[key]
        if parent is None:
            return ".".join(str(k) for k in path[:-1]) or "data"
    return None


def refusal_code(viewer: str) -> str:
    """One code for "sign in first": UNAUTHENTICATED for a caller with no credentials; FORBIDDEN
    for one who is identified (an account, an integrator's key) and still may not."""
    return "UNAUTHENTICATED" if viewer == "anonymous" else "FORBIDDEN"


def check_refused(kind: RefusalKind, row: Row, body: dict[str, Any], viewer: str) -> str | None:
    answers = present(row, body)
    code = refusal_code(viewer)
    if kind == "error":
        codes = {(e.get("extensions") or {}).get("code") for e in body.get("errors") or []}
        if codes != {code}:
            return f"expected {code}, got {body}"
        if answers:
            return f"refused but answered {answers}"
        wiped = None if row.is_subscription else wiped_by(body)
        if wiped:
            return f"the refusal also nulled {wiped}: the restricted field must be nullable"
    elif kind == "null":
        if answers or body.get("errors"):
            return f"expected null, got {body}"
    else:
        if body.get("errors") or not answers:
            return f"expected a payload, got {body}"
        answer = answers[0]
        codes = [e["code"] for e in answer.get("userErrors") or []]
        if codes != [code]:
            return f"expected userErrors {code}, got {answer}"
        others = {k: v for k, v in answer.items() if k != "userErrors" and v is not None}
        if others:
            return f"refused payload carries {others}"
    return None


# How long a subscription may take to answer its first event; a bound, never a measurement.
SUBSCRIPTION_WAIT = 20.0


async def subscribe_once(
    row: Row,
    world: World,
    app: Starlette,
    settings: Settings,
    headers: dict[str, str],
    variables: dict[str, Any],
) -> dict[str, Any]:
    """A subscription's first answer, as the WebSocket transport would send it: the schema's
    `subscribe` with the Context `connection_init` gives (the viewer of the same credentials,
    the process's EventHub). A refused one answers an error at once; an allowed one answers the
    first event `row.trigger` makes. Triggers repeat until one lands after the subscription
    started listening, so nothing depends on how fast that happens."""
    state = app.state
    identity = await authenticate(settings, state.sessionmaker, Headers(headers))
    viewer = (
        await account_viewer(state.sessionmaker, identity.claims)
        if identity.claims is not None
        else identity.viewer
    )
    context = Context(
        viewer=viewer,
        sessionmaker=state.sessionmaker,
        reader=state.reader,
        settings=settings,
        request_id=uuid.uuid4().hex,
        events=state.events,
    )
    stream = await schema.subscribe(row.document, variables, context_value=context)
    first = asyncio.ensure_future(anext(stream))
    try:
        async with asyncio.timeout(SUBSCRIPTION_WAIT):
            while not first.done():
                await asyncio.wait({first}, timeout=0.2)
                if not first.done() and row.trigger is not None:
                    await row.trigger(world)
        result = first.result()
    finally:
        if not first.done():
            first.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await first
        await stream.aclose()
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [e.formatted for e in result.errors]
    return body


def _reads_both_ways(row: Row) -> bool:
    """Queries run with the compiled read path and without it (HDND_COMPILED_READS)."""
    return not row.is_subscription and not row.document.lstrip().startswith("mutation")


CASES = [
    pytest.param(row, reads, id=f"{row.field}{'' if reads else '-resolvers'}")
    for row in ROWS
    for reads in ((True, False) if _reads_both_ways(row) else (True,))
]


@pytest.fixture
def compiled_reads(request: pytest.FixtureRequest) -> bool:
    return bool(getattr(request, "param", True))


@pytest.fixture
def settings(db_url: str, compiled_reads: bool) -> Settings:
    """The suite's settings, with the compiled read path on or off."""
    return Settings(  # type: ignore[call-arg]
        database_url=db_url, jwt_secret=TEST_SECRET, compiled_reads=compiled_reads, _env_file=None
    )


@pytest.mark.parametrize(("row", "compiled_reads"), CASES, indirect=["compiled_reads"])
async def test_permission_matrix(
    row: Row,
    world: World,
    headers: dict[str, dict[str, str]],
    client: AsyncClient,
    app: Starlette,
    settings: Settings,
) -> None:
    if row.setup is not None:
        await row.setup(world)
    answers: dict[str, dict[str, Any]] = {}
    failures: list[str] = []
    allowed_first = sorted(VIEWERS, key=lambda v: v not in row.allowed)
    for viewer in allowed_first:
        before = await row.snapshot(world) if row.snapshot else None
        variables = dict(row.variables(world, viewer))
        if row.is_subscription:
            body = await subscribe_once(row, world, app, settings, headers[viewer], variables)
        else:
            response = await client.post(
                "/graphql",
                json={"query": row.document, "variables": variables},
                headers=headers[viewer],
            )
            if response.status_code != 200:
                failures.append(f"{viewer}: HTTP {response.status_code} {response.text}")
                continue
            body = response.json()
        if viewer in row.allowed:
            problem = check_allowed(row, body)
            if problem is None and row.check is not None:
                problem = await row.check(world, viewer, body["data"])
            if problem is None:
                answers[viewer] = body  # what refused viewers must not see
        else:
            problem = check_refused(row.refusal_for(viewer), row, body, viewer)
            if problem is None and row.snapshot is not None:
                after = await row.snapshot(world)
                if after != before:
                    problem = f"refused, yet changed {before} -> {after}"
            if problem is None:
                secret = {
                    s
                    for v in row.allowed
                    if v in answers
                    for s in strings_in(answers[v].get("data"))
                    if len(s) >= 4 and s not in row.document and s not in str(variables)
                }
                text = orjson.dumps(body).decode()
                leaked = sorted(s for s in secret if s in text)
                if leaked:
                    problem = f"refused, yet leaked {leaked}"
        if problem:
            failures.append(f"{viewer}: {problem}")
    assert not failures, f"{row.field}:\n" + "\n".join(failures)
