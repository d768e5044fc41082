"""What each notification says, in Vietnamese. Only what its recipient already sees: the
submitter their own petition's title and code, a delegate or an agency the petition addressed
or forwarded to it, a group's members its channel; never a submitter's name or phone."""

from datetime import datetime
from typing import Any

from db.clock import local
from db.enums.outbox import NotificationKind
from db.tables import GroupPost, Petition

EXCERPT = 120

STATUS_WORDS = {
    "ACKNOWLEDGED": "đã được tiếp nhận",
    "FORWARDED": "đã được chuyển đến cơ quan có thẩm quyền",
    "ANSWERED": "đã có trả lời",
    "REJECTED": "không được tiếp nhận",
}
STEP_KINDS = {
    "ACKNOWLEDGED": NotificationKind.PETITION_ACKNOWLEDGED,
    "FORWARDED": NotificationKind.PETITION_FORWARDED,
    "ANSWERED": NotificationKind.PETITION_ANSWERED,
    "REJECTED": NotificationKind.PETITION_REJECTED,
}


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """The start of `text`, cut at a word, with an ellipsis when cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def _petition_data(row: Petition) -> dict[str, Any]:
    return {"petition": row.id, "trackingCode": row.tracking_code, "status": row.status}


def petition_step(row: Petition) -> dict[str, Any]:
    """To the submitter: their petition moved a step (acknowledged, forwarded, answered,
    rejected)."""
    words = STATUS_WORDS[row.status]
    body = f"Kiến nghị «{excerpt(row.title, 80)}» của bạn {words}."
    if row.status == "FORWARDED" and row.forwarded_agency:
        body = f"Kiến nghị «{excerpt(row.title, 80)}» của bạn đã được chuyển đến {row.forwarded_agency}."
    if row.status == "ANSWERED" and row.answer_respondent:
        body = f"{row.answer_respondent} đã trả lời kiến nghị «{excerpt(row.title, 80)}» của bạn."
    return {
        "title": f"Kiến nghị {row.tracking_code} {words}",
        "body": body,
        "data": _petition_data(row),
        "template": {
            "ma_kien_nghi": row.tracking_code,
            "tieu_de": excerpt(row.title, 80),
            "trang_thai": words,
        },
    }


def petition_received(row: Petition, agency_name: str | None = None) -> dict[str, Any]:
    """To the addressed delegates (a new petition in the inbox), or to an agency's accounts
    (a petition forwarded to it)."""
    where = f"chuyển đến {agency_name}" if agency_name else "gửi đến bạn"
    return {
        "title": "Có kiến nghị mới",
        "body": f"Kiến nghị «{excerpt(row.title, 80)}» ({row.tracking_code}) vừa được {where}.",
        "data": _petition_data(row),
        "template": {"ma_kien_nghi": row.tracking_code, "tieu_de": excerpt(row.title, 80)},
    }


def petition_returned(row: Petition, agency_name: str, reason: str) -> dict[str, Any]:
    """To the addressed delegates: the agency sent the petition back, with its reason."""
    return {
        "title": "Kiến nghị bị cơ quan trả lại",
        "body": f"{agency_name} trả lại kiến nghị {row.tracking_code}: {excerpt(reason)}",
        "data": _petition_data(row),
        "template": {"ma_kien_nghi": row.tracking_code, "co_quan": agency_name},
    }


def group_post(post: GroupPost, group_name: str) -> dict[str, Any]:
    """To the group's members and guests: a post in the channel they read."""
    return {
        "title": f"Bài mới trong {group_name}",
        "body": f"{post.author_name}: {excerpt(post.body)}",
        "data": {"group": post.group_id, "post": post.id},
        "template": {"nhom": group_name, "tac_gia": post.author_name},
    }


def voter_meeting(group_name: str, starts_at: datetime, place: str) -> dict[str, Any]:
    """To citizens of the meeting's communes: where and when their delegates meet voters (all
    public: the meeting is listed by `voterMeetings`)."""
    when = local(starts_at)
    return {
        "title": "Đại biểu tiếp xúc cử tri",
        "body": f"{group_name} tiếp xúc cử tri lúc {when:%H:%M} ngày {when:%d/%m/%Y} tại {place}.",
        "data": {},
        "template": {
            "to_dai_bieu": group_name,
            "thoi_gian": f"{when:%H:%M %d/%m/%Y}",
            "dia_diem": place,
        },
    }
