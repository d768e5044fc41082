"""Delegate group channels (nhóm trao đổi của Tổ đại biểu) and live updates in GraphQL.

types (GroupGuest, GroupPost), reads (DelegateGroup.guests / .posts, node), inputs, payloads,
mutations (ChannelsMutation), subscriptions (groupPosts, petitionEvents)."""

from schema.channels.mutations import ChannelsMutation
from schema.channels.reads import group_guests, group_posts
from schema.channels.subscriptions import ChannelsSubscription
from schema.channels.types import GroupGuest, GroupPost

__all__ = [
    "ChannelsMutation",
    "ChannelsSubscription",
    "GroupGuest",
    "GroupPost",
    "group_guests",
    "group_posts",
]
