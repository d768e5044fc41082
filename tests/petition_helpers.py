"""Shared pieces of the petition tests: who is who, and submitting through the API."""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from httpx import AsyncClient

from api.settings import Settings
from db.accounts import grant_role
from db.engine import Sessionmaker, transaction
from db.viewer import Role
from schema.relay import to_global_id
from tests.conftest import bearer, gql

VI_THANH_COMMUNE = "31318"  # Phường I, thành phố Vị Thanh
NGA_BAY_COMMUNE = "31340"  # Phường Ngã Bảy, thành phố Ngã Bảy
CITIZEN_A_NAME = "Nguyễn Thị Mai"
CITIZEN_A_PHONE = "0901234567"

SUBMIT = """
mutation($input: SubmitPetitionInput!) {
  submitPetition(input: $input) {
    petition { id trackingCode title status visibility group { name } delegate { id }
               supportCount timeline { status actorRole note } submitter { fullName phone } }
    idempotentReplay
    userErrors { field code message }
  }
}"""

PETITION_FIELDS = "id trackingCode status visibility supportCount timeline { status note } answer { body respondent }"


@dataclass
class World:
    """Headers of every kind of viewer, and the delegates of two groups."""

    settings: Settings
    anonymous: dict[str, str]
    citizen_a: dict[str, str]
    citizen_b: dict[str, str]
    delegate: dict[str, str]  # a member of the Vị Thanh group (not the addressed delegate)
    addressed: dict[str, str]  # another Vị Thanh member, addressed by delegateId in some tests
    outsider: dict[str, str]  # a delegate of the Ngã Bảy group
    staff: dict[str, str]
    monitor: dict[str, str]
    admin: dict[str, str]
    vi_thanh_delegate_ids: list[int]
    nga_bay_delegate_ids: list[int]

    def viewers(self) -> dict[str, dict[str, str]]:
        return {
            "anonymous": self.anonymous,
            "citizen_a": self.citizen_a,
            "citizen_b": self.citizen_b,
            "delegate": self.delegate,
            "outsider": self.outsider,
            "staff": self.staff,
            "monitor": self.monitor,
            "admin": self.admin,
        }


async def _group_delegates(sessionmaker: Sessionmaker, group_name: str) -> list[int]:
    async with sessionmaker() as session:
        rows = await session.execute(
            sa.text(
                "SELECT d.id FROM delegate d JOIN delegate_group g ON g.id = d.group_id "
                "WHERE g.name = :name AND d.served_until IS NULL ORDER BY d.id"
            ),
            {"name": group_name},
        )
        return [r[0] for r in rows]


async def make_world(settings: Settings, sessionmaker: Sessionmaker) -> World:
    vi_thanh = await _group_delegates(sessionmaker, "Tổ đại biểu thành phố Vị Thanh")
    nga_bay = await _group_delegates(sessionmaker, "Tổ đại biểu thành phố Ngã Bảy")
    async with transaction(sessionmaker) as session:
        await grant_role(session, "delegate-vt", Role.DELEGATE, vi_thanh[0])
        await grant_role(session, "delegate-vt-2", Role.DELEGATE, vi_thanh[1])
        await grant_role(session, "delegate-nb", Role.DELEGATE, nga_bay[0])
        await grant_role(session, "staff", Role.STAFF)
        await grant_role(session, "monitor", Role.MONITOR)
        await grant_role(session, "admin", Role.ADMIN)
    return World(
        settings=settings,
        anonymous={},
        citizen_a=bearer(settings, "citizen-a", name=CITIZEN_A_NAME, phone=CITIZEN_A_PHONE),
        citizen_b=bearer(settings, "citizen-b", name="Trần Văn Bình", phone="0912345678"),
        delegate=bearer(settings, "delegate-vt"),
        addressed=bearer(settings, "delegate-vt-2"),
        outsider=bearer(settings, "delegate-nb"),
        staff=bearer(settings, "staff"),
        monitor=bearer(settings, "monitor"),
        admin=bearer(settings, "admin"),
        vi_thanh_delegate_ids=vi_thanh,
        nga_bay_delegate_ids=nga_bay,
    )


def petition_input(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Đường liên ấp bị sạt lở",
        "content": "Đoạn đường liên ấp dài khoảng 200 mét bị sạt lở sau mưa lớn, xe máy đi lại rất nguy hiểm.",
        "category": "INFRASTRUCTURE_TRANSPORT",
        "communeCode": VI_THANH_COMMUNE,
    }
    data.update(overrides)
    return data


async def submit(client: AsyncClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """The `submitPetition` payload."""
    body = await gql(client, SUBMIT, {"input": petition_input(**overrides)}, headers)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["submitPetition"]
    return payload


async def submitted(
    client: AsyncClient, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    """A petition that must be accepted."""
    payload = await submit(client, headers, **overrides)
    assert payload["userErrors"] == [], payload
    petition: dict[str, Any] = payload["petition"]
    return petition


async def act(
    client: AsyncClient,
    headers: dict[str, str],
    mutation: str,
    args: str,
    variables: dict[str, Any],
) -> dict[str, Any]:
    """Run one workflow mutation and return its payload."""
    query = f"mutation({args}) {{ {mutation} {{ petition {{ {PETITION_FIELDS} }} userErrors {{ field code message }} }} }}"
    body = await gql(client, query, variables, headers)
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"][mutation.partition("(")[0]]
    return payload


async def acknowledge(client: AsyncClient, headers: dict[str, str], pid: str) -> dict[str, Any]:
    return await act(client, headers, "acknowledgePetition(id: $id)", "$id: ID!", {"id": pid})


def delegate_gid(pk: int) -> str:
    return to_global_id("Delegate", pk)


async def snapshot(sessionmaker: Sessionmaker, petition_pk: int) -> tuple[Any, ...]:
    """Everything a refused mutation must leave as it was."""
    async with sessionmaker() as session:
        row = (
            await session.execute(
                sa.text("SELECT to_jsonb(p) FROM petition p WHERE id = :id"), {"id": petition_pk}
            )
        ).scalar_one()
        events = (
            await session.execute(
                sa.text(
                    "SELECT count(*), coalesce(max(id), 0) FROM petition_event WHERE petition_id = :id"
                ),
                {"id": petition_pk},
            )
        ).one()
        supports = (
            await session.execute(
                sa.text("SELECT count(*) FROM petition_support WHERE petition_id = :id"),
                {"id": petition_pk},
            )
        ).scalar_one()
        audits = (
            await session.execute(
                sa.text(
                    "SELECT count(*) FROM audit_event WHERE action NOT LIKE 'petition.submitter.read'"
                )
            )
        ).scalar_one()
    return (row, tuple(events), supports, audits)


def pk_of(gid: str) -> int:
    from schema.relay import parse_global_id

    parsed = parse_global_id(gid)
    assert parsed is not None
    return parsed[1]
