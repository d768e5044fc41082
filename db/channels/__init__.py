"""Delegate group channels: who may read and write a group's channel (rules), guests and posts
(reads, writes), the demo's exchange (demo)."""

from db.channels.demo import DEMO_GUEST_SUB, seed_demo_channel
from db.channels.reads import (
    PostKey,
    guest_group_ids_by_account_ids,
    guests_by_group_ids,
    guests_by_ids,
    latest_post_id,
    post_key,
    posts_after,
    posts_by_ids,
    posts_count,
    posts_pages_by_group_ids,
)
from db.channels.rules import Access, access_rule, channel_access, group_topic
from db.channels.writes import GuestInput, invite_guest, post_to_group, remove_guest

__all__ = [
    "DEMO_GUEST_SUB",
    "Access",
    "GuestInput",
    "PostKey",
    "access_rule",
    "channel_access",
    "group_topic",
    "guest_group_ids_by_account_ids",
    "guests_by_group_ids",
    "guests_by_ids",
    "invite_guest",
    "latest_post_id",
    "post_key",
    "post_to_group",
    "posts_after",
    "posts_by_ids",
    "posts_count",
    "posts_pages_by_group_ids",
    "remove_guest",
    "seed_demo_channel",
]
