"""Fixtures of the directory upkeep tests."""

from typing import Any

import pytest
import sqlalchemy as sa

from db.accounts import grant_role
from db.engine import Sessionmaker, transaction
from db.tables import Committee, Delegate, DelegateGroup
from db.viewer import Role
from tests.schema.council.directory import gid


@pytest.fixture
async def ids(sessionmaker: Sessionmaker) -> dict[str, Any]:
    async with transaction(sessionmaker) as session:
        groups = {g.name: g for g in (await session.execute(sa.select(DelegateGroup))).scalars()}
        committees = {c.kind: c.id for c in (await session.execute(sa.select(Committee))).scalars()}
        delegates = {d.full_name: d for d in (await session.execute(sa.select(Delegate))).scalars()}
        await grant_role(session, "staff", Role.STAFF)
        await grant_role(session, "admin", Role.ADMIN)
        await grant_role(session, "monitor", Role.MONITOR)
        await grant_role(session, "deleg", Role.DELEGATE, delegates["Huỳnh Minh Tài"].id)
    vt = groups["Tổ đại biểu thành phố Vị Thanh"]
    nb = groups["Tổ đại biểu thành phố Ngã Bảy"]
    return {
        "vi_thanh": gid("DelegateGroup", vt.id or 0),
        "nga_bay": gid("DelegateGroup", nb.id or 0),
        "vt_leader": gid("Delegate", vt.leader_id or 0),
        "tai": gid("Delegate", delegates["Huỳnh Minh Tài"].id or 0),
        "lan": gid("Delegate", delegates["Phan Hồng Lan"].id or 0),
        "legal": gid("Committee", committees["LEGAL"] or 0),
        "economy": gid("Committee", committees["ECONOMY_BUDGET"] or 0),
    }
