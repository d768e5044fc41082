"""Delegate group channels (nhóm trao đổi của Tổ đại biểu) and live updates in GraphQL:
guests, posts, and the `groupPosts` / `petitionEvents` subscriptions.

Subscriptions read from the process's EventHub (one LISTEN connection per process): each
NOTIFY names an id, the row is read once per process and sent to every subscriber of the topic.
"""

import functools
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeVar

import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession

from db import channels as db_channels
from db import live as db_live
from db.accounts import account_topic
from db.channels import Access, ChannelRuleError, GuestInput
from db.clock import local as _local
from db.engine import Sessionmaker, transaction
from db.listener import GAP, EventHub, Subscriber, SubscriberTooSlow
from db.pagination import Page
from db.petition_access import can_view_petition
from db.tables import GroupGuest as GuestRow
from db.tables import GroupPost as PostRow
from db.tables import PetitionEvent as PetitionEventRow
from db.timeline import petition_topic
from schema.context import Info, tick
from schema.cost import most
from schema.errors import (
    UserError,
    UserErrorCode,
    bad_input,
    forbidden,
    refused,
    user_error,
)
from schema.loaders import Loaders
from schema.node import register_node
from schema.relay import (
    Connection,
    Node,
    decode_cursor,
    from_global_id,
    make_connection,
    not_an_id,
    page_size,
    pk_of,
    to_global_id,
)

if TYPE_CHECKING:
    from schema.council import AdministrativeUnit, DelegateGroup
    from schema.petitions import PetitionEvent

T = TypeVar("T")

GroupIdArg = Annotated[
    strawberry.ID, strawberry.argument(description="Global id of the delegate group.")
]

CHANNEL_READERS = "members of the group, its guests, STAFF, MONITOR and ADMIN"


# ---- types -------------------------------------------------------------------------------------


@strawberry.type(
    description="A guest of a delegate group's channel (khách mời): an account the group's "
    "leader or the council office invited, typically a district or commune council leader."
)
class GroupGuest(Node):
    full_name: str = strawberry.field(description="Full name (họ và tên).")
    title: str = strawberry.field(
        description="Position (chức vụ), e.g. «Chủ tịch HĐND xã Hỏa Lựu»."
    )
    invited_at: datetime = strawberry.field(description="When the guest was invited.")
    pk: strawberry.Private[int]
    group_id: strawberry.Private[int]
    unit_code: strawberry.Private[str | None]

    @classmethod
    def from_row(cls, row: GuestRow) -> "GroupGuest":
        assert row.id is not None
        return cls(
            id=to_global_id("GroupGuest", row.id),
            pk=row.id,
            group_id=row.group_id,
            unit_code=row.unit_code,
            full_name=row.full_name,
            title=row.title,
            invited_at=_local(row.invited_at),
        )

    @strawberry.field(
        description="The district or commune the guest comes from (đơn vị), if given."
    )
    async def unit(
        self, info: Info
    ) -> Annotated["AdministrativeUnit", strawberry.lazy("schema.council")] | None:
        from schema.council import AdministrativeUnit

        if self.unit_code is None:
            return None
        row = await info.context.loaders.unit_by_code.load(self.unit_code)
        return AdministrativeUnit.from_row(row) if row else None

    @strawberry.field(description="The delegate group whose channel the guest may use.")
    async def group(
        self, info: Info
    ) -> Annotated["DelegateGroup", strawberry.lazy("schema.council")]:
        return await _group_of(info, self.group_id)


@strawberry.type(
    description="A message in a delegate group's channel (bài viết trong nhóm trao đổi)."
)
class GroupPost(Node):
    author_name: str = strawberry.field(
        description="Name of the delegate or guest who wrote it, as it was when posted."
    )
    body: str = strawberry.field(description="The text (NFC), at most 4,000 characters.")
    created_at: datetime = strawberry.field(description="When it was posted.")
    pk: strawberry.Private[int]
    group_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: PostRow) -> "GroupPost":
        assert row.id is not None
        return cls(
            id=to_global_id("GroupPost", row.id),
            pk=row.id,
            group_id=row.group_id,
            author_name=row.author_name,
            body=row.body,
            created_at=_local(row.created_at),
        )

    @strawberry.field(description="The delegate group (Tổ đại biểu) whose channel holds it.")
    async def group(
        self, info: Info
    ) -> Annotated["DelegateGroup", strawberry.lazy("schema.council")]:
        return await _group_of(info, self.group_id)


async def _group_of(info: Info, group_id: int) -> "DelegateGroup":
    from schema.council import DelegateGroup

    row = await info.context.loaders.group_by_id.load(group_id)
    assert row is not None
    return DelegateGroup.from_row(row)


@strawberry.input(description="Who is invited to a group's channel.")
class InviteGuestInput:
    account_sub: str = strawberry.field(
        description="The guest's App Hậu Giang account (`sub` of their token); "
        "the account is created if it has not signed in yet."
    )
    full_name: str = strawberry.field(description="Full name, 1–120 characters.")
    title: str = strawberry.field(
        description="Position, 1–200 characters, e.g. «Chủ tịch HĐND huyện Phụng Hiệp»."
    )
    unit_code: str | None = strawberry.field(
        default=None, description="Code of the guest's district or commune (mã ĐVHC), if any."
    )


@strawberry.type(description="Result of inviting or removing a guest.")
class GuestPayload:
    guest: GroupGuest | None = strawberry.field(
        description="The guest invited or removed; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        directives=most(20), description="Why it was refused; empty on success."
    )


@strawberry.type(description="Result of posting to a group's channel.")
class GroupPostPayload:
    post: GroupPost | None = strawberry.field(description="The new post; null when refused.")
    user_errors: list[UserError] = strawberry.field(
        directives=most(20), description="Why it was refused; empty on success."
    )


# ---- reads (DelegateGroup.guests / .posts) ---------------------------------------------------


async def _read_access(info: Info, group_id: int) -> Access:
    """The viewer's access through the request's loaders (no N+1 over a list of groups)."""
    ctx = info.context
    viewer = ctx.viewer
    if not viewer.is_signed_in or viewer.account_id is None:
        return Access.NONE
    delegate = (
        await ctx.loaders.delegate_by_id.load(viewer.delegate_id)
        if viewer.delegate_id is not None
        else None
    )
    guest_groups = await ctx.loaders.guest_group_ids_by_account_id.load(viewer.account_id)
    return db_channels.access_rule(viewer, group_id, delegate, guest_groups, ctx.today)


async def _require_read(info: Info, group_id: int) -> None:
    if not (await _read_access(info, group_id)).can_read:
        raise refused(
            info.context.viewer,
            "Chỉ đại biểu của Tổ, khách mời và Văn phòng HĐND mới xem được kênh này.",
            "Cần đăng nhập để xem kênh trao đổi của Tổ đại biểu.",
        )


async def group_guests(info: Info, group_id: int) -> list[GroupGuest]:
    """DelegateGroup.guests."""
    await _require_read(info, group_id)
    rows = await info.context.loaders.guests_by_group_id.load(group_id)
    return [GroupGuest.from_row(r) for r in rows]


async def group_posts(
    info: Info, group_id: int, first: int | None, after: str | None
) -> Connection[GroupPost]:
    """DelegateGroup.posts: newest first, keyset pages; groups of one request share a query."""
    await _require_read(info, group_id)
    limit = page_size(first)
    key = decode_cursor(after, (datetime, int))
    page: Page[PostRow] = await info.context.loaders.posts_page_by_group.load(
        (group_id, limit, key)
    )
    sm = info.context.read

    async def count() -> int:
        async with sm() as session:
            return await db_channels.posts_count(session, group_id)

    return make_connection(
        page.rows, page.has_next, key is not None, db_channels.post_key, GroupPost.from_row, count
    )


# ---- mutations ---------------------------------------------------------------------------------


def _pk(value: str, type_name: str, field: str) -> int:
    pk = pk_of(value, type_name)
    if pk is None:
        raise ChannelRuleError("INVALID_INPUT", not_an_id(value, type_name), field)
    return pk


def _refused(exc: ChannelRuleError) -> list[UserError]:
    return [user_error(UserErrorCode(exc.code), exc.message, *exc.field)]


@strawberry.type
class ChannelsMutation:
    @strawberry.mutation(
        description="Invite an account into a delegate group's channel as a guest (mời khách). "
        "Allowed to the group's leader (Tổ trưởng) and STAFF."
    )
    async def invite_guest(
        self,
        info: Info,
        group_id: GroupIdArg,
        input: Annotated[InviteGuestInput, strawberry.argument(description="Who is invited.")],
    ) -> GuestPayload:
        ctx = info.context
        data = GuestInput(input.account_sub, input.full_name, input.title, input.unit_code)
        try:
            gid = _pk(group_id, "DelegateGroup", "groupId")
            async with transaction(ctx.sessionmaker) as session:
                row = await db_channels.invite_guest(
                    session, ctx.viewer, gid, data, ctx.today, ctx.request_id
                )
        except ChannelRuleError as exc:
            return GuestPayload(guest=None, user_errors=_refused(exc))
        return GuestPayload(guest=GroupGuest.from_row(row), user_errors=[])

    @strawberry.mutation(
        description="Remove a guest from a group's channel at once; their open `groupPosts` "
        "subscriptions end. Allowed to the group's leader and STAFF."
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
        try:
            gid = _pk(group_id, "DelegateGroup", "groupId")
            guest_pk = _pk(guest_id, "GroupGuest", "guestId")
            async with transaction(ctx.sessionmaker) as session:
                row = await db_channels.remove_guest(
                    session, ctx.viewer, gid, guest_pk, ctx.today, ctx.request_id
                )
        except ChannelRuleError as exc:
            return GuestPayload(guest=None, user_errors=_refused(exc))
        return GuestPayload(guest=GroupGuest.from_row(row), user_errors=[])

    @strawberry.mutation(
        description="Post to a delegate group's channel (đăng bài): members of the group and its "
        "guests. The text is trimmed, 1–4,000 characters."
    )
    async def post_to_group(
        self,
        info: Info,
        group_id: GroupIdArg,
        body: Annotated[str, strawberry.argument(description="The text, 1–4,000 characters.")],
    ) -> GroupPostPayload:
        ctx = info.context
        try:
            gid = _pk(group_id, "DelegateGroup", "groupId")
            async with transaction(ctx.sessionmaker) as session:
                row = await db_channels.post_to_group(session, ctx.viewer, gid, body, ctx.today)
        except ChannelRuleError as exc:
            return GroupPostPayload(post=None, user_errors=_refused(exc))
        return GroupPostPayload(post=GroupPost.from_row(row), user_errors=[])


# ---- subscriptions -----------------------------------------------------------------------------

TOO_SLOW = "Kết nối nhận sự kiện chậm hơn tốc độ phát; hãy đăng ký lại và tải lại danh sách."


def _hub(info: Info) -> EventHub:
    hub = info.context.events
    if hub is None:
        raise GraphQLError(
            "Máy chủ chưa bật cập nhật trực tiếp.", extensions={"code": "UNAVAILABLE"}
        )
    return hub


async def _read_row(
    sm: Sessionmaker, fetch: Callable[..., Awaitable[dict[int, T]]], pk: int
) -> T | None:
    async with sm() as session:
        return (await fetch(session, [pk])).get(pk)


def _fresh_loaders(info: Info) -> None:
    # A WebSocket connection lives for hours: each event gets loaders of its own, not a cache
    # filled when the connection opened.
    ctx = info.context
    ctx.loaders = Loaders(ctx.read, ctx.today)


Row = TypeVar("Row", PostRow, PetitionEventRow)


async def _rows_after_events(
    info: Info,
    inbox: Subscriber,
    last_id: int,
    *,
    id_key: str,
    kind: str,
    by_ids: Callable[..., Awaitable[dict[int, Row]]],
    after: Callable[[AsyncSession, int], Awaitable[list[Row]]],
    recheck: Callable[[], Awaitable[None]],
) -> AsyncGenerator[Row, None]:
    """The rows a subscription announces, in order, each once: a NOTIFY names a row by
    `id_key` (read once per process however many subscribers wait for it); a gap after the
    listener reconnected is filled from the table (`after`). An event naming the viewer's
    account (its role, delegate link or guest seat changed), or a gap in which one may have been
    missed, makes the subscription `recheck` its access (which raises to end it)."""
    ctx = info.context
    hub = _hub(info)
    try:
        while True:
            try:
                item = await inbox.get()
            except SubscriberTooSlow:
                raise GraphQLError(TOO_SLOW, extensions={"code": "TOO_SLOW"}) from None
            # Each event is a moment of its own: the rules it meets use the clock as it arrives.
            tick()
            rows: list[Row] = []
            if item is GAP:
                await recheck()
                async with ctx.read() as session:
                    rows = await after(session, last_id)
            elif isinstance(item, dict) and id_key in item:
                row_id = int(item[id_key])
                if row_id <= last_id:
                    continue
                load = functools.partial(_read_row, ctx.read, by_ids, row_id)
                row = await hub.shared((kind, row_id), load)
                rows = [row] if row is not None else []
            elif (
                isinstance(item, dict)
                and ctx.viewer.account_id is not None
                and item.get("accountId") == ctx.viewer.account_id
            ):
                await recheck()
            for row in rows:
                assert row.id is not None
                last_id = max(last_id, row.id)
                yield row
    finally:
        inbox.close()


def _topics(info: Info, topic: str) -> Subscriber:
    """An inbox for `topic`, and for the viewer's account so a change of its access is heard."""
    viewer = info.context.viewer
    more = (account_topic(viewer.account_id),) if viewer.account_id is not None else ()
    return _hub(info).subscribe(topic, *more)


async def _reload_viewer(info: Info) -> None:
    """Read the account again, as a new request would (role, delegate link)."""
    ctx = info.context
    if ctx.reload_viewer is not None:
        ctx.viewer = await ctx.reload_viewer()


async def _post_stream(
    info: Info, group_id: int, inbox: Subscriber, last_id: int
) -> AsyncGenerator[GroupPost, None]:
    ctx = info.context

    async def recheck() -> None:
        await _reload_viewer(info)
        async with ctx.read() as session:
            access = await db_channels.channel_access(session, ctx.viewer, group_id, ctx.today)
        if not access.can_read:
            raise forbidden("Bạn không còn quyền theo dõi kênh trao đổi này.")

    async for row in _rows_after_events(
        info,
        inbox,
        last_id,
        id_key="postId",
        kind="post",
        by_ids=db_channels.posts_by_ids,
        after=lambda session, since: db_channels.posts_after(session, group_id, since),
        recheck=recheck,
    ):
        _fresh_loaders(info)
        yield GroupPost.from_row(row)


async def _petition_event_stream(
    info: Info, petition_id: int, inbox: Subscriber, last_id: int
) -> AsyncGenerator["PetitionEvent", None]:
    from schema.petitions import PetitionEvent

    ctx = info.context

    async def recheck() -> None:
        await _reload_viewer(info)
        async with ctx.read() as session:
            allowed = await can_view_petition(session, ctx.viewer, petition_id, ctx.today)
        if not allowed:
            raise forbidden("Bạn không còn quyền theo dõi kiến nghị này.")

    async for row in _rows_after_events(
        info,
        inbox,
        last_id,
        id_key="eventId",
        kind="petition_event",
        by_ids=db_live.petition_events_by_ids,
        after=lambda session, since: db_live.petition_events_after(session, petition_id, since),
        recheck=recheck,
    ):
        yield PetitionEvent.from_row(row)


@strawberry.type
class ChannelsSubscription:
    @strawberry.subscription(
        description="New posts of a delegate group's channel, as they are made on any server "
        f"process. For {CHANNEL_READERS}; a guest's subscription ends when they are removed."
    )
    async def group_posts(self, info: Info, group_id: GroupIdArg) -> AsyncIterator[GroupPost]:
        ctx = info.context
        gid = from_global_id(group_id, "DelegateGroup", "groupId")
        # Listen first, then check: nothing committed after the check can slip between them.
        inbox = _topics(info, db_channels.group_topic(gid))
        try:
            async with ctx.read() as session:
                try:
                    access = await db_channels.channel_access(session, ctx.viewer, gid, ctx.today)
                except ChannelRuleError as exc:
                    raise bad_input(exc.message, "groupId") from None
                if not access.can_read:
                    raise refused(
                        ctx.viewer,
                        "Chỉ đại biểu của Tổ, khách mời và Văn phòng HĐND mới theo dõi được kênh này.",
                        "Cần đăng nhập để theo dõi kênh trao đổi của Tổ.",
                    )
                since = await db_channels.latest_post_id(session, gid)
            inbox.establish()
        except BaseException:
            inbox.close()
            raise
        return _post_stream(info, gid, inbox, since)

    @strawberry.subscription(
        description="New steps of a petition's timeline (acknowledged, forwarded, answered, …) as "
        "they happen. For whoever may see the petition: anyone for a PUBLIC one; for a PRIVATE one "
        "its submitter, the addressed delegate and group, STAFF, MONITOR and ADMIN."
    )
    async def petition_events(
        self,
        info: Info,
        petition_id: Annotated[
            strawberry.ID, strawberry.argument(description="Global id of the petition.")
        ],
    ) -> AsyncIterator[Annotated["PetitionEvent", strawberry.lazy("schema.petitions")]]:
        ctx = info.context
        pid = from_global_id(petition_id, "Petition", "petitionId")
        inbox = _topics(info, petition_topic(pid))
        try:
            async with ctx.read() as session:
                # A hidden petition and a missing one answer alike: nothing about it leaks.
                if not await can_view_petition(session, ctx.viewer, pid, ctx.today):
                    raise refused(
                        ctx.viewer,
                        "Không có kiến nghị này, hoặc bạn không có quyền theo dõi nó.",
                        "Không có kiến nghị này, hoặc cần đăng nhập để theo dõi nó.",
                    )
                since = await db_live.latest_petition_event_id(session, pid)
            inbox.establish()
        except BaseException:
            inbox.close()
            raise
        return _petition_event_stream(info, pid, inbox, since)


# ---- node(id:) -----------------------------------------------------------------------------------


async def _post_node(info: Info, pk: int) -> GroupPost | None:
    row = await info.context.loaders.post_by_id.load(pk)
    if row is None or not (await _read_access(info, row.group_id)).can_read:
        return None
    return GroupPost.from_row(row)


async def _guest_node(info: Info, pk: int) -> GroupGuest | None:
    row = await info.context.loaders.guest_by_id.load(pk)
    if row is None or not (await _read_access(info, row.group_id)).can_read:
        return None
    return GroupGuest.from_row(row)


register_node("GroupPost", _post_node)
register_node("GroupGuest", _guest_node)
