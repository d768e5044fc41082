"""Integrator API keys in GraphQL: ADMIN makes and revokes them; MONITOR and ADMIN list them.

The secret is shown once, in `createApiKey`'s payload; only its hash is stored.
"""

from datetime import datetime
from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db.audit import audit
from db.integrators import NewApiKey, create_api_key, list_api_keys, revoke_api_key
from db.refused import Refusal, Refused
from db.tables import ApiKey as ApiKeyRow
from db.viewer import Role
from schema.context import LOCAL_ZONE, Info
from schema.core.payloads import user_errors_field
from schema.cost import most
from schema.errors import UserError
from schema.permissions import MutationRoles, has_role
from schema.refusals import run_change

# ApiKey is reached only through `apiKeys` (MONITOR, ADMIN) and the ADMIN mutations: its fields
# say so, so the permission matrix covers them should the type ever be reached another way.
KEY_READERS = {"restricted": "MONITOR, ADMIN (through apiKeys and the ADMIN mutations)"}


@strawberry.type(description="An integrator's API key (khóa API), without its secret.")
class ApiKey:
    name: str = strawberry.field(
        description="Who holds it, e.g. «Cổng dữ liệu mở tỉnh».", metadata=KEY_READERS
    )
    prefix: str = strawberry.field(
        description="The key's first characters, to tell keys apart; never the whole key.",
        metadata=KEY_READERS,
    )
    created_at: datetime = strawberry.field(description="When it was made.", metadata=KEY_READERS)
    revoked_at: datetime | None = strawberry.field(
        description="When it was revoked; null while it works.", metadata=KEY_READERS
    )

    @classmethod
    def from_row(cls, row: ApiKeyRow) -> "ApiKey":
        return cls(
            name=row.name,
            prefix=row.prefix,
            created_at=row.created_at.astimezone(LOCAL_ZONE),
            revoked_at=row.revoked_at.astimezone(LOCAL_ZONE) if row.revoked_at else None,
        )


@strawberry.type(description="Result of `createApiKey`.")
class CreateApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(description="The key made; null when refused.")
    key: str | None = strawberry.field(
        description="The secret to give the integrator (header `X-API-Key`). Shown only here, "
        "once: it is not stored and cannot be read again.",
        metadata={"restricted": "ADMIN, once, in the payload of createApiKey"},
    )
    user_errors: list[UserError] = user_errors_field()


@strawberry.type(description="Result of `revokeApiKey`.")
class ApiKeyPayload:
    api_key: ApiKey | None = strawberry.field(description="The key revoked; null when refused.")
    user_errors: list[UserError] = user_errors_field()


@strawberry.type
class IntegratorsQuery:
    @strawberry.field(
        directives=most(100),
        description="Every integrator API key ever made, working ones first (MONITOR, ADMIN).",
        permission_classes=[has_role(Role.MONITOR, Role.ADMIN)],
    )
    async def api_keys(self, info: Info) -> list[ApiKey] | None:
        async with info.context.sessionmaker() as session:
            rows = await list_api_keys(session)
        return [ApiKey.from_row(r) for r in rows]


@strawberry.type
class IntegratorsMutation:
    @strawberry.mutation(
        description="Make an API key for an integrator (ADMIN); the secret is in the payload, once.",
        extensions=[MutationRoles(Role.ADMIN)],
    )
    async def create_api_key(
        self,
        info: Info,
        name: Annotated[
            str,
            strawberry.argument(
                description="Who will hold it, one line and unique among working keys, e.g. «Cổng dữ liệu mở tỉnh»."
            ),
        ],
    ) -> CreateApiKeyPayload:
        ctx = info.context

        async def work(session: AsyncSession) -> NewApiKey:
            made = await create_api_key(session, name)
            await audit(
                session,
                ctx.viewer,
                "api_key.create",
                "ApiKey",
                made.row.id,
                request_id=ctx.request_id,
            )
            return made

        made, errors = await run_change(info, work)
        if made is None:
            return CreateApiKeyPayload(api_key=None, key=None, user_errors=errors)
        return CreateApiKeyPayload(
            api_key=ApiKey.from_row(made.row), key=made.secret, user_errors=[]
        )

    @strawberry.mutation(
        description="Revoke the working API key of this name (ADMIN); it stops working at once.",
        extensions=[MutationRoles(Role.ADMIN)],
    )
    async def revoke_api_key(
        self,
        info: Info,
        name: Annotated[str, strawberry.argument(description="The name the key was created with.")],
    ) -> ApiKeyPayload:
        ctx = info.context

        async def work(session: AsyncSession) -> ApiKeyRow:
            row = await revoke_api_key(session, name)
            if row is None:
                raise Refused(Refusal.NOT_FOUND, f"Không có khóa đang dùng tên «{name}».", "name")
            await audit(
                session, ctx.viewer, "api_key.revoke", "ApiKey", row.id, request_id=ctx.request_id
            )
            return row

        row, errors = await run_change(info, work)
        return ApiKeyPayload(api_key=ApiKey.from_row(row) if row else None, user_errors=errors)
