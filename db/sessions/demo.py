"""Demo contributions for `hdnd seed --demo`: the closed and in-progress demo sessions get a
believable mix (most delegates compliant, some with a question only, some with nothing, one
excused per session), so the compliance view and the CSV show every status at once."""

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.serving import serving_during
from db.tables import Contribution, CouncilSession, Delegate, ExcusedAbsence

TOPICS = (
    ("Giải ngân vốn đầu tư công", "Giám đốc Sở Kế hoạch và Đầu tư"),
    ("Sạt lở bờ sông Cái Lớn", "Giám đốc Sở Nông nghiệp và Môi trường"),
    ("Quá tải Bệnh viện Đa khoa tỉnh", "Giám đốc Sở Y tế"),
    ("Thiếu giáo viên mầm non", "Giám đốc Sở Giáo dục và Đào tạo"),
    ("Cấp giấy chứng nhận quyền sử dụng đất", "Chủ tịch UBND huyện Châu Thành A"),
)


async def seed_contributions(session: AsyncSession) -> int:
    """Contributions at every demo session in progress or closed that has none yet; returns
    how many were added (none on a second run)."""
    sessions = (
        (
            await session.execute(
                sa.select(CouncilSession)
                .where(col(CouncilSession.status) != "UPCOMING")
                .order_by(col(CouncilSession.starts_on))
            )
        )
        .scalars()
        .all()
    )
    added = 0
    for row in sessions:
        assert row.id is not None
        has_any = (
            await session.execute(
                sa.select(sa.func.count())
                .select_from(Contribution)
                .where(col(Contribution.session_id) == row.id)
            )
        ).scalar_one()
        if has_any:
            continue
        delegates = (
            (
                await session.execute(
                    sa.select(Delegate)
                    .where(serving_during(row.starts_on, row.ends_on))
                    .order_by(col(Delegate.id))
                )
            )
            .scalars()
            .all()
        )
        # An in-progress session is half-way: fewer delegates have spoken yet.
        quiet_every = 3 if row.status == "IN_PROGRESS" else 7
        for i, delegate in enumerate(delegates):
            assert delegate.id is not None
            topic, addressee = TOPICS[(i + row.number) % len(TOPICS)]
            if i == 3:
                session.add(
                    ExcusedAbsence(
                        session_id=row.id,
                        delegate_id=delegate.id,
                        reason="Đi công tác theo phân công",
                    )
                )
                continue
            if i % quiet_every == 0:
                continue
            kinds = ["QUESTION"] if i % 5 == 1 else ["DISCUSSION", "QUESTION"]
            for kind in kinds:
                session.add(
                    Contribution(
                        session_id=row.id,
                        delegate_id=delegate.id,
                        kind=kind,
                        venue="PLENARY" if kind == "QUESTION" else "GROUP",
                        topic=topic,
                        summary=f"Đại biểu đề nghị làm rõ giải pháp về {topic.lower()} trong năm tới.",
                        addressee=addressee if kind == "QUESTION" else None,
                    )
                )
                added += 1
    await session.flush()
    return added
