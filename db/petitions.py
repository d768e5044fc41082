"""Petitions (kiến nghị cử tri): submitting, the workflow, reading, and the citizen's own data.

Rules that must hold under concurrency hold in the database: submissions of one account are
serialised by an advisory lock (idempotency keys and the hourly limit), transitions and
supports lock the petition row (`SELECT … FOR UPDATE`), and each change writes its timeline
event (db.timeline) and its audit row in the caller's one transaction. A refused call raises
`PetitionRefused` before writing anything, so the caller's transaction rolls back clean.
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from db.agencies.forwards import settle_pending
from db.audit import audit
from db.clock import local_date
from db.council import group_for_unit, within_unit
from db.enums.agencies import ForwardOutcome
from db.enums.petitions import OPEN_STATUSES, PetitionCategory
from db.outbox.writes import (
    announce_new_petition,
    announce_petition_step,
    redact_notifications,
)
from db.pagination import Page, before_key, page_of
from db.petition_access import (
    can_view,
    handled_condition,
    is_submitter,
    may_handle,
    may_support,
    visible_condition,
)
from db.petition_fields import Deadlines, overdue_condition
from db.phones import normalize_vn_phone
from db.redact import redact
from db.refused import SIGN_IN, Refusal, sign_in_first
from db.serving import serving_on
from db.tables import (
    Account,
    AdministrativeUnit,
    AuditEvent,
    Delegate,
    Petition,
    PetitionEvent,
    PetitionIdempotency,
    PetitionSupport,
)
from db.tables.base import table_of, timestamptz
from db.text import InvalidText, clean, input_text, search_condition
from db.timeline import append_event
from db.tracking import new_tracking_code, normalize_tracking_code
from db.viewer import Viewer

# The values submission accepts; kept under this name for the submission code.
PETITION_CATEGORIES = tuple(PetitionCategory)
TITLE_LENGTH = (5, 200)
CONTENT_LENGTH = (20, 10_000)
NOTE_LENGTH = 2_000
AGENCY_LENGTH = 300
RESPONDENT_LENGTH = 200
IDEMPOTENCY_KEY_LENGTH = 200
IDEMPOTENCY_WINDOW = timedelta(hours=24)
# Namespace of the advisory locks taken per account while it submits (first half of the key).
SUBMIT_LOCK_NAMESPACE = 4_004


# ---- refusals ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One reason for a refusal: code, Vietnamese message, path of the input at fault."""

    code: Refusal
    message: str
    field: tuple[str, ...] = ()


class PetitionRefused(Exception):
    """A mutation refused; raised before anything is written."""

    def __init__(self, *problems: Problem) -> None:
        super().__init__(problems[0].message if problems else "refused")
        self.problems = list(problems)


def _refuse(code: Refusal, message: str, *field: str) -> PetitionRefused:
    return PetitionRefused(Problem(code, message, field))


def _require_account(viewer: Viewer, message: str = SIGN_IN) -> int:
    """The signed-in viewer's account id; else "sign in first" (db.refused.sign_in_first),
    said with `message` to a caller who sent no credentials."""
    refused = sign_in_first(viewer)
    if refused is not None:
        code, said = refused
        raise _refuse(code, message if code is Refusal.UNAUTHENTICATED else said)
    assert viewer.account_id is not None  # is_signed_in says so
    return viewer.account_id


NOT_FOUND = "Không tìm thấy kiến nghị này."


def _check_length(
    problems: list[Problem], value: str, bounds: tuple[int, int], label: str, *path: str
) -> None:
    low, high = bounds
    if not low <= len(value) <= high:
        problems.append(
            Problem(
                Refusal.INVALID_INPUT,
                f"{label} phải dài từ {low} đến {high:,} ký tự (hiện có {len(value):,}).".replace(
                    ",", "."
                ),
                path,
            )
        )


def _input(
    problems: list[Problem], value: str, label: str, *path: str, one_line: bool = False
) -> str | None:
    """`value` as stored (db.text.input_text), None with a problem when refused."""
    try:
        return input_text(value, label, one_line=one_line)
    except InvalidText as refused:
        problems.append(Problem(Refusal.INVALID_INPUT, str(refused), path))
        return None


def _optional_text(
    problems: list[Problem],
    value: str | None,
    limit: int,
    label: str,
    *path: str,
    one_line: bool = False,
) -> str | None:
    """A trimmed NFC note, None when blank; a problem when longer than `limit` or refused by
    db.text.input_text."""
    if value is None or not value.strip():
        return None
    text = _input(problems, value, label, *path, one_line=one_line)
    if text is not None and len(text) > limit:
        problems.append(Problem(Refusal.INVALID_INPUT, f"{label} dài tối đa {limit} ký tự.", path))
    return text or None


def _required_text(
    problems: list[Problem],
    value: str,
    limit: int,
    label: str,
    *path: str,
    one_line: bool = False,
) -> str:
    text = _input(problems, value, label, *path, one_line=one_line)
    if text is None:
        return ""
    if not text:
        problems.append(Problem(Refusal.INVALID_INPUT, f"{label} không được để trống.", path))
    elif len(text) > limit:
        problems.append(Problem(Refusal.INVALID_INPUT, f"{label} dài tối đa {limit} ký tự.", path))
    return text


# ---- submitting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitInput:
    """`SubmitPetitionInput` with ids already decoded."""

    title: str
    content: str
    category: str
    commune_code: str
    delegate_id: int | None = None
    visibility: str = "PUBLIC"
    contact_phone: str | None = None
    idempotency_key: str | None = None


def request_fingerprint(data: SubmitInput) -> str:
    """What "the same body" means for an idempotency key: SHA-256 of the input fields as the
    service reads them. Title and content in NFC and trimmed (inner spaces kept, as stored);
    the commune code trimmed; the delegate's database id (null when not chosen); category and
    visibility as given (an omitted visibility is PUBLIC); the contact phone in E.164 when it is
    a valid number, else NFC and trimmed, null when absent or blank (the token's phone is not
    part of the body). The key itself is not part of it."""
    phone: str | None = None
    if data.contact_phone is not None and data.contact_phone.strip():
        phone = normalize_vn_phone(data.contact_phone) or clean(data.contact_phone)
    fields = {
        "title": clean(data.title),
        "content": clean(data.content),
        "category": data.category,
        "communeCode": data.commune_code.strip(),
        "delegateId": data.delegate_id,
        "visibility": data.visibility,
        "contactPhone": phone,
    }
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


IDEMPOTENCY_CONFLICT = (
    "Khoá chống gửi trùng này đã được dùng trong 24 giờ qua cho một kiến nghị có nội dung khác; "
    "hãy dùng một khoá mới cho kiến nghị mới."
)


@dataclass(frozen=True)
class Submitted:
    petition: Petition
    replayed: bool  # True when an idempotency key answered an earlier petition


async def submit_petition(
    session: AsyncSession,
    viewer: Viewer,
    data: SubmitInput,
    *,
    per_hour: int,
    now: datetime,
    request_id: str | None = None,
) -> Submitted:
    """Validate, route and record a petition with its first timeline event and audit row.
    `now` is the request's clock: the submission time, the hourly limit's and the idempotency
    window's reference, and (its local date) the day the addressed delegate must serve on."""
    account_id = _require_account(viewer, "Cần đăng nhập để gửi kiến nghị.")
    problems: list[Problem] = []
    key = _optional_text(
        problems,
        data.idempotency_key,
        IDEMPOTENCY_KEY_LENGTH,
        "Khoá chống gửi trùng",
        "input",
        "idempotencyKey",
        one_line=True,
    )
    if problems:
        raise PetitionRefused(*problems)

    # One submission of this account at a time: simultaneous retries of one key, and the hourly
    # limit, are decided in turn. The lock ends with the transaction.
    await session.execute(
        sa.select(sa.func.pg_advisory_xact_lock(SUBMIT_LOCK_NAMESPACE, account_id))
    )
    fingerprint = request_fingerprint(data)
    if key is not None:
        earlier = await _idempotent_petition(session, account_id, key, now)
        if earlier is not None:
            petition, stored = earlier
            # A key recorded before digests were kept (null) replays, as it did then.
            if stored is not None and stored != fingerprint:
                raise _refuse(
                    Refusal.IDEMPOTENCY_CONFLICT, IDEMPOTENCY_CONFLICT, "input", "idempotencyKey"
                )
            return Submitted(petition, replayed=True)

    title = _input(problems, data.title, "Tiêu đề", "input", "title", one_line=True)
    content = _input(problems, data.content, "Nội dung", "input", "content")
    if title is not None:
        _check_length(problems, title, TITLE_LENGTH, "Tiêu đề", "input", "title")
    if content is not None:
        _check_length(problems, content, CONTENT_LENGTH, "Nội dung", "input", "content")
    if data.category not in PETITION_CATEGORIES:
        problems.append(
            Problem(Refusal.INVALID_INPUT, "Lĩnh vực không hợp lệ.", ("input", "category"))
        )
    if data.visibility not in ("PUBLIC", "PRIVATE"):
        problems.append(
            Problem(Refusal.INVALID_INPUT, "Chế độ hiển thị không hợp lệ.", ("input", "visibility"))
        )
    phone: str | None
    if data.contact_phone is not None and data.contact_phone.strip():
        phone = normalize_vn_phone(data.contact_phone)
        if phone is None:
            problems.append(
                Problem(
                    Refusal.INVALID_INPUT,
                    "Số điện thoại liên hệ phải là số điện thoại Việt Nam hợp lệ (ví dụ 0901234567).",
                    ("input", "contactPhone"),
                )
            )
    else:
        # The token's claim is the app's, not typed here: an unusable one is simply not kept.
        phone = normalize_vn_phone(viewer.phone) if viewer.phone else None

    commune = await session.get(AdministrativeUnit, data.commune_code.strip())
    if commune is None or commune.level != "COMMUNE":
        problems.append(
            Problem(
                Refusal.INVALID_INPUT,
                f"«{data.commune_code}» không phải mã xã, phường, thị trấn của tỉnh.",
                ("input", "communeCode"),
            )
        )
    group_id: int | None = None
    if data.delegate_id is not None:
        delegate = (
            await session.execute(
                sa.select(Delegate).where(
                    col(Delegate.id) == data.delegate_id, serving_on(local_date(now))
                )
            )
        ).scalar_one_or_none()
        if delegate is None:
            problems.append(
                Problem(
                    Refusal.NOT_FOUND,
                    "Không có đại biểu đang công tác với mã này.",
                    ("input", "delegateId"),
                )
            )
        else:
            group_id = delegate.group_id
    elif commune is not None and commune.level == "COMMUNE":
        group = await group_for_unit(session, commune)
        if group is None:
            problems.append(
                Problem(
                    Refusal.INVALID_INPUT,
                    "Chưa có Tổ đại biểu phụ trách địa bàn này; hãy chọn đại biểu nhận kiến nghị.",
                    ("input", "communeCode"),
                )
            )
        else:
            group_id = group.id
    if problems:
        raise PetitionRefused(*problems)
    assert commune is not None and group_id is not None
    assert title is not None and content is not None

    recent = (
        await session.execute(
            sa.select(sa.func.count())
            .select_from(Petition)
            .where(
                col(Petition.submitter_account_id) == account_id,
                col(Petition.submitted_at) > now - timedelta(hours=1),
            )
        )
    ).scalar_one()
    if recent >= per_hour:
        raise _refuse(
            Refusal.RATE_LIMITED,
            f"Mỗi giờ chỉ gửi được tối đa {per_hour} kiến nghị; vui lòng thử lại sau.",
        )

    petition = await _insert_with_tracking_code(
        session,
        {
            "title": title,
            "content": content,
            "category": data.category,
            "commune_code": commune.code,
            "unit_path": commune.path,
            "status": "SUBMITTED",
            "visibility": data.visibility,
            "delegate_id": data.delegate_id,
            "group_id": group_id,
            "submitter_account_id": account_id,
            "submitter_name": clean(viewer.name) if viewer.name and viewer.name.strip() else None,
            "submitter_phone": phone,
            "support_count": 0,
            "submitted_at": now,
            "updated_at": now,
        },
    )
    assert petition.id is not None
    await append_event(session, petition.id, "SUBMITTED", viewer, at=now)
    await announce_new_petition(session, petition, now)
    if key is not None:
        # A stale key (older than 24 hours) now names the new petition.
        stmt = insert(PetitionIdempotency).values(
            account_id=account_id,
            key=key,
            petition_id=petition.id,
            request_hash=fingerprint,
            created_at=now,
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["account_id", "key"],
                set_={
                    "petition_id": stmt.excluded.petition_id,
                    "request_hash": stmt.excluded.request_hash,
                    "created_at": now,
                },
            )
        )
    await audit(session, viewer, "petition.submit", "petition", petition.id, request_id=request_id)
    return Submitted(petition, replayed=False)


async def _idempotent_petition(
    session: AsyncSession, account_id: int, key: str, now: datetime
) -> tuple[Petition, str | None] | None:
    """The petition `key` named within 24 hours of `now`, and the digest of the body that made it."""
    stmt = (
        sa.select(Petition, col(PetitionIdempotency.request_hash))
        .join(PetitionIdempotency, col(PetitionIdempotency.petition_id) == col(Petition.id))
        .where(
            col(PetitionIdempotency.account_id) == account_id,
            col(PetitionIdempotency.key) == key,
            col(PetitionIdempotency.created_at) > now - IDEMPOTENCY_WINDOW,
        )
    )
    found = (await session.execute(stmt)).one_or_none()
    return None if found is None else (found[0], found[1])


async def _insert_with_tracking_code(session: AsyncSession, values: dict[str, object]) -> Petition:
    """Insert with a fresh random tracking code; on the (astronomically rare) clash, draw again."""
    for _ in range(8):
        stmt = (
            insert(Petition)
            .values(tracking_code=new_tracking_code(), **values)
            .on_conflict_do_nothing(index_elements=["tracking_code"])
            .returning(Petition)
        )
        row = (await session.execute(stmt)).scalar_one_or_none()
        if row is not None:
            return row
    raise RuntimeError("could not draw a free tracking code")


# ---- the workflow ------------------------------------------------------------------------------


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    FORWARD = "forward"
    ANSWER = "answer"
    REJECT = "reject"
    CLOSE = "close"


@dataclass(frozen=True)
class Step:
    """One row of the contract's table: from which statuses, to which, and who (handler or
    submitter)."""

    sources: tuple[str, ...]
    target: str
    by_submitter: bool = False


WORKFLOW: dict[Action, Step] = {
    Action.ACKNOWLEDGE: Step(("SUBMITTED",), "ACKNOWLEDGED"),
    Action.FORWARD: Step(("ACKNOWLEDGED",), "FORWARDED"),
    Action.ANSWER: Step(("ACKNOWLEDGED", "FORWARDED"), "ANSWERED"),
    Action.REJECT: Step(("SUBMITTED", "ACKNOWLEDGED"), "REJECTED"),
    Action.CLOSE: Step(("ANSWERED",), "CLOSED", by_submitter=True),
}

STATUS_NAMES = {
    "SUBMITTED": "đã gửi",
    "ACKNOWLEDGED": "đã tiếp nhận",
    "FORWARDED": "đã chuyển cơ quan chức năng",
    "ANSWERED": "đã trả lời",
    "CLOSED": "đã đóng",
    "REJECTED": "đã bị từ chối",
}


@dataclass(frozen=True)
class StepInput:
    """The arguments a step may carry; which ones it needs depends on the action."""

    note: str | None = None
    agency: str | None = None
    body: str | None = None
    respondent: str | None = None
    reason: str | None = None
    satisfied: bool | None = None
    comment: str | None = None


def _step_values(
    action: Action, args: StepInput, now: datetime
) -> tuple[dict[str, object], str | None]:
    """Checked column values and the timeline note of `action`; PetitionRefused if invalid."""
    problems: list[Problem] = []
    values: dict[str, object] = {}
    note: str | None
    if action is Action.ACKNOWLEDGE:
        note = _optional_text(problems, args.note, NOTE_LENGTH, "Ghi chú", "note")
        values["acknowledged_at"] = now
    elif action is Action.FORWARD:
        agency = _required_text(
            problems, args.agency or "", AGENCY_LENGTH, "Cơ quan nhận", "agency", one_line=True
        )
        extra = _optional_text(problems, args.note, NOTE_LENGTH, "Ghi chú", "note")
        values["forwarded_agency"] = agency
        note = f"Chuyển đến {agency}" + (f": {extra}" if extra else "")
    elif action is Action.ANSWER:
        body = _required_text(
            problems, args.body or "", CONTENT_LENGTH[1], "Nội dung trả lời", "body"
        )
        respondent = _required_text(
            problems,
            args.respondent or "",
            RESPONDENT_LENGTH,
            "Người trả lời",
            "respondent",
            one_line=True,
        )
        values.update(answer_body=body, answer_respondent=respondent, answered_at=now)
        note = f"Trả lời của {respondent}"
    elif action is Action.REJECT:
        note = _required_text(problems, args.reason or "", NOTE_LENGTH, "Lý do", "reason")
    else:
        if args.satisfied is None:
            problems.append(
                Problem(Refusal.INVALID_INPUT, "Cho biết bạn có hài lòng không.", ("satisfied",))
            )
        comment = _optional_text(problems, args.comment, NOTE_LENGTH, "Nhận xét", "comment")
        values.update(closed_at=now, satisfied=args.satisfied)
        verdict = "Cử tri hài lòng" if args.satisfied else "Cử tri chưa hài lòng"
        note = verdict + (f": {comment}" if comment else "")
    if problems:
        raise PetitionRefused(*problems)
    return values, note


async def _locked_visible(
    session: AsyncSession, viewer: Viewer, petition_id: int, today: date
) -> Petition:
    """The petition locked for this transaction, as of its latest committed version;
    NOT_FOUND when it does not exist or is hidden from `viewer` (nothing leaks)."""
    row = (
        await session.execute(
            sa.select(Petition)
            .where(col(Petition.id) == petition_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if row is None or not can_view(viewer, row, today):
        raise _refuse(Refusal.NOT_FOUND, NOT_FOUND, "id")
    return row


async def transition(
    session: AsyncSession,
    viewer: Viewer,
    petition_id: int,
    action: Action,
    args: StepInput,
    *,
    now: datetime,
    request_id: str | None = None,
) -> Petition:
    """Move a petition one step of the workflow, with its timeline event and audit row, at
    `now` (the request's clock; its local date decides whether a delegate still serves)."""
    _require_account(viewer)
    today = local_date(now)
    step = WORKFLOW[action]
    values, note = _step_values(action, args, now)
    row = await _locked_visible(session, viewer, petition_id, today)
    allowed = is_submitter(viewer, row) if step.by_submitter else may_handle(viewer, row, today)
    if not allowed:
        who = (
            "người gửi kiến nghị"
            if step.by_submitter
            else "đại biểu, Tổ đại biểu nhận kiến nghị hoặc Văn phòng HĐND"
        )
        raise _refuse(Refusal.FORBIDDEN, f"Chỉ {who} mới được thực hiện thao tác này.")
    if row.status not in step.sources:
        raise _refuse(
            Refusal.INVALID_TRANSITION,
            f"Kiến nghị {STATUS_NAMES[row.status]}, không thể thực hiện thao tác này.",
        )
    # Read before the UPDATE: populate_existing refreshes this same object with the new row.
    previous = row.status
    # The row lock is held, yet the status is checked again by the UPDATE: belt and braces.
    updated = (
        await session.execute(
            sa.update(Petition)
            .where(col(Petition.id) == petition_id, col(Petition.status).in_(step.sources))
            .values(status=step.target, updated_at=now, **values)
            .returning(Petition)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
    ).scalar_one()
    await append_event(session, petition_id, step.target, viewer, note, at=now)
    if previous == "FORWARDED" and step.target == "ANSWERED":
        # The office typed in the agency's answer: the forwarding is answered.
        await settle_pending(session, petition_id, ForwardOutcome.ANSWERED, now, viewer.account_id)
    await announce_petition_step(session, updated, now)
    await audit(
        session,
        viewer,
        f"petition.{action.value}",
        "petition",
        petition_id,
        request_id=request_id,
        details={"from": previous, "to": step.target},
    )
    return updated


async def support_petition(
    session: AsyncSession,
    viewer: Viewer,
    petition_id: int,
    *,
    now: datetime,
    request_id: str | None = None,
) -> Petition:
    """Count a citizen's support once (the primary key), the count kept in the same transaction."""
    _require_account(viewer)
    row = await _locked_visible(session, viewer, petition_id, local_date(now))
    if not may_support(viewer, row):
        message = (
            "Bạn không thể ủng hộ kiến nghị của chính mình."
            if is_submitter(viewer, row)
            else "Chỉ cử tri mới ủng hộ được kiến nghị."
        )
        raise _refuse(Refusal.FORBIDDEN, message)
    if row.visibility != "PUBLIC":
        raise _refuse(Refusal.FORBIDDEN, "Chỉ kiến nghị công khai mới nhận được ủng hộ.")
    if row.status not in OPEN_STATUSES:
        raise _refuse(
            Refusal.INVALID_TRANSITION,
            f"Kiến nghị {STATUS_NAMES[row.status]}, không còn nhận ủng hộ.",
        )
    added = (
        await session.execute(
            insert(PetitionSupport)
            .values(petition_id=petition_id, account_id=viewer.account_id, supported_at=now)
            .on_conflict_do_nothing(index_elements=["petition_id", "account_id"])
            .returning(col(PetitionSupport.petition_id))
        )
    ).scalar_one_or_none()
    if added is None:
        raise _refuse(Refusal.DUPLICATE, "Bạn đã ủng hộ kiến nghị này rồi.")
    updated = (
        await session.execute(
            sa.update(Petition)
            .where(col(Petition.id) == petition_id)
            .values(support_count=col(Petition.support_count) + 1)
            .returning(Petition)
            .execution_options(populate_existing=True, synchronize_session=False)
        )
    ).scalar_one()
    await audit(session, viewer, "petition.support", "petition", petition_id, request_id=request_id)
    return updated


# ---- reading -----------------------------------------------------------------------------------


class UnknownUnit(ValueError):
    """`unitCode` names no administrative unit."""


@dataclass(frozen=True)
class PetitionFilter:
    """`PetitionFilter` with ids decoded; all given conditions must hold."""

    status: str | None = None
    category: str | None = None
    unit_code: str | None = None
    delegate_id: int | None = None
    search: str | None = None
    overdue: bool | None = None


@dataclass(frozen=True)
class ListScope:
    """Everything a list statement depends on besides the filter."""

    viewer: Viewer
    now: datetime
    deadlines: Deadlines = field(default_factory=Deadlines)
    unit: AdministrativeUnit | None = None  # `unit_code` looked up
    today: date = field(kw_only=True)  # the request's day: who serves (db.petition_access)


PetitionKey = tuple[datetime, int]


def petition_key(row: Petition) -> PetitionKey:
    """The sort key cursors carry: newest first, id breaking ties."""
    assert row.id is not None
    return (row.submitted_at, row.id)


ORDER = (col(Petition.submitted_at), col(Petition.id))


def filter_conditions(f: PetitionFilter, scope: ListScope) -> list[ColumnElement[bool]]:
    """The WHERE clause of `petitions`: the filter and what the viewer may see."""
    conditions = [visible_condition(scope.viewer, scope.today)]
    if f.status is not None:
        conditions.append(col(Petition.status) == f.status)
    if f.category is not None:
        conditions.append(col(Petition.category) == f.category)
    if scope.unit is not None:
        conditions.append(within_unit(table_of(Petition).c.unit_path, scope.unit))
    if f.delegate_id is not None:
        conditions.append(col(Petition.delegate_id) == f.delegate_id)
    if f.search and f.search.strip():
        conditions.append(search_condition(col(Petition.search_folded), f.search))
    if f.overdue is not None:
        overdue = overdue_condition(scope.now, scope.deadlines)
        conditions.append(overdue if f.overdue else sa.not_(overdue))
    return conditions


def page_statement(
    conditions: Sequence[ColumnElement[bool]], limit: int, after: PetitionKey | None
) -> Select[Petition]:
    """One keyset page, newest first, of the petitions meeting `conditions`."""
    stmt = sa.select(Petition).where(*conditions)
    if after is not None:
        stmt = stmt.where(before_key(ORDER, after))
    return stmt.order_by(*[c.desc() for c in ORDER]).limit(limit + 1)


async def _page(
    session: AsyncSession,
    conditions: Sequence[ColumnElement[bool]],
    limit: int,
    after: PetitionKey | None,
) -> Page[Petition]:
    rows = (await session.execute(page_statement(conditions, limit, after))).scalars()
    return page_of(list(rows), limit)


async def _count(session: AsyncSession, conditions: Sequence[ColumnElement[bool]]) -> int:
    stmt = sa.select(sa.func.count()).select_from(Petition).where(*conditions)
    return int((await session.execute(stmt)).scalar_one())


async def list_scope(
    session: AsyncSession,
    f: PetitionFilter,
    viewer: Viewer,
    deadlines: Deadlines,
    now: datetime,
) -> ListScope:
    """The scope of a `petitions` list: the unit looked up (UnknownUnit if none) and the
    request's clock, which `overdue` compares with as `isOverdue` does."""
    unit: AdministrativeUnit | None = None
    if f.unit_code is not None:
        unit = await session.get(AdministrativeUnit, f.unit_code.strip())
        if unit is None:
            raise UnknownUnit(f.unit_code)
    return ListScope(viewer=viewer, now=now, deadlines=deadlines, unit=unit, today=local_date(now))


async def petitions_page(
    session: AsyncSession,
    f: PetitionFilter,
    scope: ListScope,
    limit: int,
    after: PetitionKey | None,
) -> Page[Petition]:
    """A page of `petitions`."""
    return await _page(session, filter_conditions(f, scope), limit, after)


async def petitions_count(session: AsyncSession, f: PetitionFilter, scope: ListScope) -> int:
    return await _count(session, filter_conditions(f, scope))


def inbox_conditions(viewer: Viewer, status: str | None, today: date) -> list[ColumnElement[bool]]:
    """The inbox: what the viewer may handle (a delegate serving on `today`: addressed to them
    or their group; STAFF: all), optionally in one status."""
    conditions = [handled_condition(viewer, today)]
    if status is not None:
        conditions.append(col(Petition.status) == status)
    return conditions


async def inbox_page(
    session: AsyncSession,
    viewer: Viewer,
    status: str | None,
    limit: int,
    after: PetitionKey | None,
    *,
    today: date,
) -> Page[Petition]:
    return await _page(session, inbox_conditions(viewer, status, today), limit, after)


async def inbox_count(
    session: AsyncSession, viewer: Viewer, status: str | None, *, today: date
) -> int:
    return await _count(session, inbox_conditions(viewer, status, today))


def own_conditions(viewer: Viewer) -> list[ColumnElement[bool]]:
    """The viewer's own petitions (`myPetitions`)."""
    if viewer.account_id is None:
        return [sa.false()]
    return [col(Petition.submitter_account_id) == viewer.account_id]


async def my_petitions_page(
    session: AsyncSession, viewer: Viewer, limit: int, after: PetitionKey | None
) -> Page[Petition]:
    return await _page(session, own_conditions(viewer), limit, after)


async def my_petitions_count(session: AsyncSession, viewer: Viewer) -> int:
    return await _count(session, own_conditions(viewer))


HOT_DEFAULT_DAYS = 90
HOT_GRAVITY = 1.5


def hot_score(now: datetime | ColumnElement[Any]) -> ColumnElement[Any]:
    """(supports + 1) / (age in hours + 2)^1.5: support lifts a petition, age lets it sink,
    so a fresh petition with a few supports can outrank an old one with more. `now` may be a
    bound parameter (the compiled read path)."""
    instant = now if isinstance(now, ColumnElement) else sa.literal(now, timestamptz())
    age_hours = sa.extract("epoch", instant - col(Petition.submitted_at)) / 3600.0
    return (col(Petition.support_count) + 1.0) / sa.func.power(age_hours + 2.0, HOT_GRAVITY)


def hot_conditions(
    since: datetime | None, unit: AdministrativeUnit | None, now: datetime
) -> list[ColumnElement[bool]]:
    """The WHERE clause of `hotIssues`: PUBLIC, still open, recent, inside `unit` if given."""
    conditions: list[ColumnElement[bool]] = [
        col(Petition.visibility) == "PUBLIC",
        col(Petition.status).in_(OPEN_STATUSES),
        col(Petition.submitted_at)
        >= (since if since is not None else now - timedelta(days=HOT_DEFAULT_DAYS)),
    ]
    if unit is not None:
        conditions.append(within_unit(table_of(Petition).c.unit_path, unit))
    return conditions


async def hot_issues(
    session: AsyncSession, unit_code: str | None, since: datetime | None, limit: int, now: datetime
) -> list[Petition]:
    """PUBLIC petitions still open (not closed or rejected), submitted since `since` (default
    the last 90 days), optionally inside a unit, best `hot_score` first. UnknownUnit if the
    unit does not exist."""
    unit: AdministrativeUnit | None = None
    if unit_code is not None:
        unit = await session.get(AdministrativeUnit, unit_code.strip())
        if unit is None:
            raise UnknownUnit(unit_code)
    stmt = (
        sa.select(Petition)
        .where(*hot_conditions(since, unit, now))
        .order_by(hot_score(now).desc(), col(Petition.id).desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def petition_by_tracking_code(session: AsyncSession, code: str) -> Petition | None:
    """The petition of a tracking code as typed (case, spaces and dashes ignored)."""
    normalized = normalize_tracking_code(code)
    if normalized is None:
        return None
    stmt = sa.select(Petition).where(col(Petition.tracking_code) == normalized)
    return (await session.execute(stmt)).scalar_one_or_none()


# ---- batches for the DataLoaders ---------------------------------------------------------------


async def petitions_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, Petition]:
    rows = await session.execute(sa.select(Petition).where(col(Petition.id).in_(list(ids))))
    return {p.id: p for p in rows.scalars() if p.id is not None}


async def events_by_petition_ids(
    session: AsyncSession, ids: Sequence[int]
) -> dict[int, list[PetitionEvent]]:
    """Each petition's timeline, oldest first."""
    rows = await session.execute(
        sa.select(PetitionEvent)
        .where(col(PetitionEvent.petition_id).in_(list(ids)))
        .order_by(col(PetitionEvent.petition_id), col(PetitionEvent.at), col(PetitionEvent.id))
    )
    result: dict[int, list[PetitionEvent]] = defaultdict(list)
    for event in rows.scalars():
        result[event.petition_id].append(event)
    return result


async def supported_petition_ids(
    session: AsyncSession, viewer: Viewer, ids: Sequence[int]
) -> set[int]:
    """Which of `ids` the viewer supports (for `viewerHasSupported`), in one statement."""
    if viewer.account_id is None:
        return set()
    rows = await session.execute(
        sa.select(col(PetitionSupport.petition_id)).where(
            col(PetitionSupport.account_id) == viewer.account_id,
            col(PetitionSupport.petition_id).in_(list(ids)),
        )
    )
    return set(rows.scalars())


@dataclass(frozen=True)
class SubmitterIdentity:
    """Personal data: the submitter's name and phone."""

    name: str | None
    phone: str | None


async def read_submitters(
    session: AsyncSession, viewer: Viewer, ids: Sequence[int], request_id: str | None
) -> dict[int, SubmitterIdentity]:
    """The submitters of `ids` the caller has cleared `viewer` to see, each read written to the
    audit log in the same transaction: one SELECT and one multi-row INSERT per batch."""
    rows = await session.execute(
        sa.select(
            col(Petition.id), col(Petition.submitter_name), col(Petition.submitter_phone)
        ).where(col(Petition.id).in_(list(ids)))
    )
    found: dict[int, SubmitterIdentity] = {
        pk: SubmitterIdentity(name, phone) for pk, name, phone in rows if pk is not None
    }
    if found:
        # One multi-row INSERT … VALUES (…), (…): a single statement whatever the page size.
        await session.execute(
            sa.insert(table_of(AuditEvent)).values(
                [
                    {
                        "actor_account_id": viewer.account_id,
                        "actor_role": viewer.role.value if viewer.role else None,
                        "action": "petition.submitter.read",
                        "entity_type": "petition",
                        "entity_id": pk,
                        "request_id": request_id,
                        "details": {},
                    }
                    for pk in sorted(found)
                ]
            )
        )
    return found


# ---- the citizen's own data (Luật Bảo vệ dữ liệu cá nhân) --------------------------------------


@dataclass(frozen=True)
class MyDataRecord:
    account: Account
    petitions: list[Petition]
    supports: list[tuple[PetitionSupport, Petition]]


async def my_data(session: AsyncSession, viewer: Viewer) -> MyDataRecord | None:
    """What is held about the signed-in account: the account, its petitions, its supports."""
    if viewer.account_id is None:
        return None
    account = await session.get(Account, viewer.account_id)
    if account is None:
        return None
    petitions = (
        await session.execute(
            sa.select(Petition).where(*own_conditions(viewer)).order_by(*[c.desc() for c in ORDER])
        )
    ).scalars()
    supports = await session.execute(
        sa.select(PetitionSupport, Petition)
        .join(Petition, col(Petition.id) == col(PetitionSupport.petition_id))
        .where(col(PetitionSupport.account_id) == viewer.account_id)
        .order_by(col(PetitionSupport.supported_at).desc(), col(Petition.id).desc())
    )
    return MyDataRecord(
        account=account,
        petitions=list(petitions),
        supports=[(s, p) for s, p in supports],
    )


@dataclass(frozen=True)
class Erased:
    """What `erase_my_data` did: how many petitions lost their identity, and the tables whose
    rows it changed or deleted (their dead row versions still hold the old values until
    VACUUM, which cannot run in the transaction: see `db.engine.vacuum`)."""

    petitions: int
    tables: tuple[str, ...]


async def erase_my_data(
    session: AsyncSession, viewer: Viewer, *, now: datetime, request_id: str | None = None
) -> Erased:
    """Remove the viewer's name and phone from their petitions (the fields, and wherever the
    text of a petition, its answer or its timeline repeats them, as db.redact finds them) and
    forget their idempotency keys (a key is whatever the client chose to send, a phone number
    as likely as not); the petitions stay."""
    _require_account(viewer)
    petitions = list(
        (
            await session.execute(
                sa.select(Petition)
                .where(*own_conditions(viewer))
                .with_for_update()
                .execution_options(populate_existing=True)
            )
        ).scalars()
    )
    names = {p.submitter_name for p in petitions if p.submitter_name}
    phones = {p.submitter_phone for p in petitions if p.submitter_phone}
    if viewer.name and viewer.name.strip():
        names.add(clean(viewer.name))
    if viewer.phone and (normalized := normalize_vn_phone(viewer.phone)):
        phones.add(normalized)
    touched: list[str] = []
    ids = [p.id for p in petitions if p.id is not None]
    for p in petitions:
        await session.execute(
            sa.update(Petition)
            .where(col(Petition.id) == p.id)
            .values(
                submitter_name=None,
                submitter_phone=None,
                title=redact(p.title, names, phones),
                content=redact(p.content, names, phones),
                answer_body=redact(p.answer_body, names, phones),
                forwarded_agency=redact(p.forwarded_agency, names, phones),
                answer_respondent=redact(p.answer_respondent, names, phones),
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    if petitions:
        touched.append(table_of(Petition).name)
    # Notes of their petitions' timelines, and anything else they wrote in a timeline.
    events = (
        await session.execute(
            sa.select(PetitionEvent).where(
                col(PetitionEvent.note).is_not(None),
                sa.or_(
                    col(PetitionEvent.petition_id).in_(ids),
                    col(PetitionEvent.actor_account_id) == viewer.account_id,
                ),
            )
        )
    ).scalars()
    for event in list(events):
        cleaned = redact(event.note, names, phones)
        if cleaned != event.note:
            await session.execute(
                sa.update(PetitionEvent)
                .where(col(PetitionEvent.id) == event.id)
                .values(note=cleaned)
                .execution_options(synchronize_session=False)
            )
            if table_of(PetitionEvent).name not in touched:
                touched.append(table_of(PetitionEvent).name)
    # Notifications repeat their petitions' text: redacted alike.
    assert viewer.account_id is not None
    touched += await redact_notifications(session, viewer.account_id, ids, names, phones)
    # Replays of an earlier key now make a new petition: the price of forgetting what was sent.
    forgotten = await session.execute(
        sa.delete(PetitionIdempotency).where(
            col(PetitionIdempotency.account_id) == viewer.account_id
        )
    )
    if forgotten.rowcount:  # type: ignore[attr-defined]
        touched.append(table_of(PetitionIdempotency).name)
    await audit(
        session,
        viewer,
        "personal_data.erase",
        "account",
        viewer.account_id,
        request_id=request_id,
        details={"petitions": len(ids)},
    )
    return Erased(petitions=len(ids), tables=tuple(touched))
