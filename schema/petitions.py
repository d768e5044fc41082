"""Petitions (kiến nghị cử tri) in GraphQL: types, queries, the workflow's mutations, and the
citizen's own data (`myData`, `eraseMyData`). Resolvers are thin: rules live in db.petitions
and db.petition_access."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated

import strawberry

from db import petitions as db_petitions
from db.clock import local
from db.engine import transaction, vacuum
from db.enums.accounts import Role
from db.enums.petitions import PetitionCategory, PetitionStatus, Visibility
from db.petition_access import can_view, may_see_submitter
from db.petition_fields import Deadlines, is_overdue, support_count
from db.tables import Petition as PetitionRow
from db.tables import PetitionEvent as EventRow
from schema.context import Info
from schema.core.enums import graphql_enum
from schema.cost import SEARCH_WEIGHT, most, paged, weighing
from schema.council import AdministrativeUnit, Delegate, DelegateGroup
from schema.errors import UserError, UserErrorCode, bad_input, user_error
from schema.meetings.fields import PetitionMeetingFields
from schema.node import register_node
from schema.permissions import IsSignedIn, has_role
from schema.petition_loaders import petition_loaders
from schema.relay import (
    Connection,
    Node,
    decode_cursor,
    make_connection,
    optional_global_id,
    page_size,
    pk_of,
    to_global_id,
)

SEARCH_MAX = 200
HOT_DEFAULT = 10


def deadlines(info: Info) -> Deadlines:
    settings = info.context.settings
    return Deadlines(ack_days=settings.ack_days, answer_days=settings.answer_days)


# ---- enums -------------------------------------------------------------------------------------


graphql_enum(
    PetitionStatus,
    "Where a petition stands in its workflow (trạng thái kiến nghị).",
    {
        PetitionStatus.SUBMITTED: "Sent by the citizen, not yet acknowledged (đã gửi).",
        PetitionStatus.ACKNOWLEDGED: "Acknowledged by the delegate or group (đã tiếp nhận).",
        PetitionStatus.FORWARDED: "Forwarded to the competent agency (đã chuyển cơ quan có thẩm quyền).",
        PetitionStatus.ANSWERED: "Answered; the citizen may close it (đã trả lời).",
        PetitionStatus.CLOSED: "Closed by the citizen after the answer (đã đóng).",
        PetitionStatus.REJECTED: "Refused, with a reason (không tiếp nhận).",
    },
)


graphql_enum(
    PetitionCategory,
    "Field of a petition (lĩnh vực).",
    {
        PetitionCategory.LAND_HOUSING: "Land and housing (đất đai, nhà ở).",
        PetitionCategory.INFRASTRUCTURE_TRANSPORT: "Infrastructure and transport (hạ tầng, giao thông).",
        PetitionCategory.ENVIRONMENT: "Environment (môi trường).",
        PetitionCategory.HEALTH: "Health (y tế).",
        PetitionCategory.EDUCATION: "Education (giáo dục).",
        PetitionCategory.SOCIAL_WELFARE: "Social welfare (an sinh xã hội).",
        PetitionCategory.AGRICULTURE: "Agriculture (nông nghiệp, thủy lợi).",
        PetitionCategory.SECURITY_ORDER: "Security and public order (an ninh, trật tự).",
        PetitionCategory.ADMINISTRATIVE_PROCEDURE: "Administrative procedures (thủ tục hành chính).",
        PetitionCategory.OTHER: "Anything else (lĩnh vực khác).",
    },
)


graphql_enum(
    Visibility,
    "Who may read a petition (chế độ hiển thị).",
    {
        Visibility.PUBLIC: "Everyone may read it and support it (công khai).",
        Visibility.PRIVATE: "Only the submitter, the addressed delegate and group, STAFF, MONITOR and ADMIN (riêng tư).",
    },
)


# ---- types -------------------------------------------------------------------------------------


@strawberry.type(description="One step of a petition's timeline (diễn biến xử lý).")
class PetitionEvent:
    at: datetime = strawberry.field(description="When it happened.")
    status: PetitionStatus = strawberry.field(description="The petition's status after this step.")
    actor_role: Role = strawberry.field(description="The role of whoever took the step.")
    note: str | None = strawberry.field(
        description="What was said with it: agency forwarded to, reason of a refusal, the citizen's comment…"
    )
    pk: strawberry.Private[int]
    petition_id: strawberry.Private[int]

    @classmethod
    def from_row(cls, row: EventRow) -> "PetitionEvent":
        assert row.id is not None
        return cls(
            pk=row.id,
            petition_id=row.petition_id,
            at=local(row.at),
            status=PetitionStatus(row.status),
            actor_role=Role(row.actor_role),
            note=row.note,
        )


@strawberry.type(description="The answer to a petition (nội dung trả lời).")
class PetitionAnswer:
    body: str = strawberry.field(description="The answer's text.")
    respondent: str = strawberry.field(
        description="Who answered: an agency or official (cơ quan, người trả lời)."
    )
    answered_at: datetime = strawberry.field(description="When it was answered.")

    @classmethod
    def from_row(cls, row: PetitionRow) -> "PetitionAnswer | None":
        if row.answer_body is None or row.answered_at is None:
            return None
        return cls(
            body=row.answer_body,
            respondent=row.answer_respondent or "",
            answered_at=local(row.answered_at),
        )


@strawberry.type(
    description="Who submitted a petition (người gửi). Personal data: shown only to the submitter, "
    "the addressed delegate and group, STAFF, MONITOR and ADMIN; every read is audited."
)
class Submitter:
    full_name: str = strawberry.field(
        description="Name from the App Hậu Giang account (họ và tên)."
    )
    phone: str | None = strawberry.field(
        description="Contact phone in E.164 form (+84…), if one was given."
    )


@strawberry.type(description="A citizen's petition to the council (kiến nghị cử tri).")
class Petition(Node, PetitionMeetingFields):
    tracking_code: str = strawberry.field(
        description="Code to follow the petition without signing in (mã tra cứu), e.g. «K7M-Q2X-D4P»."
    )
    title: str = strawberry.field(description="Title (tiêu đề), 5–200 characters.")
    content: str = strawberry.field(description="The concern in full (nội dung).")
    category: PetitionCategory = strawberry.field(description="Field (lĩnh vực).")
    status: PetitionStatus = strawberry.field(description="Where it stands in the workflow.")
    visibility: Visibility = strawberry.field(description="Public or private.")
    submitted_at: datetime = strawberry.field(description="When it was submitted.")
    updated_at: datetime = strawberry.field(description="When it last changed.")
    acknowledged_at: datetime | None = strawberry.field(
        description="When it was acknowledged (tiếp nhận), if it was."
    )
    forwarded_to: str | None = strawberry.field(
        description="The agency it was forwarded to (cơ quan được chuyển), if any."
    )
    closed_at: datetime | None = strawberry.field(description="When the citizen closed it.")
    satisfied: bool | None = strawberry.field(
        description="Whether the citizen was satisfied with the answer, once closed (mức độ hài lòng)."
    )
    answer: PetitionAnswer | None = strawberry.field(description="The answer, once answered.")
    pk: strawberry.Private[int]
    row: strawberry.Private[PetitionRow]

    @classmethod
    def from_row(cls, row: PetitionRow) -> "Petition":
        assert row.id is not None
        return cls(
            id=to_global_id("Petition", row.id),
            pk=row.id,
            row=row,
            tracking_code=row.tracking_code,
            title=row.title,
            content=row.content,
            category=PetitionCategory(row.category),
            status=PetitionStatus(row.status),
            visibility=Visibility(row.visibility),
            submitted_at=local(row.submitted_at),
            updated_at=local(row.updated_at),
            acknowledged_at=local(row.acknowledged_at) if row.acknowledged_at else None,
            forwarded_to=row.forwarded_agency,
            closed_at=local(row.closed_at) if row.closed_at else None,
            satisfied=row.satisfied,
            answer=PetitionAnswer.from_row(row),
        )

    @strawberry.field(description="The commune (xã, phường, thị trấn) it concerns.")
    async def commune(self, info: Info) -> AdministrativeUnit:
        unit = await info.context.loaders.unit_by_code.load(self.row.commune_code)
        assert unit is not None
        return AdministrativeUnit.from_row(unit)

    @strawberry.field(description="The delegate it is addressed to, when the citizen chose one.")
    async def delegate(self, info: Info) -> Delegate | None:
        if self.row.delegate_id is None:
            return None
        row = await info.context.loaders.delegate_by_id.load(self.row.delegate_id)
        return Delegate.from_row(row) if row else None

    @strawberry.field(
        description="The delegate group (Tổ đại biểu) it is addressed to: the chosen delegate's "
        "group, else the group whose areas cover the commune."
    )
    async def group(self, info: Info) -> DelegateGroup:
        row = await info.context.loaders.group_by_id.load(self.row.group_id)
        assert row is not None
        return DelegateGroup.from_row(row)

    @strawberry.field(description="How many citizens support it (số người ủng hộ).")
    def support_count(self) -> int:
        return support_count(self.row)

    @strawberry.field(description="True when you support it; false when anonymous.")
    async def viewer_has_supported(self, info: Info) -> bool:
        if not info.context.viewer.is_signed_in:
            return False
        return await petition_loaders(info).supported_by_petition_id.load(self.pk)

    @strawberry.field(
        description="True when late (quá hạn): not acknowledged within HDND_ACK_DAYS (default 7) "
        "days of submission, or not answered within HDND_ANSWER_DAYS (default 30) days of it."
    )
    def is_overdue(self, info: Info) -> bool:
        return is_overdue(self.row, info.context.now, deadlines(info))

    @strawberry.field(directives=most(20), description="Every step so far, oldest first.")
    async def timeline(self, info: Info) -> list[PetitionEvent]:
        rows = await petition_loaders(info).events_by_petition_id.load(self.pk)
        return [PetitionEvent.from_row(r) for r in rows]

    @strawberry.field(
        description="Who submitted it (personal data). Null unless you are the submitter, the "
        "addressed delegate or a member of the addressed group, STAFF, MONITOR or ADMIN, and null "
        "once the submitter erased their data. Every read is written to the audit log.",
        metadata={
            "restricted": "the submitter, the addressed delegate and group, STAFF, MONITOR, ADMIN"
        },
    )
    async def submitter(self, info: Info) -> Submitter | None:
        if not may_see_submitter(info.context.viewer, self.row, info.context.today):
            return None
        identity = await petition_loaders(info).submitter_by_petition_id.load(self.pk)
        if identity is None or (identity.name is None and identity.phone is None):
            return None
        return Submitter(full_name=identity.name or "(không rõ tên)", phone=identity.phone)


@strawberry.type(
    description="What anyone holding the tracking code may see (tra cứu): no content, no personal data."
)
class PetitionTracking:
    tracking_code: str = strawberry.field(description="The tracking code (mã tra cứu).")
    status: PetitionStatus = strawberry.field(description="Where it stands.")
    submitted_at: datetime = strawberry.field(description="When it was submitted.")
    answer: PetitionAnswer | None = strawberry.field(description="The answer, once answered.")
    pk: strawberry.Private[int]

    @strawberry.field(directives=most(20), description="Every step so far, oldest first.")
    async def timeline(self, info: Info) -> list[PetitionEvent]:
        rows = await petition_loaders(info).events_by_petition_id.load(self.pk)
        return [PetitionEvent.from_row(r) for r in rows]


# ---- inputs and payloads -----------------------------------------------------------------------


@strawberry.input(description="Narrows `petitions`; all given conditions must hold.")
class PetitionFilter:
    status: PetitionStatus | None = strawberry.field(default=None, description="Only this status.")
    category: PetitionCategory | None = strawberry.field(
        default=None, description="Only this field (lĩnh vực)."
    )
    unit_code: str | None = strawberry.field(
        default=None,
        description="Only petitions from this unit and every unit inside it (a district: all its communes).",
    )
    delegate_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only petitions addressed to this delegate."
    )
    search: str | None = strawberry.field(
        directives=weighing(SEARCH_WEIGHT),
        default=None,
        description="Words in the title or content; case and diacritics are ignored («vi thanh» finds «Vị Thanh»).",
    )
    overdue: bool | None = strawberry.field(
        default=None,
        description="True: only overdue petitions (see `isOverdue`); false: only the others.",
    )


@strawberry.input(description="A new petition.")
class SubmitPetitionInput:
    title: str = strawberry.field(description="Title, 5–200 characters after trimming.")
    content: str = strawberry.field(description="The concern, 20–10,000 characters after trimming.")
    category: PetitionCategory = strawberry.field(description="Field (lĩnh vực).")
    commune_code: str = strawberry.field(
        description="Code of the commune, ward or town (xã, phường, thị trấn) it concerns."
    )
    delegate_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Address it to this delegate (and their group); without it, it goes to the "
        "group whose areas cover the commune.",
    )
    visibility: Visibility = strawberry.field(
        default=Visibility.PUBLIC, description="Public (default) or private."
    )
    contact_phone: str | None = strawberry.field(
        default=None,
        description="A Vietnamese phone number to be reached at; default: the account's phone.",
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Any string up to 200 characters, new for each petition: the same key from the "
        "same account within 24 hours, with the same input, returns the first petition instead of "
        "a second one; with different input (title, content, category, communeCode, delegateId, "
        "visibility or contactPhone, compared trimmed and NFC-normalised) it is refused with "
        "IDEMPOTENCY_CONFLICT.",
    )


@strawberry.type(description="Result of `submitPetition`.")
class SubmitPetitionPayload:
    petition: Petition | None = strawberry.field(description="The petition; null when refused.")
    idempotent_replay: bool = strawberry.field(
        description="True when the idempotency key returned a petition submitted earlier."
    )
    user_errors: list[UserError] = strawberry.field(
        directives=most(20), description="Why it was refused; empty on success."
    )


@strawberry.type(description="Result of a petition mutation.")
class PetitionPayload:
    petition: Petition | None = strawberry.field(
        description="The petition as changed; null when refused."
    )
    user_errors: list[UserError] = strawberry.field(
        directives=most(20),
        description="Why it was refused; empty on success. A refused mutation changes nothing.",
    )


@strawberry.type(description="A petition you support (ủng hộ).")
class SupportRecord:
    supported_at: datetime = strawberry.field(description="When you supported it.")
    petition: Petition = strawberry.field(description="The petition.")


@strawberry.type(
    description="Everything held about your account (dữ liệu cá nhân của bạn), for export: "
    "the account, your petitions (with your name and phone as stored) and your supports."
)
class MyData:
    sub: str = strawberry.field(description="Your account's subject (`sub`).")
    role: Role = strawberry.field(description="Your role.")
    account_created_at: datetime = strawberry.field(description="When the account was first seen.")
    exported_at: datetime = strawberry.field(description="When this export was made.")
    petitions: list[Petition] = strawberry.field(
        directives=most(100), description="Every petition you submitted, newest first."
    )
    supports: list[SupportRecord] = strawberry.field(
        directives=most(100), description="Every petition you support, newest first."
    )


@strawberry.type(description="Result of `eraseMyData`.")
class EraseMyDataPayload:
    erased_petition_count: int = strawberry.field(
        description="How many of your petitions had your name and phone removed (they remain, "
        "without identity)."
    )
    user_errors: list[UserError] = strawberry.field(
        directives=most(20), description="Why it was refused; empty on success."
    )


# ---- helpers -----------------------------------------------------------------------------------


def _user_errors(refused: db_petitions.PetitionRefused) -> list[UserError]:
    return [user_error(p.code, p.message, *p.field) for p in refused.problems]


def _petition_pk(value: strawberry.ID) -> int | None:
    return pk_of(value, "Petition")


BAD_ID = "Mã kiến nghị không hợp lệ."


def _db_filter(f: PetitionFilter | None) -> db_petitions.PetitionFilter:
    if f is None:
        return db_petitions.PetitionFilter()
    if f.search is not None and len(f.search) > SEARCH_MAX:
        raise bad_input(f"Từ khoá tìm kiếm dài tối đa {SEARCH_MAX} ký tự.", "filter.search")
    return db_petitions.PetitionFilter(
        status=f.status.name if f.status else None,
        category=f.category.name if f.category else None,
        unit_code=f.unit_code,
        delegate_id=optional_global_id(f.delegate_id, "Delegate", "filter.delegateId"),
        search=f.search,
        overdue=f.overdue,
    )


def _unknown_unit(code: str, field: str) -> Exception:
    return bad_input(f"Không có đơn vị hành chính mã «{code}».", field)


def _connection(
    rows: list[PetitionRow], has_next: bool, has_previous: bool, count: Callable[[], Awaitable[int]]
) -> Connection[Petition]:
    return make_connection(
        rows, has_next, has_previous, db_petitions.petition_key, Petition.from_row, count
    )


PageSize = Annotated[
    int | None, strawberry.argument(description="Page size, 0 to 100 (default 20).")
]
After = Annotated[str | None, strawberry.argument(description="`endCursor` of the previous page.")]
PetitionId = Annotated[
    strawberry.ID, strawberry.argument(description="The petition (`Petition.id`).")
]


# ---- queries -----------------------------------------------------------------------------------


@strawberry.type
class PetitionsQuery:
    @strawberry.field(
        directives=paged(),
        description="Petitions newest first (at most 100 a page). Anonymous callers, integrators "
        "and citizens see PUBLIC petitions (and a citizen their own); a delegate also those "
        "addressed to them or their group; STAFF, MONITOR and ADMIN see all.",
    )
    async def petitions(
        self,
        info: Info,
        filter: Annotated[
            PetitionFilter | None,
            strawberry.argument(
                description="What to narrow the list to (status, category, unit, delegate, overdue, a text search); every petition you may see when left out."
            ),
        ] = None,
        first: PageSize = None,
        after: After = None,
    ) -> Connection[Petition]:
        limit = page_size(first)
        key = decode_cursor(after, (datetime, int))
        f = _db_filter(filter)
        sm = info.context.sessionmaker
        async with sm() as session:
            try:
                scope = await db_petitions.list_scope(
                    session, f, info.context.viewer, deadlines(info), info.context.now
                )
            except db_petitions.UnknownUnit as exc:
                raise _unknown_unit(str(exc), "filter.unitCode") from exc
            page = await db_petitions.petitions_page(session, f, scope, limit, key)

        async def count() -> int:
            async with sm() as session:
                return await db_petitions.petitions_count(session, f, scope)

        return _connection(page.rows, page.has_next, key is not None, count)

    @strawberry.field(
        description="Follow a petition by its tracking code (tra cứu), without signing in; case, "
        "spaces and dashes are ignored. Null when no petition has this code."
    )
    async def petition_by_tracking_code(
        self,
        info: Info,
        code: Annotated[
            str,
            strawberry.argument(
                description="The tracking code given at submission (mã theo dõi), e.g. «K7M-Q2X-D4P»; case, spaces and dashes do not matter."
            ),
        ],
    ) -> PetitionTracking | None:
        async with info.context.sessionmaker() as session:
            row = await db_petitions.petition_by_tracking_code(session, code)
        if row is None or row.id is None:
            return None
        return PetitionTracking(
            pk=row.id,
            tracking_code=row.tracking_code,
            status=PetitionStatus(row.status),
            submitted_at=local(row.submitted_at),
            answer=PetitionAnswer.from_row(row),
        )

    @strawberry.field(
        directives=paged(),
        description="Your own petitions, newest first (signed-in accounts).",
        permission_classes=[IsSignedIn],
    )
    async def my_petitions(
        self, info: Info, first: PageSize = None, after: After = None
    ) -> Connection[Petition] | None:
        limit = page_size(first)
        key = decode_cursor(after, (datetime, int))
        viewer = info.context.viewer
        sm = info.context.sessionmaker
        async with sm() as session:
            page = await db_petitions.my_petitions_page(session, viewer, limit, key)

        async def count() -> int:
            async with sm() as session:
                return await db_petitions.my_petitions_count(session, viewer)

        return _connection(page.rows, page.has_next, key is not None, count)

    @strawberry.field(
        directives=paged(),
        description="Petitions to handle (hộp thư kiến nghị), newest first: for a DELEGATE those "
        "addressed to them or their group; for STAFF all.",
        permission_classes=[has_role(Role.DELEGATE, Role.STAFF)],
    )
    async def inbox(
        self,
        info: Info,
        status: Annotated[
            PetitionStatus | None,
            strawberry.argument(
                description="Only petitions in this status (e.g. SUBMITTED: not yet acknowledged); all when left out."
            ),
        ] = None,
        first: PageSize = None,
        after: After = None,
    ) -> Connection[Petition] | None:
        limit = page_size(first)
        key = decode_cursor(after, (datetime, int))
        viewer, today = info.context.viewer, info.context.today
        wanted = status.name if status else None
        sm = info.context.sessionmaker
        async with sm() as session:
            page = await db_petitions.inbox_page(session, viewer, wanted, limit, key, today=today)

        async def count() -> int:
            async with sm() as session:
                return await db_petitions.inbox_count(session, viewer, wanted, today=today)

        return _connection(page.rows, page.has_next, key is not None, count)

    @strawberry.field(
        directives=paged(HOT_DEFAULT, ()),
        description="Hot issues (vấn đề nóng): PUBLIC petitions still open (not closed or "
        "rejected) submitted since `since` (default: the last 90 days), optionally inside "
        "`unitCode`, ranked by (supportCount + 1) / (hours since submission + 2)^1.5, so support "
        "lifts a petition and age lets it sink; ties newest first. `first`: 1–100, default 10.",
    )
    async def hot_issues(
        self,
        info: Info,
        unit_code: Annotated[
            str | None,
            strawberry.argument(
                description="Only petitions about places inside this administrative unit (mã đơn vị hành chính); the whole province when left out."
            ),
        ] = None,
        since: Annotated[
            datetime | None,
            strawberry.argument(
                description="Only petitions submitted from this instant on; the last 90 days when left out."
            ),
        ] = None,
        first: Annotated[
            int | None, strawberry.argument(description="How many, 1 to 100 (default 10).")
        ] = None,
    ) -> list[Petition]:
        limit = HOT_DEFAULT if first is None else page_size(first)
        async with info.context.sessionmaker() as session:
            try:
                rows = await db_petitions.hot_issues(
                    session, unit_code, since, limit, info.context.now
                )
            except db_petitions.UnknownUnit as exc:
                raise _unknown_unit(str(exc), "unitCode") from exc
        return [Petition.from_row(r) for r in rows]

    @strawberry.field(
        description="Everything held about you (dữ liệu cá nhân), for export under the Personal "
        "Data Protection Law; null when anonymous or an integrator. Reading it is not written "
        "to the audit log (erasing it with `eraseMyData` is).",
        metadata={"restricted": "signed-in accounts, each only their own"},
    )
    async def my_data(self, info: Info) -> MyData | None:
        viewer = info.context.viewer
        if not viewer.is_signed_in:
            return None
        async with info.context.sessionmaker() as session:
            record = await db_petitions.my_data(session, viewer)
        if record is None:
            return None
        loaders = petition_loaders(info)
        for row in record.petitions:
            if row.id is not None:
                loaders.petition_by_id.prime(row.id, row)
        return MyData(
            sub=record.account.sub,
            role=Role(record.account.role),
            account_created_at=local(record.account.created_at),
            exported_at=local(info.context.now),
            petitions=[Petition.from_row(r) for r in record.petitions],
            supports=[
                SupportRecord(supported_at=local(s.supported_at), petition=Petition.from_row(p))
                for s, p in record.supports
            ],
        )


# ---- mutations ---------------------------------------------------------------------------------


def _refused(errors: list[UserError]) -> PetitionPayload:
    return PetitionPayload(petition=None, user_errors=errors)


def _changed(info: Info, row: PetitionRow) -> PetitionPayload:
    assert row.id is not None
    loaders = petition_loaders(info)
    loaders.petition_by_id.prime(row.id, row, force=True)
    # The timeline gained an event: forget any earlier read of it in this request.
    loaders.events_by_petition_id.clear_all()
    return PetitionPayload(petition=Petition.from_row(row), user_errors=[])


async def _step(
    info: Info, id: strawberry.ID, action: db_petitions.Action, args: db_petitions.StepInput
) -> PetitionPayload:
    pk = _petition_pk(id)
    if pk is None:
        return _refused([user_error(UserErrorCode.INVALID_INPUT, BAD_ID, "id")])
    try:
        async with transaction(info.context.sessionmaker) as session:
            row = await db_petitions.transition(
                session,
                info.context.viewer,
                pk,
                action,
                args,
                now=info.context.now,
                request_id=info.context.request_id,
            )
    except db_petitions.PetitionRefused as refused:
        return _refused(_user_errors(refused))
    return _changed(info, row)


Note = Annotated[
    str | None, strawberry.argument(description="A note for the timeline (up to 2,000 characters).")
]


@strawberry.type
class PetitionsMutation:
    @strawberry.mutation(
        description="Send a petition (gửi kiến nghị); signed-in accounts. The submitter's name and "
        "phone come from the account (`name`, `phone_number` claims) unless `contactPhone` is "
        "given. At most HDND_PETITIONS_PER_HOUR (default 10) an hour per account (RATE_LIMITED)."
    )
    async def submit_petition(
        self,
        info: Info,
        input: Annotated[
            SubmitPetitionInput,
            strawberry.argument(
                description="The petition: title, content, category, commune, and optionally the delegate, visibility, contact phone and an idempotency key."
            ),
        ],
    ) -> SubmitPetitionPayload:
        delegate_pk: int | None = None
        if input.delegate_id is not None:
            delegate_pk = pk_of(input.delegate_id, "Delegate")
            if delegate_pk is None:
                error = user_error(
                    UserErrorCode.INVALID_INPUT,
                    "Mã đại biểu không hợp lệ.",
                    "input",
                    "delegateId",
                )
                return SubmitPetitionPayload(
                    petition=None, idempotent_replay=False, user_errors=[error]
                )
        data = db_petitions.SubmitInput(
            title=input.title,
            content=input.content,
            category=input.category.name,
            commune_code=input.commune_code,
            delegate_id=delegate_pk,
            visibility=input.visibility.name,
            contact_phone=input.contact_phone,
            idempotency_key=input.idempotency_key,
        )
        context = info.context
        try:
            async with transaction(context.sessionmaker) as session:
                done = await db_petitions.submit_petition(
                    session,
                    context.viewer,
                    data,
                    per_hour=context.settings.petitions_per_hour,
                    now=context.now,
                    request_id=context.request_id,
                )
        except db_petitions.PetitionRefused as refused:
            return SubmitPetitionPayload(
                petition=None, idempotent_replay=False, user_errors=_user_errors(refused)
            )
        changed = _changed(info, done.petition)
        return SubmitPetitionPayload(
            petition=changed.petition, idempotent_replay=done.replayed, user_errors=[]
        )

    @strawberry.mutation(
        description="Acknowledge receipt (tiếp nhận): SUBMITTED → ACKNOWLEDGED; the addressed "
        "delegate, a member of the addressed group, or STAFF."
    )
    async def acknowledge_petition(
        self, info: Info, id: PetitionId, note: Note = None
    ) -> PetitionPayload:
        return await _step(
            info, id, db_petitions.Action.ACKNOWLEDGE, db_petitions.StepInput(note=note)
        )

    @strawberry.mutation(
        description="Forward to the competent agency (chuyển cơ quan có thẩm quyền): ACKNOWLEDGED "
        "→ FORWARDED; the addressed delegate, a member of the addressed group, or STAFF."
    )
    async def forward_petition(
        self,
        info: Info,
        id: PetitionId,
        agency: Annotated[str, strawberry.argument(description="The agency it goes to.")],
        note: Note = None,
    ) -> PetitionPayload:
        return await _step(
            info, id, db_petitions.Action.FORWARD, db_petitions.StepInput(agency=agency, note=note)
        )

    @strawberry.mutation(
        description="Record the answer (trả lời): ACKNOWLEDGED or FORWARDED → ANSWERED; the "
        "addressed delegate, a member of the addressed group, or STAFF."
    )
    async def answer_petition(
        self,
        info: Info,
        id: PetitionId,
        body: Annotated[str, strawberry.argument(description="The answer's text.")],
        respondent: Annotated[
            str, strawberry.argument(description="Who answers: agency or official.")
        ],
    ) -> PetitionPayload:
        return await _step(
            info,
            id,
            db_petitions.Action.ANSWER,
            db_petitions.StepInput(body=body, respondent=respondent),
        )

    @strawberry.mutation(
        description="Close after the answer (đóng kiến nghị): ANSWERED → CLOSED; the submitter only."
    )
    async def close_petition(
        self,
        info: Info,
        id: PetitionId,
        satisfied: Annotated[
            bool, strawberry.argument(description="Whether the answer satisfied you.")
        ],
        comment: Annotated[
            str | None, strawberry.argument(description="Your comment for the timeline.")
        ] = None,
    ) -> PetitionPayload:
        return await _step(
            info,
            id,
            db_petitions.Action.CLOSE,
            db_petitions.StepInput(satisfied=satisfied, comment=comment),
        )

    @strawberry.mutation(
        description="Refuse it with a reason (không tiếp nhận): SUBMITTED or ACKNOWLEDGED → "
        "REJECTED; the addressed delegate, a member of the addressed group, or STAFF."
    )
    async def reject_petition(
        self,
        info: Info,
        id: PetitionId,
        reason: Annotated[
            str, strawberry.argument(description="Why; required, shown to the citizen.")
        ],
    ) -> PetitionPayload:
        return await _step(
            info, id, db_petitions.Action.REJECT, db_petitions.StepInput(reason=reason)
        )

    @strawberry.mutation(
        description="Support a PUBLIC petition that is still open (ủng hộ); a citizen other than the "
        "submitter, once (again: DUPLICATE)."
    )
    async def support_petition(self, info: Info, id: PetitionId) -> PetitionPayload:
        pk = _petition_pk(id)
        if pk is None:
            return _refused([user_error(UserErrorCode.INVALID_INPUT, BAD_ID, "id")])
        try:
            async with transaction(info.context.sessionmaker) as session:
                row = await db_petitions.support_petition(
                    session,
                    info.context.viewer,
                    pk,
                    now=info.context.now,
                    request_id=info.context.request_id,
                )
        except db_petitions.PetitionRefused as refused:
            return _refused(_user_errors(refused))
        petition_loaders(info).supported_by_petition_id.prime(pk, True, force=True)
        return _changed(info, row)

    @strawberry.mutation(
        description="Erase your name and phone everywhere (xoá dữ liệu cá nhân): from your "
        "petitions and wherever their text, answer or timeline repeats them (in part, reordered, "
        "however a number was typed), and your idempotency keys. Your petitions stay, without "
        "identity, so the council's record is kept. Signed-in accounts."
    )
    async def erase_my_data(self, info: Info) -> EraseMyDataPayload:
        try:
            async with transaction(info.context.sessionmaker) as session:
                erased = await db_petitions.erase_my_data(
                    session,
                    info.context.viewer,
                    now=info.context.now,
                    request_id=info.context.request_id,
                )
        except db_petitions.PetitionRefused as refused:
            return EraseMyDataPayload(erased_petition_count=0, user_errors=_user_errors(refused))
        # Committed: now the old row versions can go too (VACUUM runs outside a transaction).
        await vacuum(info.context.sessionmaker, erased.tables)
        return EraseMyDataPayload(erased_petition_count=erased.petitions, user_errors=[])


async def _petition_node(info: Info, pk: int) -> Petition | None:
    row = await petition_loaders(info).petition_by_id.load(pk)
    if row is None or not can_view(info.context.viewer, row, info.context.today):
        return None
    return Petition.from_row(row)


register_node("Petition", _petition_node)
