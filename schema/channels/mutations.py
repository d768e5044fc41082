"""The channels domain's mutations: inviting and removing guests (the group's leader, STAFF)
and posting (members and guests). Each declares who may call it at all; who may act on this
group is db.channels' rule, its refusals answered by schema.refusals."""

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from db import channels as db_channels
from db.channels import GuestInput
from db.enums.accounts import Role
from db.tables import GroupGuest as GuestRow
from db.tables import GroupPost as PostRow
from schema.channels.inputs import GroupIdArg, InviteGuestInput
from schema.channels.payloads import GroupPostPayload, GuestPayload
from schema.channels.types import GroupGuest, GroupPost
from schema.context import Info
from schema.permissions import MutationRoles
from schema.refusals import db_id, run_change

# A group's leader is a DELEGATE; whether this one leads this group is db.channels' rule.
MANAGERS = (Role.DELEGATE, Role.STAFF)
ONLY_MANAGERS = "Chỉ Tổ trưởng hoặc Văn phòng HĐND mới được mời hoặc gỡ khách mời."


@strawberry.type
class ChannelsMutation:
    @strawberry.mutation(
        extensions=[MutationRoles(*MANAGERS, message=ONLY_MANAGERS)],
        description="Invite an account into a delegate group's channel as a guest (mời khách). "
        "Allowed to the group's leader (Tổ trưởng) and STAFF.",
    )
    async def invite_guest(
        self,
        info: Info,
        group_id: GroupIdArg,
        input: Annotated[InviteGuestInput, strawberry.argument(description="Who is invited.")],
    ) -> GuestPayload:
        ctx = info.context
        data = GuestInput(input.account_sub, input.full_name, input.title, input.unit_code)

        async def work(session: AsyncSession) -> GuestRow:
            gid = db_id(group_id, "DelegateGroup", "groupId")
            return await db_channels.invite_guest(
                session, ctx.viewer, gid, data, ctx.today, ctx.request_id
            )

        row, errors = await run_change(info, work)
        return GuestPayload(guest=GroupGuest.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        extensions=[MutationRoles(*MANAGERS, message=ONLY_MANAGERS)],
        description="Remove a guest from a group's channel at once; their open `groupPosts` "
        "subscriptions end. Allowed to the group's leader and STAFF.",
    )
    async def remove_guest(
        self,
        info: Info,
        group_id: GroupIdArg,
        guest_id: Annotated[
            strawberry.ID, strawberry.argument(description="`id` of the GroupGuest to remove.")
        ],
    ) -> GuestPayload:
        ctx = info.context

        async def work(session: AsyncSession) -> GuestRow:
            gid = db_id(group_id, "DelegateGroup", "groupId")
            guest_pk = db_id(guest_id, "GroupGuest", "guestId")
            return await db_channels.remove_guest(
                session, ctx.viewer, gid, guest_pk, ctx.today, ctx.request_id
            )

        row, errors = await run_change(info, work)
        return GuestPayload(guest=GroupGuest.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        # Any account may be a group's guest: db.channels decides who posts in this group.
        extensions=[MutationRoles(*Role)],
        description="Post to a delegate group's channel (đăng bài): members of the group and its "
        "guests. The text is trimmed, 1–4,000 characters.",
    )
    async def post_to_group(
        self,
        info: Info,
        group_id: GroupIdArg,
        body: Annotated[str, strawberry.argument(description="The text, 1–4,000 characters.")],
    ) -> GroupPostPayload:
        ctx = info.context

        async def work(session: AsyncSession) -> PostRow:
            gid = db_id(group_id, "DelegateGroup", "groupId")
            return await db_channels.post_to_group(session, ctx.viewer, gid, body, ctx.today)

        row, errors = await run_change(info, work)
        return GroupPostPayload(post=GroupPost.from_row(row) if row else None, user_errors=errors)
