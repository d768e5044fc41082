"""Realistic petitions in bulk: the demo's few hundred per status, and `hdnd seed --petitions N`
for a million (benchmarks). Rows go in with COPY (asyncpg `copy_records_to_table`), each batch in
its own transaction or savepoint, with their timeline events and supports, so every invariant
of the live system holds (support_count = supports, a timeline event per step).

Most of a row's cost is the server's: the search index (`hdnd_grams`, about 250 keys a petition)
is kept up to date as rows arrive, and building it afresh after a load costs as much, so it is
not dropped around one. `copy_petitions_together` spreads a load over several connections
instead: each server process indexes its batches while this one makes the next.
"""

import asyncio
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from db import clock
from db.enums.petitions import PetitionCategory, PetitionStatus
from db.tracking import new_tracking_code

# ---- what petitions say -----------------------------------------------------------------------

PLACES = ["ấp 1", "ấp 2", "ấp 3", "ấp Tân Phú", "ấp Long Hòa", "khu vực 4", "khu vực Thạnh Lợi",
          "ấp Mỹ Hiệp", "ấp Xẻo Cao", "khu vực 2"]  # fmt: skip

TOPICS: dict[str, list[tuple[str, str]]] = {
    "LAND_HOUSING": [
        ("Chậm cấp giấy chứng nhận quyền sử dụng đất ở {place}",
         "Hồ sơ cấp giấy chứng nhận quyền sử dụng đất của nhiều hộ dân {place}, {commune} đã nộp hơn một năm nhưng chưa được giải quyết, đề nghị cơ quan chức năng xem xét đẩy nhanh tiến độ."),
        ("Bồi thường giải phóng mặt bằng dự án đường tránh chưa thỏa đáng",
         "Người dân {place}, {commune} bị thu hồi đất cho dự án nhưng đơn giá bồi thường thấp hơn giá thị trường, đề nghị xem xét lại phương án bồi thường, hỗ trợ tái định cư."),
        ("Tranh chấp ranh giới đất kéo dài",
         "Việc tranh chấp ranh đất giữa các hộ ở {place} kéo dài nhiều năm, hòa giải ở {commune} chưa thành, đề nghị {district} sớm giải quyết dứt điểm."),
    ],
    "INFRASTRUCTURE_TRANSPORT": [
        ("Đường liên ấp {place} xuống cấp nghiêm trọng",
         "Tuyến đường liên ấp qua {place}, {commune} bị bong tróc, ổ gà nhiều, mùa mưa ngập sâu, học sinh và người dân đi lại rất khó khăn. Đề nghị sớm đầu tư sửa chữa."),
        ("Cầu kênh {place} yếu, không an toàn",
         "Cây cầu bắc qua kênh ở {place}, {commune} đã xuống cấp, lan can gãy, xe máy qua lại nguy hiểm. Đề nghị kiểm tra, gia cố hoặc xây mới."),
        ("Thiếu đèn chiếu sáng trên tuyến đường {place}",
         "Đoạn đường dài khoảng 2 km ở {place}, {commune} chưa có đèn chiếu sáng, ban đêm xảy ra nhiều vụ va quẹt. Đề nghị lắp đặt hệ thống đèn đường."),
    ],
    "ENVIRONMENT": [
        ("Rác thải tồn đọng ven kênh {place}",
         "Rác sinh hoạt bị đổ xuống kênh ở {place}, {commune} gây ô nhiễm, bốc mùi. Đề nghị tăng tần suất thu gom và bố trí điểm tập kết rác."),
        ("Trại heo gây ô nhiễm môi trường",
         "Một trại chăn nuôi heo ở {place}, {commune} xả nước thải chưa qua xử lý ra kênh, mùi hôi ảnh hưởng sức khỏe người dân xung quanh. Đề nghị kiểm tra, xử lý."),
        ("Sạt lở bờ sông đe dọa nhà dân",
         "Bờ sông đoạn qua {place}, {commune} sạt lở ngày càng nghiêm trọng, nhiều nhà dân có nguy cơ bị cuốn trôi. Đề nghị có phương án kè chống sạt lở."),
    ],
    "HEALTH": [
        ("Trạm y tế {commune} thiếu bác sĩ",
         "Trạm y tế {commune} hiện chỉ có y sĩ, người dân {place} phải lên tuyến huyện để khám bệnh. Đề nghị bố trí thêm bác sĩ về trạm."),
        ("Thủ tục thanh toán bảo hiểm y tế phiền hà",
         "Người dân {commune} phản ánh thủ tục thanh toán bảo hiểm y tế tại bệnh viện {district} còn rườm rà, phải chờ đợi lâu. Đề nghị cải tiến quy trình."),
    ],
    "EDUCATION": [
        ("Trường tiểu học điểm {place} xuống cấp",
         "Phòng học ở điểm trường {place}, {commune} bị dột, bàn ghế hư hỏng, ảnh hưởng việc học của các em. Đề nghị đầu tư sửa chữa trước năm học mới."),
        ("Thiếu giáo viên tiếng Anh và tin học",
         "Các trường ở {commune} thiếu giáo viên tiếng Anh và tin học theo chương trình mới. Đề nghị {district} bố trí đủ giáo viên."),
    ],
    "SOCIAL_WELFARE": [
        ("Chậm chi trả trợ cấp cho người cao tuổi",
         "Nhiều người cao tuổi ở {place}, {commune} chưa nhận được trợ cấp xã hội hai tháng gần đây. Đề nghị kiểm tra, chi trả kịp thời."),
        ("Xét duyệt hộ nghèo chưa công bằng",
         "Việc bình xét hộ nghèo, cận nghèo năm nay ở {place}, {commune} chưa khách quan, có hộ khó khăn nhưng không được xét. Đề nghị rà soát lại."),
    ],
    "AGRICULTURE": [
        ("Cống thủy lợi {place} hư hỏng, ruộng bị ngập",
         "Cống thủy lợi ở {place}, {commune} bị hư, không điều tiết được nước, hàng chục héc-ta lúa bị ngập úng. Đề nghị sửa chữa khẩn cấp."),
        ("Giá lúa thấp, khó tiêu thụ nông sản",
         "Nông dân {commune} bán lúa với giá thấp, thương lái ép giá. Đề nghị tỉnh có giải pháp liên kết tiêu thụ, hỗ trợ người trồng lúa và khóm."),
        ("Vật tư nông nghiệp kém chất lượng",
         "Người dân {place}, {commune} mua phải phân bón giả, kém chất lượng, lúa bị thiệt hại. Đề nghị tăng cường kiểm tra thị trường vật tư nông nghiệp."),
    ],
    "SECURITY_ORDER": [
        ("Tụ tập đua xe ban đêm tại {place}",
         "Thanh niên thường tụ tập đua xe, gây ồn ào vào ban đêm trên tuyến đường {place}, {commune}. Đề nghị công an tăng cường tuần tra."),
        ("Trộm cắp vặt gia tăng",
         "Thời gian gần đây ở {place}, {commune} xảy ra nhiều vụ trộm xe máy, gia súc. Đề nghị tăng cường an ninh trật tự."),
    ],
    "ADMINISTRATIVE_PROCEDURE": [
        ("Giải quyết hồ sơ một cửa trễ hẹn",
         "Bộ phận một cửa của {commune} thường trả kết quả trễ hẹn, người dân phải đi lại nhiều lần. Đề nghị chấn chỉnh, công khai thời hạn giải quyết."),
        ("Dịch vụ công trực tuyến khó sử dụng",
         "Người dân {commune} gặp khó khi nộp hồ sơ trên cổng dịch vụ công, ứng dụng hay lỗi. Đề nghị hướng dẫn và khắc phục."),
    ],
    "OTHER": [
        ("Đề nghị xây dựng nhà văn hóa ấp",
         "{place}, {commune} chưa có nhà văn hóa để sinh hoạt cộng đồng, hội họp. Đề nghị đầu tư xây dựng."),
        ("Sóng điện thoại yếu ở vùng sâu",
         "Khu vực {place}, {commune} sóng điện thoại và internet rất yếu, ảnh hưởng học trực tuyến. Đề nghị các nhà mạng lắp thêm trạm phát sóng."),
    ],
}  # fmt: skip

AGENCIES = ["Sở Giao thông vận tải", "Sở Tài nguyên và Môi trường", "Sở Y tế",
            "Sở Giáo dục và Đào tạo", "Sở Lao động - Thương binh và Xã hội",
            "Sở Nông nghiệp và Phát triển nông thôn", "Công an tỉnh", "UBND {district}"]  # fmt: skip
ANSWERS = [
    "Đơn vị đã kiểm tra thực tế và đưa vào kế hoạch xử lý trong năm nay.",
    "Nội dung kiến nghị đã được giải quyết; đề nghị cử tri tiếp tục phản ánh nếu còn vướng mắc.",
    "Đã chỉ đạo UBND cấp huyện phối hợp các ngành liên quan giải quyết dứt điểm.",
    "Kinh phí đã được bố trí, công trình dự kiến khởi công trong quý tới.",
]  # fmt: skip
REJECT_REASONS = [
    "Nội dung không thuộc thẩm quyền của HĐND tỉnh; đề nghị cử tri liên hệ UBND cấp xã.",
    "Vụ việc đã được giải quyết bằng bản án có hiệu lực pháp luật.",
    "Kiến nghị trùng lặp với kiến nghị đã được tiếp nhận trước đó.",
]  # fmt: skip
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Phan", "Trương", "Bùi",
          "Đặng", "Đỗ", "Ngô", "Hồ", "Dương", "Lâm", "Châu", "Thái"]  # fmt: skip
MIDDLE = ["Văn", "Thị", "Hữu", "Ngọc", "Minh", "Thanh", "Kim", "Quốc", "Mỹ", "Hoàng"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hùng", "Lan", "Mai", "Hoa", "Tâm", "Phúc", "Tuấn",
         "Hạnh", "Nga", "Thảo", "Sơn", "Long", "Trí", "Nhân", "Hiếu", "Yến", "Khoa", "Vy"]  # fmt: skip
MOBILE_PREFIXES = ["90", "91", "93", "94", "96", "97", "98", "86", "88", "89", "32", "33",
                   "34", "35", "36", "37", "38", "39", "70", "76", "77", "78", "79", "81",
                   "82", "83", "84", "85"]  # fmt: skip

PETITION_COLUMNS = ("id", "tracking_code", "title", "content", "category", "commune_code",
    "unit_path", "status", "visibility", "delegate_id", "group_id", "submitter_account_id",
    "submitter_name", "submitter_phone", "support_count", "forwarded_agency", "answer_body",
    "answer_respondent", "answered_at", "acknowledged_at", "closed_at", "satisfied",
    "submitted_at", "updated_at")  # fmt: skip
EVENT_COLUMNS = ("petition_id", "at", "status", "actor_role", "actor_account_id", "note")
SUPPORT_COLUMNS = ("petition_id", "account_id", "supported_at")

# Where a petition of that status got to, and the steps it took (after SUBMITTED).
PATHS: dict[str, tuple[str, ...]] = {
    "SUBMITTED": (),
    "ACKNOWLEDGED": ("ACKNOWLEDGED",),
    "FORWARDED": ("ACKNOWLEDGED", "FORWARDED"),
    "ANSWERED": ("ACKNOWLEDGED", "FORWARDED", "ANSWERED"),
    "CLOSED": ("ACKNOWLEDGED", "FORWARDED", "ANSWERED", "CLOSED"),
    "REJECTED": ("ACKNOWLEDGED", "REJECTED"),
}
# A realistic mix for old petitions; recent ones are further behind (see `_status`).
STATUS_WEIGHTS = {"SUBMITTED": 6, "ACKNOWLEDGED": 8, "FORWARDED": 10, "ANSWERED": 18,
                  "CLOSED": 48, "REJECTED": 10}  # fmt: skip
# Typical days between steps (lower, upper).
STEP_DAYS = {"ACKNOWLEDGED": (0.1, 9.0), "FORWARDED": (0.5, 6.0), "ANSWERED": (2.0, 35.0),
             "CLOSED": (0.5, 20.0), "REJECTED": (0.5, 10.0)}  # fmt: skip


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    district: str
    path: str
    group_id: int
    delegate_ids: tuple[int, ...]


@dataclass(frozen=True)
class Citizen:
    account_id: int
    name: str
    phone: str


@dataclass
class Batch:
    petitions: list[tuple[Any, ...]]
    events: list[tuple[Any, ...]]
    supports: list[tuple[Any, ...]]


def person(rng: random.Random) -> tuple[str, str]:
    """A plausible Vietnamese name and mobile number (E.164)."""
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    phone = "+84" + rng.choice(MOBILE_PREFIXES) + "".join(rng.choices("0123456789", k=7))
    return name, phone


def _status(rng: random.Random, age_days: float) -> str:
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    if age_days < 3:
        weights = [70, 25, 2, 1, 0, 2]
    elif age_days < 45:
        weights = [20, 25, 20, 15, 10, 10]
    return rng.choices(statuses, weights)[0]


def _petition(
    rng: random.Random,
    pk: int,
    code: str,
    now: datetime,
    communes: Sequence[Commune],
    citizens: Sequence[Citizen],
    status: str | None,
    batch: Batch,
) -> None:
    commune = rng.choice(communes)
    category = str(rng.choice(list(PetitionCategory)))
    title_tpl, content_tpl = rng.choice(TOPICS[category])
    words = {"place": rng.choice(PLACES), "commune": commune.name, "district": commune.district}
    title = title_tpl.format(**words)
    content = content_tpl.format(**words)
    content = content[0].upper() + content[1:]
    age = rng.random() ** 1.3 * 730  # two years, more of them recent
    submitted = now - timedelta(days=age)
    status = status or _status(rng, age)
    citizen = rng.choice(citizens)
    delegate = (
        rng.choice(commune.delegate_ids) if commune.delegate_ids and rng.random() < 0.3 else None
    )
    public = rng.random() < 0.85
    # Steps spread over the petition's age so none lies in the future.
    steps = PATHS[status]
    gaps = [rng.uniform(*STEP_DAYS[s]) for s in steps]
    scale = min(1.0, age * 0.95 / sum(gaps)) if gaps else 1.0
    at = submitted
    times: dict[str, datetime] = {}
    events: list[tuple[Any, ...]] = [
        (pk, submitted, "SUBMITTED", "CITIZEN", citizen.account_id, None)
    ]
    agency = rng.choice(AGENCIES).format(district=commune.district)
    values: dict[str, Any] = {}
    for step, gap in zip(steps, gaps, strict=True):
        at = at + timedelta(days=gap * scale)
        times[step] = at
        role = rng.choice(("DELEGATE", "STAFF"))
        note: str | None = None
        if step == "FORWARDED":
            note = f"Chuyển đến {agency}"
        elif step == "ANSWERED":
            note = f"Trả lời của {agency}"
        elif step == "REJECTED":
            note = rng.choice(REJECT_REASONS)
        elif step == "CLOSED":
            satisfied = rng.random() < 0.75
            values["satisfied"] = satisfied
            role = "CITIZEN"
            note = "Cử tri hài lòng" if satisfied else "Cử tri chưa hài lòng"
        actor = citizen.account_id if role == "CITIZEN" else None
        events.append((pk, at, step, role, actor, note))
    supports: list[tuple[Any, ...]] = []
    if public and len(citizens) > 1:
        wanted = min(int(rng.paretovariate(1.2)) - 1, 80, len(citizens) - 1)
        if wanted > 0:
            for fan in rng.sample(citizens, wanted + 1):
                if fan.account_id != citizen.account_id and len(supports) < wanted:
                    when = submitted + timedelta(days=rng.uniform(0, max(age, 0.01)))
                    supports.append((pk, fan.account_id, when))
    answered = "ANSWERED" in times
    batch.petitions.append(
        (pk, code, title, content, category, commune.code, commune.path, status,
         "PUBLIC" if public else "PRIVATE", delegate, commune.group_id, citizen.account_id,
         citizen.name, citizen.phone, len(supports),
         agency if "FORWARDED" in times else None,
         rng.choice(ANSWERS) if answered else None,
         agency if answered else None,
         times.get("ANSWERED"), times.get("ACKNOWLEDGED"), times.get("CLOSED"),
         values.get("satisfied"), submitted, at)
    )  # fmt: skip
    batch.events.extend(events)
    batch.supports.extend(supports)


async def load_communes(conn: Any) -> list[Commune]:
    """Every commune with the group that covers it (nearest unit above it in group_area) and
    that group's delegates."""
    rows = await conn.fetch(
        """
        SELECT c.code, c.name, d.name AS district, c.path,
               (SELECT ga.group_id FROM group_area ga JOIN administrative_unit u ON u.code = ga.unit_code
                 WHERE c.path = u.path OR c.path LIKE u.path || '/%'
                 ORDER BY length(u.path) DESC LIMIT 1) AS group_id
        FROM administrative_unit c LEFT JOIN administrative_unit d ON d.code = c.parent_code
        WHERE c.level = 'COMMUNE' ORDER BY c.code
        """
    )
    delegates: dict[int, list[int]] = {}
    for row in await conn.fetch(
        "SELECT id, group_id FROM delegate WHERE served_until IS NULL ORDER BY id"
    ):
        delegates.setdefault(row["group_id"], []).append(row["id"])
    return [
        Commune(r["code"], r["name"], r["district"] or "", r["path"], r["group_id"],
                tuple(delegates.get(r["group_id"], ())))
        for r in rows
        if r["group_id"] is not None
    ]  # fmt: skip


async def ensure_citizens(conn: Any, rng: random.Random, count: int, prefix: str) -> list[Citizen]:
    """`count` citizen accounts `<prefix>-<n>`, each with a fixed name and phone."""
    subs = [f"{prefix}-{i}" for i in range(count)]
    await conn.execute(
        "INSERT INTO account (sub, role) SELECT s, 'CITIZEN' FROM unnest($1::text[]) s "
        "ON CONFLICT (sub) DO NOTHING",
        subs,
    )
    rows = await conn.fetch("SELECT id, sub FROM account WHERE sub = ANY($1::text[])", subs)
    ids = {r["sub"]: r["id"] for r in rows}
    return [Citizen(ids[s], *person(rng)) for s in subs]


async def copy_petitions(
    conn: Any,
    count: int,
    *,
    rng: random.Random,
    communes: Sequence[Commune],
    citizens: Sequence[Citizen],
    statuses: Sequence[str | None] | None = None,
    batch_size: int = 5_000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """COPY `count` petitions with their events and supports, a batch per (sub)transaction;
    `statuses[i]` forces the status of the i-th petition. Returns how many were made."""
    made = 0
    now = clock.now()
    while made < count:
        size = min(batch_size, count - made)
        ids = [r[0] for r in await conn.fetch(
            "SELECT nextval(pg_get_serial_sequence('petition', 'id')) FROM generate_series(1, $1)",
            size,
        )]  # fmt: skip
        for _attempt in range(5):
            batch = Batch([], [], [])
            codes: set[str] = set()
            while len(codes) < size:
                codes.add(new_tracking_code())
            for i, (pk, code) in enumerate(zip(ids, codes, strict=True)):
                forced = statuses[made + i] if statuses is not None else None
                _petition(rng, pk, code, now, communes, citizens, forced, batch)
            try:
                async with conn.transaction():
                    await conn.copy_records_to_table(
                        "petition", records=batch.petitions, columns=PETITION_COLUMNS
                    )
                    await conn.copy_records_to_table(
                        "petition_event", records=batch.events, columns=EVENT_COLUMNS
                    )
                    await conn.copy_records_to_table(
                        "petition_support", records=batch.supports, columns=SUPPORT_COLUMNS
                    )
                break
            except asyncpg.UniqueViolationError:
                continue  # a tracking code already taken: draw the batch's codes again
        else:
            raise RuntimeError("could not draw free tracking codes")
        made += size
        if progress is not None:
            progress(size)
    return made


async def copy_petitions_together(
    conns: Sequence[Any],
    count: int,
    *,
    rng: random.Random,
    communes: Sequence[Commune],
    citizens: Sequence[Citizen],
    batch_size: int = 5_000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """`copy_petitions` of `count` petitions shared out over `conns`, at once."""
    shares = [count // len(conns) + (i < count % len(conns)) for i in range(len(conns))]
    made = await asyncio.gather(
        *(
            copy_petitions(
                conn,
                share,
                rng=random.Random(rng.getrandbits(64)),
                communes=communes,
                citizens=citizens,
                batch_size=batch_size,
                progress=progress,
            )
            for conn, share in zip(conns, shares, strict=True)
        )
    )
    return sum(made)


# ---- the demo ----------------------------------------------------------------------------------

DEMO_PER_STATUS = 200
# The demo citizen whose token `hdnd serve` prints (api/demo.py): some petitions are theirs.
DEMO_CITIZEN = ("demo-citizen", "Nguyễn Thị Mai", "+84901234567")


async def seed_demo_petitions(session: AsyncSession, per_status: int = DEMO_PER_STATUS) -> int:
    """A few hundred petitions in every status, in the caller's transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    conn = raw.driver_connection
    rng = random.Random(2025)
    communes = await load_communes(conn)
    if not communes:
        return 0
    citizens = await ensure_citizens(conn, rng, 150, "demo-voter")
    sub, name, phone = DEMO_CITIZEN
    await session.execute(
        sa.text(
            "INSERT INTO account (sub, role) VALUES (:s, 'CITIZEN') ON CONFLICT (sub) DO NOTHING"
        ),
        {"s": sub},
    )
    own_id = (
        await session.execute(sa.text("SELECT id FROM account WHERE sub = :s"), {"s": sub})
    ).scalar_one()
    statuses: list[str | None] = [str(s) for s in PetitionStatus for _ in range(per_status)]
    rng.shuffle(statuses)
    made = await copy_petitions(
        conn, len(statuses), rng=rng, communes=communes, citizens=citizens, statuses=statuses
    )
    # The demo citizen's own: one petition in each status.
    made += await copy_petitions(
        conn,
        len(PetitionStatus),
        rng=rng,
        communes=communes,
        citizens=[Citizen(own_id, name, phone)],
        statuses=[str(s) for s in PetitionStatus],
    )
    return made
