"""Live updates in GraphQL: the `groupPosts` and `petitionEvents` subscriptions.

Subscriptions read from the process's EventHub (one LISTEN connection per process): each
NOTIFY names an id, the row is read once per process and sent to every subscriber of the topic.
"""

import functools
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import strawberry
from graphql import GraphQLError
from sqlalchemy.ext.asyncio import AsyncSession

from db import channels as db_channels
from db import live as db_live
from db.accounts import account_topic
from db.engine import Sessionmaker
from db.listener import GAP, EventHub, Subscriber, SubscriberTooSlow
from db.petition_access import can_view_petition
from db.refused import Refused
from db.tables import GroupPost as PostRow
from db.tables import PetitionEvent as PetitionEventRow
from db.timeline import petition_topic
from schema.channels.inputs import GroupIdArg
from schema.channels.types import GroupPost
from schema.context import Info, tick
from schema.errors import bad_input, forbidden, refused
from schema.loaders import Loaders
from schema.relay import from_global_id

if TYPE_CHECKING:
    from schema.petitions import PetitionEvent

T = TypeVar("T")

CHANNEL_READERS = "members of the group, its guests, STAFF, MONITOR and ADMIN"

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


async def _listen(
    info: Info, topic: str, start: Callable[[AsyncSession], Awaitable[int]]
) -> tuple[Subscriber, int]:
    """An inbox for `topic`, then `start`: it checks the viewer may follow it (raising when not)
    and says the last id already sent. Listen first, then check: nothing committed after the
    check can slip between them. The inbox is closed if anything fails."""
    inbox = _topics(info, topic)
    try:
        async with info.context.read() as session:
            since = await start(session)
        inbox.establish()
    except BaseException:
        inbox.close()
        raise
    return inbox, since


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

        async def start(session: AsyncSession) -> int:
            try:
                access = await db_channels.channel_access(session, ctx.viewer, gid, ctx.today)
            except Refused as exc:
                raise bad_input(exc.message, "groupId") from None
            if not access.can_read:
                raise refused(
                    ctx.viewer,
                    "Chỉ đại biểu của Tổ, khách mời và Văn phòng HĐND mới theo dõi được kênh này.",
                    "Cần đăng nhập để theo dõi kênh trao đổi của Tổ.",
                )
            return await db_channels.latest_post_id(session, gid)

        inbox, since = await _listen(info, db_channels.group_topic(gid), start)
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

        async def start(session: AsyncSession) -> int:
            # A hidden petition and a missing one answer alike: nothing about it leaks.
            if not await can_view_petition(session, ctx.viewer, pid, ctx.today):
                raise refused(
                    ctx.viewer,
                    "Không có kiến nghị này, hoặc bạn không có quyền theo dõi nó.",
                    "Không có kiến nghị này, hoặc cần đăng nhập để theo dõi nó.",
                )
            return await db_live.latest_petition_event_id(session, pid)

        inbox, since = await _listen(info, petition_topic(pid), start)
        return _petition_event_stream(info, pid, inbox, since)
