"""Enumerations of the outbox: what is told, by which channel, and how far its delivery got."""

from enum import StrEnum


class NotificationKind(StrEnum):
    """What a notification tells (loại thông báo)."""

    PETITION_ACKNOWLEDGED = "PETITION_ACKNOWLEDGED"
    PETITION_FORWARDED = "PETITION_FORWARDED"
    PETITION_ANSWERED = "PETITION_ANSWERED"
    PETITION_REJECTED = "PETITION_REJECTED"
    PETITION_RECEIVED = "PETITION_RECEIVED"
    PETITION_RETURNED = "PETITION_RETURNED"
    GROUP_POST = "GROUP_POST"
    VOTER_MEETING = "VOTER_MEETING"


class Channel(StrEnum):
    """How a notification reaches its recipient (kênh gửi)."""

    PUSH = "PUSH"
    ZALO = "ZALO"


class OutboxState(StrEnum):
    """How far one delivery got: waiting (or retrying), delivered, given up after the last
    attempt (dead letter), or skipped because its channel is not configured."""

    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    DEAD = "DEAD"
    SKIPPED = "SKIPPED"
