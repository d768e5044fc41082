"""Fixtures of the sessions tests: the scene (scene.py's docstring), built or not, and the
petitions it refers to."""

import pytest
from httpx import AsyncClient

from api.settings import Settings
from db.accounts import grant_role
from db.engine import Sessionmaker, transaction
from db.viewer import Role
from tests.conftest import bearer, gql
from tests.schema.sessions.scene import (
    NAMES,
    OPEN,
    Scene,
    add_petitions,
    build_scene,
    delegates_by_name,
    make_session,
)


@pytest.fixture
async def scene(client: AsyncClient, settings: Settings, sessionmaker: Sessionmaker) -> Scene:
    async with transaction(sessionmaker) as session:
        by_name = await delegates_by_name(session)
        ids = {k: int(by_name[v].id or 0) for k, v in NAMES.items()}
        await grant_role(session, "staff", Role.STAFF)
        await grant_role(session, "monitor", Role.MONITOR)
        await grant_role(session, "deleg-a", Role.DELEGATE, ids["A"])
        await grant_role(session, "deleg-b", Role.DELEGATE, ids["B"])
    staff = bearer(settings, "staff")
    s1 = await make_session(
        client, staff, 101, "2026-12-01", "2026-12-03", agenda=["Dự toán ngân sách 2027"]
    )
    s2 = await make_session(client, staff, 102, "2026-12-20", "2026-12-21")
    upcoming = await make_session(client, staff, 103, "2026-12-28", "2026-12-28")
    for s in (s1, s2):
        body = await gql(client, OPEN, {"id": s}, staff)
        assert body["data"]["openSession"] == {
            "session": {"status": "IN_PROGRESS"},
            "userErrors": [],
        }
    return Scene(
        staff=staff,
        monitor=bearer(settings, "monitor"),
        citizen=bearer(settings, "citizen"),
        a=bearer(settings, "deleg-a"),
        b=bearer(settings, "deleg-b"),
        ids=ids,
        s1=s1,
        s2=s2,
        upcoming=upcoming,
    )


@pytest.fixture
async def built_scene(client: AsyncClient, scene: Scene) -> Scene:
    """The scene with the contributions, excuse and departure of scene.py's docstring."""
    await build_scene(client, scene)
    return scene


@pytest.fixture
async def petitions(sessionmaker: Sessionmaker, scene: Scene) -> dict[str, int]:
    """The scene's petitions (scene.add_petitions), by key: P1…P6."""
    return await add_petitions(sessionmaker, scene.ids)
