"""What the directory upkeep tests share: the mutations' documents, global ids, and a
snapshot of every row they write (the `ids` fixture is in conftest.py)."""

from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from db.engine import Sessionmaker
from db.tables import (
    AuditEvent,
    CommitteeMember,
    Delegate,
    DelegateGroup,
    DirectoryChange,
)
from schema.relay import to_global_id

DELEGATE_FIELDS = """id fullName title workplace photoUrl isFullTime servedFrom servedUntil endReason
  group { name } constituency { number } committees { kind }"""
CREATE = f"""mutation($input: DelegateInput!) {{ createDelegate(input: $input) {{
  delegate {{ {DELEGATE_FIELDS} }} userErrors {{ field code message }} }} }}"""
UPDATE = f"""mutation($id: ID!, $input: DelegateInput!) {{ updateDelegate(id: $id, input: $input) {{
  delegate {{ {DELEGATE_FIELDS} }} userErrors {{ field code message }} }} }}"""
END = """mutation($id: ID!, $on: Date!, $reason: String!) {
  endDelegateService(id: $id, on: $on, reason: $reason) {
    delegate { servedUntil endReason group { leader { fullName } } } userErrors { field code message } } }"""
LEADER = """mutation($g: ID!, $d: ID!) { setGroupLeader(groupId: $g, delegateId: $d) {
  group { name leader { fullName } } userErrors { field code message } } }"""
HISTORY = """query($id: ID!) { node(id: $id) { ... on Delegate { history { action actorRole
  fields { field before after } } } } }"""


def gid(kind: str, pk: int) -> str:
    return str(to_global_id(kind, pk))


async def snapshot(sessionmaker: Sessionmaker) -> tuple[Any, ...]:
    """Every row the directory mutations write, as it stands."""
    async with sessionmaker() as session:

        async def rows(stmt: Any) -> list[Any]:
            return [tuple(r) for r in (await session.execute(stmt)).all()]

        return (
            await rows(
                sa.select(Delegate.__table__).order_by(col(Delegate.id))  # type: ignore[attr-defined]
            ),
            await rows(sa.select(DelegateGroup.__table__).order_by(col(DelegateGroup.id))),  # type: ignore[attr-defined]
            await rows(
                sa.select(CommitteeMember.__table__).order_by(  # type: ignore[attr-defined]
                    col(CommitteeMember.delegate_id), col(CommitteeMember.committee_id)
                )
            ),
            await rows(sa.select(sa.func.count()).select_from(DirectoryChange)),
            await rows(sa.select(sa.func.count()).select_from(AuditEvent)),
        )
