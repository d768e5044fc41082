"""A database with the demo data (`hdnd seed --demo`: directory, petitions, contributions,
posts), accounts of every kind of viewer, and two apps on it: one answering covered reads from
compiled statements, one with the resolvers only. What the differential tests share.

A few records are added so every branch of a rule has data: units no constituency covers (one
in a group's area, one in none), petitions linked to a contribution (one PRIVATE), the
delegate viewer excused from a session (they see their own excuse's reason), an agenda."""

import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa
from httpx import ASGITransport, AsyncClient
from sqlmodel import col
from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings
from db.accounts import grant_role
from db.engine import make_engine, make_sessionmaker, transaction
from db.integrators import create_api_key
from db.petition_seed import DEMO_CITIZEN
from db.seed import seed_demo_extras
from db.tables import (
    AdministrativeUnit,
    AgendaItem,
    Contribution,
    ContributionPetition,
    CouncilSession,
    Delegate,
    ExcusedAbsence,
    GroupArea,
    Petition,
)
from db.viewer import Role
from schema.relay import encode_cursor
from tests.conftest import TEST_SECRET, _admin, bearer, database_url

# Every kind of viewer the contract knows.
VIEWERS = (
    "anonymous",
    "integrator",
    "citizen",  # signed in, submitted nothing
    "submitter",  # the demo citizen: petitions of their own, PRIVATE ones among them
    "delegate",  # a serving delegate (the first group's leader)
    "other_delegate",  # a serving delegate of another group
    "ended_delegate",  # a delegate whose service has ended
    "staff",
    "monitor",
    "admin",
)


@dataclass
class DemoWorld:
    url: str
    compiled: AsyncClient
    resolvers: AsyncClient
    compiled_app: Starlette
    resolvers_app: Starlette
    headers: dict[str, dict[str, str]]
    delegate_id: int
    group_id: int
    other_group_id: int
    tracking_codes: list[str]
    petition_id: int
    private_petition_id: int
    sessions: dict[str, int]  # by status
    contribution_id: int
    contribution_cursor: str
    agenda_item_id: int
    settings: Settings

    async def both(
        self, query: str, variables: dict[str, Any] | None, viewer: str
    ) -> tuple[tuple[int, Any], tuple[int, Any]]:
        """(status, body) of the request through each path."""
        out = []
        for client in (self.compiled, self.resolvers):
            response = await client.post(
                "/graphql",
                json={"query": query, "variables": variables or {}},
                headers=self.headers[viewer],
            )
            out.append((response.status_code, orjson.loads(response.content)))
        return out[0], out[1]


def same(a: Any, b: Any) -> bool:
    """Equal JSON, key order included (a response's keys follow the selection)."""
    return orjson.dumps(a) == orjson.dumps(b)


def first_difference(a: Any, b: Any, path: str = "") -> str | None:
    """Where two answers part, for a readable failure."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            return f"{path}: keys {list(a)} != {list(b)}"
        for k in a:
            found = first_difference(a[k], b[k], f"{path}.{k}")
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b and type(a) is type(b) else f"{path}: {a!r} != {b!r}"


def settings_for(url: str, compiled: bool) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        jwt_secret=TEST_SECRET,
        rate_limit=1_000_000,
        compiled_reads=compiled,
    )


async def demo_world(server_url: str, template_db: str) -> AsyncIterator[DemoWorld]:
    name = f"hdnd_c_{uuid.uuid4().hex[:12]}"
    admin = await _admin(server_url)
    await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    url = database_url(server_url, name)
    try:
        engine = make_engine(url, pool_size=2)
        sm = make_sessionmaker(engine)
        async with transaction(sm) as session:
            await seed_demo_extras(session)
        async with transaction(sm) as session:
            rows = (
                await session.execute(
                    sa.select(
                        col(Delegate.id), col(Delegate.group_id), col(Delegate.served_until)
                    ).order_by(col(Delegate.id))
                )
            ).all()
            serving = [(d, g) for d, g, until in rows if until is None]
            ended = next(d for d, _, until in rows if until is not None)
            delegate_id, group_id = serving[0]
            other_id, other_group = next((d, g) for d, g in serving if g != group_id)
            links = {"delegate": delegate_id, "other_delegate": other_id, "ended_delegate": ended}
            roles = {
                "citizen": Role.CITIZEN,
                "submitter": Role.CITIZEN,
                "delegate": Role.DELEGATE,
                "other_delegate": Role.DELEGATE,
                "ended_delegate": Role.DELEGATE,
                "staff": Role.STAFF,
                "monitor": Role.MONITOR,
                "admin": Role.ADMIN,
            }
            subs = {v: f"diff-{v}" for v in roles}
            subs["submitter"] = DEMO_CITIZEN[0]
            for viewer, role in roles.items():
                await grant_role(session, subs[viewer], role, links.get(viewer))
            key = await create_api_key(session, "differential")
            petition_id = (
                await session.execute(
                    sa.select(sa.func.min(col(Petition.id))).where(
                        col(Petition.visibility) == "PUBLIC"
                    )
                )
            ).scalar_one()
            codes = list(
                (
                    await session.execute(
                        sa.select(col(Petition.tracking_code)).order_by(col(Petition.id)).limit(5)
                    )
                ).scalars()
            )
            records = await _add_records(session, delegate_id, group_id, other_group)
        await engine.dispose()
        on, off = settings_for(url, True), settings_for(url, False)
        headers: dict[str, dict[str, str]] = {
            "anonymous": {},
            "integrator": {"X-API-Key": key.secret},
        }
        for viewer, sub in subs.items():
            headers[viewer] = bearer(on, sub, name=f"Tên {viewer}", phone="0901234567")
        async with AsyncExitStack() as stack:
            clients = []
            apps = []
            for s in (on, off):
                app = create_app(s)
                await stack.enter_async_context(app.router.lifespan_context(app))
                client = await stack.enter_async_context(
                    AsyncClient(transport=ASGITransport(app=app), base_url="http://test")
                )
                clients.append(client)
                apps.append(app)
            yield DemoWorld(
                url=url,
                compiled=clients[0],
                resolvers=clients[1],
                compiled_app=apps[0],
                resolvers_app=apps[1],
                headers=headers,
                delegate_id=delegate_id,
                group_id=group_id,
                other_group_id=other_group,
                tracking_codes=codes,
                petition_id=petition_id,
                settings=on,
                **records,
            )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _add_records(
    session: Any, delegate_id: int, group_id: int, other_group_id: int
) -> dict[str, Any]:
    """The records every rule's branches need (see the module's docstring), and their ids."""
    session.add_all(
        [
            AdministrativeUnit(
                code="939",
                name="Huyện Thử Nghiệm",
                type="Huyện",
                level="DISTRICT",
                parent_code="93",
                path="93/939",
            ),
            AdministrativeUnit(
                code="938",
                name="Huyện Chưa Phân Tổ",
                type="Huyện",
                level="DISTRICT",
                parent_code="93",
                path="93/938",
            ),
        ]
    )
    await session.flush()
    session.add(
        AdministrativeUnit(
            code="39999",
            name="Xã Thử Nghiệm",
            type="Xã",
            level="COMMUNE",
            parent_code="939",
            path="93/939/39999",
        )
    )
    session.add(GroupArea(group_id=other_group_id, unit_code="939"))
    every_session = (
        await session.execute(
            sa.select(col(CouncilSession.id), col(CouncilSession.status)).order_by(
                col(CouncilSession.id)
            )
        )
    ).all()
    sessions = {status: pk for pk, status in every_session}
    session.add(
        ExcusedAbsence(
            session_id=sessions["IN_PROGRESS"], delegate_id=delegate_id, reason="Ốm, có giấy"
        )
    )
    # A contribution of a member of the delegate viewer's group.
    contribution = (
        await session.execute(
            sa.select(Contribution)
            .join(Delegate, col(Delegate.id) == col(Contribution.delegate_id))
            .where(col(Delegate.group_id) == group_id)
            .order_by(col(Contribution.id))
            .limit(1)
        )
    ).scalar_one()
    linked = (
        await session.execute(
            sa.select(col(Petition.id), col(Petition.visibility))
            .where(col(Petition.group_id) == group_id)
            .order_by(col(Petition.visibility), col(Petition.id))
        )
    ).all()
    private = next(pk for pk, visibility in linked if visibility == "PRIVATE")
    public = next(pk for pk, visibility in linked if visibility == "PUBLIC")
    assert contribution.id is not None
    for petition_id in (private, public):
        session.add(ContributionPetition(contribution_id=contribution.id, petition_id=petition_id))
    # The demo has no agenda: two items a session, the contribution addressing the first.
    items = [
        AgendaItem(session_id=pk, position=position, title=f"Nội dung {position} kỳ họp {pk}")
        for pk, _ in every_session
        for position in (2, 1)
    ]
    session.add_all(items)
    await session.flush()
    item = next(i for i in items if i.session_id == contribution.session_id and i.position == 1)
    contribution.agenda_item_id = item.id
    agenda_item_id = item.id
    await session.flush()
    return {
        "private_petition_id": private,
        "sessions": sessions,
        "contribution_id": contribution.id,
        "contribution_cursor": encode_cursor((contribution.recorded_at, contribution.id)),
        "agenda_item_id": agenda_item_id,
    }
