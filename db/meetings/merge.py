"""Merging duplicate petitions (STAFF): the same concern raised by several voters, at meetings
or in the app, counted once.

The duplicates stay (their submitters still see their own petition) and point to the one kept
(`merged_into_id`); the one kept adds up their voters (`voter_count`), takes their supporters
(a citizen who supported two of them counts once, and the kept petition's own submitter not at
all) and the meetings where they were raised. Petitions merged earlier into a duplicate follow it,
so a merged petition always points straight at a petition that is not merged. Every petition
touched gets a timeline event, and the change an audit row, in the caller's transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.audit import audit
from db.enums.petitions import OPEN_STATUSES, PetitionStatus
from db.meetings.rules import MAX_MERGED, RefusedItems
from db.refused import Refusal, Refused, sign_in_first
from db.tables import MeetingConcern, Petition, PetitionSupport
from db.timeline import append_event
from db.viewer import Role, Viewer

MERGERS = (Role.STAFF,)
# A duplicate still waiting for its answer; one answered keeps its own answer.
MERGEABLE = frozenset(
    {
        PetitionStatus.SUBMITTED.value,
        PetitionStatus.ACKNOWLEDGED.value,
        PetitionStatus.FORWARDED.value,
    }
)


@dataclass(frozen=True)
class Merged:
    petition: Petition  # the one kept
    duplicates: list[Petition]


async def merge_petitions(
    session: AsyncSession,
    viewer: Viewer,
    petition_id: int,
    duplicate_ids: Sequence[int],
    *,
    now: datetime,
    request_id: str | None = None,
) -> Merged:
    """Merge `duplicate_ids` (awaiting an answer) into `petition_id` (open, PUBLIC); none
    merged already."""
    needs = sign_in_first(viewer)
    if needs is not None:
        raise Refused(*needs)
    if not viewer.has_role(*MERGERS):
        raise Refused(Refusal.FORBIDDEN, "Chỉ Văn phòng HĐND được gộp kiến nghị trùng.")
    wanted = list(dict.fromkeys(duplicate_ids))
    if not wanted:
        raise Refused(
            Refusal.INVALID_INPUT, "Cần chọn ít nhất một kiến nghị trùng.", "duplicateIds"
        )
    if len(wanted) > MAX_MERGED:
        raise Refused(
            Refusal.INVALID_INPUT, f"Mỗi lần gộp tối đa {MAX_MERGED} kiến nghị.", "duplicateIds"
        )
    if petition_id in wanted:
        raise Refused(
            Refusal.INVALID_INPUT,
            "Kiến nghị được giữ lại không thể là kiến nghị trùng của chính nó.",
            "duplicateIds",
            str(wanted.index(petition_id)),
        )
    # Locked in id order, so two merges touching the same petitions wait for each other.
    rows = (
        await session.execute(
            sa.select(Petition)
            .where(col(Petition.id).in_([petition_id, *wanted]))
            .order_by(col(Petition.id))
            .with_for_update()
        )
    ).scalars()
    found = {p.id: p for p in rows}
    kept = found.get(petition_id)
    if kept is None:
        raise Refused(Refusal.NOT_FOUND, "Không tìm thấy kiến nghị này.", "petitionId")
    open_statuses = {str(s) for s in OPEN_STATUSES}
    if kept.merged_into_id is not None:
        raise Refused(
            Refusal.INVALID_TRANSITION,
            "Kiến nghị này đã được gộp vào kiến nghị khác; hãy gộp vào kiến nghị đó.",
            "petitionId",
        )
    if kept.status not in open_statuses:
        raise Refused(
            Refusal.INVALID_TRANSITION,
            "Chỉ gộp vào kiến nghị còn đang xử lý.",
            "petitionId",
        )
    if kept.visibility != "PUBLIC":
        raise Refused(
            Refusal.INVALID_INPUT,
            "Kiến nghị được giữ lại phải công khai, để người gửi các kiến nghị trùng theo dõi được.",
            "petitionId",
        )
    problems: list[Refused] = []
    duplicates: list[Petition] = []
    for i, pk in enumerate(wanted):
        at = ("duplicateIds", str(i))
        dup = found.get(pk)
        if dup is None:
            problems.append(Refused(Refusal.NOT_FOUND, "Không tìm thấy kiến nghị này.", *at))
        elif dup.merged_into_id is not None:
            problems.append(
                Refused(Refusal.INVALID_TRANSITION, "Kiến nghị này đã được gộp trước đó.", *at)
            )
        elif dup.status not in MERGEABLE:
            problems.append(
                Refused(
                    Refusal.INVALID_TRANSITION,
                    "Kiến nghị đã được trả lời, đã đóng hoặc bị từ chối không gộp được.",
                    *at,
                )
            )
        else:
            duplicates.append(dup)
    if problems:
        raise RefusedItems(problems)

    dup_ids = [d.id for d in duplicates]
    # Earlier merges into a duplicate now point at the petition kept.
    await session.execute(
        sa.update(Petition)
        .where(col(Petition.merged_into_id).in_(dup_ids))
        .values(merged_into_id=petition_id)
    )
    # Supporters of the duplicates support the petition kept (once each; never its submitter).
    supporters = sa.select(
        sa.literal(petition_id), col(PetitionSupport.account_id), col(PetitionSupport.supported_at)
    ).where(col(PetitionSupport.petition_id).in_(dup_ids))
    if kept.submitter_account_id is not None:
        supporters = supporters.where(col(PetitionSupport.account_id) != kept.submitter_account_id)
    await session.execute(
        insert(PetitionSupport)
        .from_select(["petition_id", "account_id", "supported_at"], supporters)
        .on_conflict_do_nothing()
    )
    # The meetings where the duplicates were raised raised the petition kept too.
    await session.execute(
        insert(MeetingConcern)
        .from_select(
            ["meeting_id", "petition_id", "position"],
            sa.select(
                col(MeetingConcern.meeting_id),
                sa.literal(petition_id),
                col(MeetingConcern.position),
            ).where(col(MeetingConcern.petition_id).in_(dup_ids)),
        )
        .on_conflict_do_nothing()
    )
    support_count = (
        await session.execute(
            sa.select(sa.func.count())
            .select_from(PetitionSupport)
            .where(col(PetitionSupport.petition_id) == petition_id)
        )
    ).scalar_one()
    kept.voter_count += sum(d.voter_count for d in duplicates)
    kept.support_count = int(support_count)
    kept.updated_at = now
    for dup in duplicates:
        dup.merged_into_id = petition_id
        dup.merged_at = now
        dup.updated_at = now
    await session.flush()
    for dup in duplicates:
        assert dup.id is not None
        await append_event(
            session,
            dup.id,
            dup.status,
            viewer,
            f"Gộp vào kiến nghị {kept.tracking_code} cùng nội dung; theo dõi kết quả tại đó.",
            at=now,
        )
    codes = ", ".join(d.tracking_code for d in duplicates)
    await append_event(
        session,
        petition_id,
        kept.status,
        viewer,
        f"Gộp {len(duplicates)} kiến nghị trùng nội dung: {codes}.",
        at=now,
    )
    await audit(
        session,
        viewer,
        "petition.merge",
        "petition",
        petition_id,
        request_id=request_id,
        details={"duplicateIds": dup_ids},
    )
    return Merged(kept, duplicates)
