"""Reading a group's channel: `DelegateGroup.guests` and `.posts`, and `node(id:)` for a guest
or a post, for those db.channels.access_rule lets read it."""

from datetime import datetime

from db import channels as db_channels
from db.channels import Access
from db.pagination import Page
from db.tables import GroupPost as PostRow
from schema.channels.types import GroupGuest, GroupPost
from schema.context import Info
from schema.core.connections import counter
from schema.errors import refused
from schema.node import register_node
from schema.relay import Connection, decode_cursor, make_connection, page_size


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
    return make_connection(
        page.rows,
        page.has_next,
        key is not None,
        db_channels.post_key,
        GroupPost.from_row,
        counter(info, lambda session: db_channels.posts_count(session, group_id)),
    )


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
