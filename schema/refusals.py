"""Running a mutation: the role check, one transaction, and a rule's refusal (db.refused)
turned into the payload's `userErrors`, so a refused mutation changes nothing."""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from db.engine import transaction
from db.refused import Refusal, Refused
from schema.context import Info
from schema.errors import UserError, user_error
from schema.relay import not_an_id, pk_of

T = TypeVar("T")


def as_user_error(exc: Refused) -> UserError:
    """A refusal's first problem as a UserError (schema/meetings' bulk refusals use it)."""
    return as_user_errors(exc)[0]


def as_user_errors(exc: Refused) -> list[UserError]:
    """The payload's `userErrors` for a refusal: one entry per problem."""
    return [user_error(p.code, p.message, *p.field) for p in exc.problems]


def db_id(value: str, type_name: str, *field: str) -> int:
    """The database id in a global id of `type_name`; a refusal naming the field otherwise."""
    pk = pk_of(value, type_name)
    if pk is None:
        raise Refused(Refusal.INVALID_INPUT, not_an_id(value, type_name), *field)
    return pk


async def run_change(
    info: Info, work: Callable[[AsyncSession], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """`work` in one transaction: (result, no errors), or (None, the refusal) with everything
    rolled back. Who may call the mutation at all is declared on its field (MutationRoles)."""
    try:
        async with transaction(info.context.sessionmaker) as session:
            return await work(session), []
    except Refused as exc:
        return None, as_user_errors(exc)


def forget(loader: DataLoader[Any, Any], key: Any) -> None:
    """Drop a cached value after a change (DataLoader.clear fails on a key never loaded)."""
    if loader.cache_map.get(key) is not None:
        loader.clear(key)
