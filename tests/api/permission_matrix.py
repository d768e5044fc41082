"""THE PERMISSION MATRIX: who may use every query, mutation and restricted field.

tests/api/test_permission_matrix.py lists every Query, Mutation and Subscription field and
every restricted field (a permission class, `MutationRoles`, or `metadata={"restricted": …}`)
from the schema itself, and fails when one has no row here, or a row names a field that is
gone. Each row is then run for every viewer in VIEWERS: the viewers in `allowed` must get an
answer, every other one a refusal that leaks nothing (no string the allowed answer held) and,
for a mutation, changes nothing (`snapshot` before and after).

To add a field: add a Row to ROWS. `variables(world, viewer)` gives the request's variables
(different per viewer when a mutation would otherwise collide with itself), `setup(world)`
prepares data once before the viewers run, `snapshot(world)` reads what a refused mutation
must leave unchanged. `refusal` says how a refusal looks: a GraphQL error ("error", queries),
a null field ("null"), or a payload whose `userErrors` holds the refusal ("user_error",
mutations); `refusals` overrides it for some viewers. The code is one for "sign in first":
UNAUTHENTICATED for the anonymous viewer, FORBIDDEN for every identified one (an account whose
role may not, an integrator's key).
`root` is the dotted path under `data` the refusal concerns (the root field's name by
default; "node.submitter" for a field reached through `node`; a list on the way is walked
item by item). `check(world, viewer, data)` adds what an allowed viewer's answer must hold
(their own petitions and no one else's, say). A subscription row (its document starts with
`subscription`) is run through the schema's `subscribe` with the viewer's Context; `trigger`
makes the event an allowed viewer's subscription must then deliver.

Workflow mutations refuse a petition hidden from the viewer with NOT_FOUND before they ask
who the viewer is (nothing about it leaks): their rows act on PUBLIC petitions, which every
viewer may see, so each cell tests the permission itself.
"""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, timedelta
from typing import Any, Literal

import sqlalchemy as sa
from sqlmodel import col

from db import channels as db_channels
from db import clock
from db import petitions as db_petitions
from db import sessions as db_sessions
from db.accounts import viewer_for_sub
from db.agencies import writes as agency_writes
from db.council import writes as db_admin
from db.engine import Sessionmaker, transaction
from db.integrators import create_api_key, revoke_api_key
from db.sessions import contributions as db_contributions
from db.tables import (
    AgendaItem,
    ApiKey,
    Delegate,
    Petition,
    VoterMeeting,
    VoterMeetingCommune,
)
from db.timeline import append_event
from db.viewer import Viewer
from schema.relay import to_global_id

VIEWERS = (
    "anonymous",
    "integrator",
    "citizen_a",
    "citizen_b",
    "delegate",  # the addressed delegate (linked to World.delegate_id, group World.group_id)
    "other_delegate",  # a delegate of another group
    # A member of the delegate's group whose service has ended: the account keeps its DELEGATE
    # role and link, yet holds none of the group's petitions, channel or guests any more.
    "ended_delegate",
    "staff",
    "monitor",
    "admin",
    # An account of the agency the matrix forwards petitions to (World.agency_id).
    "agency",
)
EVERYONE = frozenset(VIEWERS)
SIGNED_IN = EVERYONE - {"anonymous", "integrator"}
# Who sees a PRIVATE petition of citizen A addressed to the delegate, and its submitter.
PETITION_READERS = frozenset({"citizen_a", "delegate", "staff", "monitor", "admin"})
# Who handles a petition addressed to the delegate (acknowledge, forward, answer, reject).
HANDLERS = frozenset({"delegate", "staff"})
# The council office: the directory and sessions.
OFFICE = frozenset({"staff", "admin"})
# Compliance goes by role: a delegate whose service ended still reads the council's record.
COMPLIANCE_READERS = frozenset(
    {"delegate", "other_delegate", "ended_delegate", "staff", "monitor", "admin"}
)
# Readers of the delegate group's channel: its member (the delegate), STAFF, MONITOR, ADMIN.
CHANNEL_READERS = frozenset({"delegate", "staff", "monitor", "admin"})
CONTRIBUTORS = frozenset({"delegate", "other_delegate", "staff", "admin"})


@dataclass
class World:
    """What the rows may refer to: the demo directory plus accounts of every role."""

    sessionmaker: Sessionmaker
    delegate_id: int
    group_id: int
    other_delegate_id: int
    other_group_id: int
    ended_delegate_id: int  # in `group_id`, service ended before the day the requests run
    subs: Mapping[str, str]  # viewer -> account `sub` (signed-in viewers only)
    agency_id: int = 0  # the agency of the "agency" viewer
    extra: dict[str, Any] = dataclass_field(default_factory=dict)  # what setups leave here


Variables = Callable[[World, str], Mapping[str, Any]]
Hook = Callable[[World], Awaitable[Any]]
Check = Callable[[World, str, Any], Awaitable[str | None]]
RefusalKind = Literal["error", "null", "user_error"]


@dataclass(frozen=True)
class Row:
    field: str  # "Query.units", "Mutation.createApiKey", "DelegateGroup.guests"
    document: str
    allowed: frozenset[str]
    refusal: RefusalKind = "error"
    variables: Variables = lambda world, viewer: {}
    setup: Hook | None = None
    snapshot: Hook | None = None
    # The path under `data` that the refusal concerns (the root field's name by default).
    root: str | None = None
    check: Check | None = None
    trigger: Hook | None = None
    refusals: Mapping[str, RefusalKind] = dataclass_field(default_factory=dict)

    @property
    def is_subscription(self) -> bool:
        return self.document.lstrip().startswith("subscription")

    def refusal_for(self, viewer: str) -> RefusalKind:
        return self.refusals.get(viewer, self.refusal)


def no_variables(world: World, viewer: str) -> Mapping[str, Any]:
    return {}


# ---- who is who --------------------------------------------------------------------------------


async def viewer_of(world: World, who: str) -> Viewer:
    """The db Viewer of a signed-in matrix viewer, as a request with its token would have it."""
    async with transaction(world.sessionmaker) as session:
        return await viewer_for_sub(session, world.subs[who], f"Tên {who}", "0901234567")


def gid(kind: str, pk: int) -> str:
    return to_global_id(kind, pk)


def per_viewer(kind: str, key: str) -> Variables:
    """{"id": the global id of this viewer's own object, left by the setup in extra[key]}."""
    return lambda w, v: {"id": gid(kind, w.extra[key][v])}


async def spare_delegates(world: World, count: int = len(VIEWERS)) -> list[int]:
    """Serving delegates linked to no viewer: objects for per-viewer mutations."""
    async with world.sessionmaker() as session:
        rows = await session.execute(
            sa.select(col(Delegate.id))
            .where(
                col(Delegate.served_until).is_(None),
                col(Delegate.id).not_in([world.delegate_id, world.other_delegate_id]),
            )
            .order_by(col(Delegate.id))
            .limit(count)
        )
        found = list(rows.scalars())
    assert len(found) == count
    return found


async def _rows_json(world: World, *tables: str) -> tuple[Any, ...]:
    """Every row of `tables` as JSON, and the audit log's length (submitter reads aside): what
    a refused mutation must leave as it was."""
    parts = [
        f"(SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY to_jsonb(t)::text), '[]') FROM {t} t)"
        for t in tables
    ]
    audits = "(SELECT count(*) FROM audit_event WHERE action <> 'petition.submitter.read')"
    async with world.sessionmaker() as session:
        row = (await session.execute(sa.text(f"SELECT {', '.join([*parts, audits])}"))).one()
    return tuple(row)


async def _api_keys(world: World) -> list[tuple[str, bool]]:
    async with world.sessionmaker() as session:
        rows = await session.execute(sa.select(ApiKey.name, ApiKey.revoked_at).order_by("id"))
        return [(name, revoked is not None) for name, revoked in rows]


async def _keys_to_revoke(world: World) -> None:
    async with transaction(world.sessionmaker) as session:
        for viewer in VIEWERS:
            await create_api_key(session, f"revoke-me-{viewer}")


async def _keys_some_revoked(world: World) -> None:
    await _keys_to_revoke(world)
    async with transaction(world.sessionmaker) as session:
        await revoke_api_key(session, "revoke-me-admin")


def _api_key_row(name: str) -> Row:
    return Row(
        f"ApiKey.{name}",
        f"{{ apiKeys {{ {name} }} }}",
        frozenset({"monitor", "admin"}),
        setup=_keys_some_revoked,
        root="apiKeys",
    )


# ---- petitions ---------------------------------------------------------------------------------

VI_THANH_COMMUNE = "31318"  # Phường I, Vị Thanh: the delegate's group covers it
PETITION_CONTENT = (
    "Đoạn đường liên ấp dài khoảng 200 mét bị sạt lở sau mưa lớn, xe máy đi lại rất nguy hiểm."
)
ACK = (db_petitions.Action.ACKNOWLEDGE, db_petitions.StepInput())
STEPS_TO: dict[str, tuple[tuple[db_petitions.Action, db_petitions.StepInput], ...]] = {
    "SUBMITTED": (),
    "ACKNOWLEDGED": (ACK,),
    "ANSWERED": (
        ACK,
        (
            db_petitions.Action.ANSWER,
            db_petitions.StepInput(body="Sẽ sửa trong quý tới.", respondent="Sở Giao thông"),
        ),
    ),
}


async def make_petition(
    world: World,
    *,
    visibility: str = "PUBLIC",
    status: str = "SUBMITTED",
    title: str = "Đường liên ấp bị sạt lở",
) -> Petition:
    """A petition of citizen A addressed to the delegate (and so to their group), moved on
    to `status` by STAFF."""
    submitter = await viewer_of(world, "citizen_a")
    staff = await viewer_of(world, "staff")
    async with transaction(world.sessionmaker) as session:
        done = await db_petitions.submit_petition(
            session,
            submitter,
            db_petitions.SubmitInput(
                title=title,
                content=PETITION_CONTENT,
                category="INFRASTRUCTURE_TRANSPORT",
                commune_code=VI_THANH_COMMUNE,
                delegate_id=world.delegate_id,
                visibility=visibility,
            ),
            per_hour=1_000,
            now=clock.now(),
        )
        petition = done.petition
        assert petition.id is not None
        for action, args in STEPS_TO[status]:
            petition = await db_petitions.transition(
                session, staff, petition.id, action, args, now=clock.now()
            )
    return petition


def petitions_per_viewer(status: str) -> Hook:
    """One PUBLIC petition in `status` per viewer, so each call finds it as it was."""

    async def setup(world: World) -> None:
        made = {}
        for viewer in VIEWERS:
            petition = await make_petition(world, status=status, title=f"Kiến nghị thử {viewer}")
            made[viewer] = petition.id
        world.extra["petition"] = made

    return setup


async def _petition_state(world: World) -> tuple[Any, ...]:
    return await _rows_json(
        world,
        "petition",
        "petition_event",
        "petition_support",
        "petition_idempotency",
        "petition_forward",
        "outbox",
    )


async def _public_and_private(world: World) -> None:
    """Citizen A's PUBLIC and PRIVATE petitions, both addressed to the delegate."""
    public = await make_petition(world, title="Kiến nghị công khai của ma trận")
    private = await make_petition(
        world, visibility="PRIVATE", title="Kiến nghị riêng tư của ma trận"
    )
    world.extra["public"] = public
    world.extra["private"] = private


def _codes(answer: Any) -> set[str]:
    """Tracking codes anywhere in an answer."""
    if isinstance(answer, dict):
        found = {answer["trackingCode"]} if "trackingCode" in answer else set()
        return found.union(*(_codes(v) for v in answer.values()))
    if isinstance(answer, list):
        return set().union(*(_codes(v) for v in answer))
    return set()


def sees(public: frozenset[str], private: frozenset[str]) -> Check:
    """The viewers in `public` find the PUBLIC petition in their answer, those in `private`
    the PRIVATE one; no one else finds either."""

    async def check(world: World, viewer: str, data: Any) -> str | None:
        codes = _codes(data)
        for key, who in (("public", public), ("private", private)):
            code = world.extra[key].tracking_code
            if (code in codes) != (viewer in who):
                return f"{key} petition {'missing' if viewer in who else 'shown'}: {data}"
        return None

    return check


def _workflow_row(name: str, status: str, extra: Mapping[str, Any]) -> Row:
    """A handler's step (acknowledge, forward, answer, reject) on this viewer's own petition."""
    declared = "".join(f", ${k}: String!" for k in extra)
    passed = "".join(f", {k}: ${k}" for k in extra)
    return Row(
        f"Mutation.{name}",
        f"mutation($id: ID!{declared}) {{ {name}(id: $id{passed}) "
        "{ petition { id status } userErrors { code field message } } }",
        HANDLERS,
        refusal="user_error",
        variables=lambda w, v: {"id": gid("Petition", w.extra["petition"][v]), **extra},
        setup=petitions_per_viewer(status),
        snapshot=_petition_state,
    )


async def _erased(world: World, viewer: str, data: Any) -> str | None:
    """Citizen A's erasure reached their petition."""
    if viewer != "citizen_a":
        return None
    async with world.sessionmaker() as session:
        name = (
            await session.execute(
                sa.select(col(Petition.submitter_name)).where(
                    col(Petition.id) == world.extra["public"].id
                )
            )
        ).scalar_one()
    return None if name is None else f"name still held: {name}"


async def _own_data(world: World, viewer: str, data: Any) -> str | None:
    if data["myData"]["sub"] != world.subs[viewer]:
        return f"someone else's data: {data}"
    mine = frozenset({"citizen_a"})
    return await sees(mine, mine)(world, viewer, data)


async def _push_petition_event(world: World) -> None:
    staff = await viewer_of(world, "staff")
    count = world.extra["pushed"] = world.extra.get("pushed", 0) + 1
    async with transaction(world.sessionmaker) as session:
        await append_event(
            session, world.extra["private"].id, "SUBMITTED", staff, f"Cập nhật số {count}"
        )


# ---- agencies ----------------------------------------------------------------------------------


def forwarded_per_viewer() -> Hook:
    """One PUBLIC petition per viewer, forwarded by STAFF to the matrix's agency."""

    async def setup(world: World) -> None:
        staff = await viewer_of(world, "staff")
        made = {}
        for viewer in VIEWERS:
            petition = await make_petition(
                world, status="ACKNOWLEDGED", title=f"Kiến nghị chuyển cơ quan {viewer}"
            )
            assert petition.id is not None
            async with transaction(world.sessionmaker) as session:
                await agency_writes.forward_petition(
                    session,
                    staff,
                    petition.id,
                    agency_id=world.agency_id,
                    agency_text=None,
                    note=None,
                    now=clock.now(),
                    answer_days=30,
                )
            made[viewer] = petition.id
        world.extra["petition"] = made

    return setup


async def _one_forwarded(world: World) -> None:
    await forwarded_per_viewer()(world)


async def _preferences_state(world: World) -> tuple[Any, ...]:
    return await _rows_json(world, "notification_preference")


# ---- the directory -----------------------------------------------------------------------------


async def _directory_state(world: World) -> tuple[Any, ...]:
    return await _rows_json(
        world, "delegate", "delegate_group", "committee_member", "directory_change"
    )


async def _members(world: World) -> list[int]:
    """Serving members of the delegate's group other than the delegate."""
    async with world.sessionmaker() as session:
        rows = await session.execute(
            sa.select(col(Delegate.id))
            .where(
                col(Delegate.group_id) == world.group_id,
                col(Delegate.id) != world.delegate_id,
                col(Delegate.served_until).is_(None),
            )
            .order_by(col(Delegate.id))
        )
        return list(rows.scalars())


async def _new_leaders(world: World) -> None:
    world.extra["members"] = await _members(world)


def _leader_for(world: World, viewer: str) -> Mapping[str, Any]:
    # STAFF and ADMIN each set a member; a refused viewer asks for the one not leading by then.
    members = world.extra["members"]
    chosen = members[1] if viewer == "admin" else members[0]
    return {"g": gid("DelegateGroup", world.group_id), "d": gid("Delegate", chosen)}


async def _with_history(world: World) -> None:
    """A change of the delegate's record and of their group's, so both histories hold one."""
    staff = await viewer_of(world, "staff")
    members = await _members(world)
    async with transaction(world.sessionmaker) as session:
        await db_admin.update_delegate(
            session,
            staff,
            world.delegate_id,
            db_admin.DelegateData(title="Chủ tịch HĐND tỉnh (ghi lại)"),
        )
        await db_admin.set_group_leader(
            session, staff, world.group_id, members[0], clock.local_date(clock.now())
        )


async def _spares(world: World) -> None:
    spare = await spare_delegates(world)
    world.extra["delegate"] = dict(zip(VIEWERS, spare, strict=True))


# ---- sessions and contributions ------------------------------------------------------------------

SESSION_DAYS = (date(2026, 12, 1), date(2026, 12, 3))  # within the demo term (khóa X)


async def make_session(world: World, status: str = "UPCOMING", agenda: Sequence[str] = ()) -> int:
    staff = await viewer_of(world, "staff")
    async with transaction(world.sessionmaker) as session:
        row = await db_sessions.create_session(
            session,
            staff,
            db_sessions.NewSession(
                title="Kỳ họp thử của ma trận",
                starts_on=SESSION_DAYS[0],
                ends_on=SESSION_DAYS[1],
                agenda=agenda,
            ),
        )
        assert row.id is not None
        for step in ("IN_PROGRESS", "CLOSED"):
            if status in (step, "CLOSED") and row.status != status:
                await db_sessions.advance_session(session, staff, row.id, step)
        return row.id


def sessions_per_viewer(status: str) -> Hook:
    async def setup(world: World) -> None:
        world.extra["session"] = {v: await make_session(world, status) for v in VIEWERS}

    return setup


async def _one_session(world: World) -> None:
    world.extra["one_session"] = await make_session(world, "IN_PROGRESS")


async def _session_with_agenda(world: World) -> None:
    sid = await make_session(world, agenda=[f"Nội dung {v}" for v in VIEWERS])
    async with world.sessionmaker() as session:
        items = (
            await session.execute(
                sa.select(col(AgendaItem.id))
                .where(col(AgendaItem.session_id) == sid)
                .order_by(col(AgendaItem.position))
            )
        ).scalars()
        world.extra["item"] = dict(zip(VIEWERS, items, strict=True))


async def _one_session_and_spares(world: World) -> None:
    await _one_session(world)
    await _spares(world)


async def _excused_spares(world: World) -> None:
    """A session and one excused spare delegate per viewer (for revokeExcuse)."""
    await _one_session_and_spares(world)
    staff = await viewer_of(world, "staff")
    async with transaction(world.sessionmaker) as session:
        for delegate_id in world.extra["delegate"].values():
            await db_sessions.excuse_delegate(
                session, staff, world.extra["one_session"], delegate_id, "Đi công tác nước ngoài"
            )


def _excuse_vars(world: World, viewer: str) -> Mapping[str, Any]:
    return {
        "s": gid("Session", world.extra["one_session"]),
        "d": gid("Delegate", world.extra["delegate"][viewer]),
    }


async def _excuse_the_delegate(world: World) -> None:
    await _one_session(world)
    staff = await viewer_of(world, "staff")
    async with transaction(world.sessionmaker) as session:
        await db_sessions.excuse_delegate(
            session,
            staff,
            world.extra["one_session"],
            world.delegate_id,
            "Điều trị dài ngày tại bệnh viện",
        )


async def _session_state(world: World) -> tuple[Any, ...]:
    return await _rows_json(
        world,
        "council_session",
        "agenda_item",
        "excused_absence",
        "contribution",
        "contribution_petition",
    )


async def _contributions_per_viewer(world: World) -> None:
    """An open session and one contribution per viewer: other_delegate's is their own, every
    other viewer's is the delegate's (a DELEGATE may change only their own)."""
    await _one_session(world)
    staff = await viewer_of(world, "staff")
    made = {}
    async with transaction(world.sessionmaker) as session:
        for viewer in VIEWERS:
            owner = world.other_delegate_id if viewer == "other_delegate" else world.delegate_id
            row = await db_contributions.record_contribution(
                session,
                staff,
                db_contributions.ContributionInput(
                    session_id=world.extra["one_session"],
                    delegate_id=owner,
                    kind="DISCUSSION",
                    venue="GROUP",
                    topic="Đầu tư công",
                    summary="Đề nghị đẩy nhanh tiến độ giải ngân vốn đầu tư công.",
                ),
            )
            made[viewer] = row.id
    world.extra["contribution"] = made


async def _contribution_raising_petitions(world: World) -> None:
    """The delegate's contribution raising citizen A's PUBLIC and PRIVATE petitions."""
    await _public_and_private(world)
    await _one_session(world)
    staff = await viewer_of(world, "staff")
    async with transaction(world.sessionmaker) as session:
        row = await db_contributions.record_contribution(
            session,
            staff,
            db_contributions.ContributionInput(
                session_id=world.extra["one_session"],
                delegate_id=world.delegate_id,
                kind="DISCUSSION",
                venue="PLENARY",
                topic="Ngập úng khu dân cư",
                summary="Nêu kiến nghị của cử tri về ngập úng sau mưa lớn.",
                petition_ids=[world.extra["public"].id, world.extra["private"].id],
            ),
        )
    world.extra["raising"] = row.id


def _record_vars(world: World, viewer: str) -> Mapping[str, Any]:
    data: dict[str, Any] = {
        "sessionId": gid("Session", world.extra["one_session"]),
        "kind": "DISCUSSION",
        "venue": "GROUP",
        "topic": f"Ý kiến ghi bởi {viewer}",
        "summary": "Đề nghị tăng cường kiểm tra chất lượng công trình giao thông nông thôn.",
    }
    if viewer not in ("delegate", "other_delegate"):  # a DELEGATE records their own
        data["delegateId"] = gid("Delegate", world.delegate_id)
    return {"input": data}


# ---- channels ----------------------------------------------------------------------------------


async def _channel_state(world: World) -> tuple[Any, ...]:
    return await _rows_json(world, "group_guest", "group_post", "account")


async def invite(world: World, sub: str, name: str) -> int:
    staff = await viewer_of(world, "staff")
    async with transaction(world.sessionmaker) as session:
        row = await db_channels.invite_guest(
            session,
            staff,
            world.group_id,
            db_channels.GuestInput(sub, name, "Chủ tịch HĐND xã Hỏa Lựu"),
            clock.local_date(clock.now()),
        )
        assert row.id is not None
        return row.id


async def post(world: World, body: str) -> None:
    member = await viewer_of(world, "delegate")
    async with transaction(world.sessionmaker) as session:
        await db_channels.post_to_group(
            session, member, world.group_id, body, clock.local_date(clock.now())
        )


async def _a_guest(world: World) -> None:
    await invite(world, "matrix-guest", "Nguyễn Văn Hòa")


async def _a_post(world: World) -> None:
    await post(world, "Tổ sẽ tiếp xúc cử tri vào sáng thứ Bảy.")


async def _guests_per_viewer(world: World) -> None:
    world.extra["guest"] = {
        v: await invite(world, f"matrix-guest-{v}", f"Khách mời {v}") for v in VIEWERS
    }


async def _push_post(world: World) -> None:
    count = world.extra["pushed"] = world.extra.get("pushed", 0) + 1
    await post(world, f"Bài viết trực tiếp số {count}")


def _group(world: World, viewer: str) -> Mapping[str, Any]:
    return {"g": gid("DelegateGroup", world.group_id)}


# ---- the rows ------------------------------------------------------------------------------------

PETITION_LIST = "nodes { trackingCode title }"
SUBMIT_CONTENT = "Chợ xã thường xuyên bị ngập nước sau mỗi cơn mưa lớn, xin sớm nạo vét cống."


# ---- voter meetings ----------------------------------------------------------------------------
# Run by STAFF and the group's serving members ("delegate"); merging is STAFF's; the report is
# for STAFF, MONITOR and ADMIN; the list of meetings is public.
MEETING_MANAGERS = frozenset({"delegate", "staff"})
REPORT_READERS = frozenset({"staff", "monitor", "admin"})
MEETING_CONCERN = (
    "Cống thoát nước khu vực 3 Phường I bị tắc, mỗi khi mưa lớn nước tràn vào nhà dân."
)


async def _meetings_per_viewer(world: World) -> None:
    """A session, and one meeting of the delegate's group per viewer, begun an hour ago."""
    await _one_session(world)
    made = {}
    async with transaction(world.sessionmaker) as session:
        for viewer in VIEWERS:
            meeting = VoterMeeting(
                group_id=world.group_id,
                session_id=world.extra["one_session"],
                timing="BEFORE_SESSION",
                starts_at=clock.now() - timedelta(hours=1),
                place=f"Hội trường {viewer}",
                co_host="Ủy ban MTTQ Việt Nam thành phố Vị Thanh",
            )
            session.add(meeting)
            await session.flush()
            assert meeting.id is not None
            session.add(VoterMeetingCommune(meeting_id=meeting.id, unit_code=VI_THANH_COMMUNE))
            made[viewer] = meeting.id
    world.extra["meeting"] = made


async def _meeting_state(world: World) -> tuple[Any, ...]:
    return await _rows_json(
        world,
        "voter_meeting",
        "voter_meeting_commune",
        "voter_meeting_delegate",
        "meeting_concern",
        "petition",
        "petition_event",
        "petition_support",
    )


async def _duplicates_per_viewer(world: World) -> None:
    """Two PUBLIC petitions per viewer: one to keep, one to merge into it."""
    made = {}
    for viewer in VIEWERS:
        kept = await make_petition(world, title=f"Kiến nghị giữ lại {viewer}")
        dup = await make_petition(world, title=f"Kiến nghị trùng {viewer}")
        made[viewer] = (kept.id, dup.id)
    world.extra["pair"] = made


ROWS: tuple[Row, ...] = (
    # `node` answers everyone for public objects (tests/schema/council/test_directory.py); what it
    # restricts is hidden objects, which answer null as if they did not exist: a PRIVATE
    # petition here (group posts and guests: tests/schema/channels/test_channels.py).
    Row(
        "Query.node",
        "query($id: ID!) { node(id: $id) { id ... on Petition { title content } } }",
        PETITION_READERS,
        refusal="null",
        setup=_public_and_private,
        variables=lambda w, v: {"id": gid("Petition", w.extra["private"].id)},
    ),
    # The directory and sessions are public: everyone, integrators included.
    Row("Query.units", "{ units(level: DISTRICT) { code name } }", EVERYONE),
    Row("Query.delegateGroups", "{ delegateGroups { name memberCount } }", EVERYONE),
    Row("Query.committees", "{ committees { name kind } }", EVERYONE),
    Row("Query.delegates", "{ delegates(first: 3) { totalCount nodes { fullName } } }", EVERYONE),
    Row("Query.delegatesForUnit", '{ delegatesForUnit(code: "93") { fullName } }', EVERYONE),
    Row("Query.sessions", "{ sessions(first: 3) { nodes { title status } } }", EVERYONE),
    # Every client has a budget: its own (key, account, device or address).
    Row("Query.rateLimit", "{ rateLimit { limit remaining resetAt cost } }", EVERYONE),
    # `me`: any signed-in account; null for anonymous callers and integrators.
    Row("Query.me", "{ me { sub role delegate { fullName } } }", SIGNED_IN, refusal="null"),
    # Integrator keys: MONITOR reads, ADMIN reads and writes.
    Row(
        "Query.apiKeys",
        "{ apiKeys { name prefix createdAt revokedAt } }",
        frozenset({"monitor", "admin"}),
        setup=_keys_to_revoke,
    ),
    _api_key_row("name"),
    _api_key_row("prefix"),
    _api_key_row("createdAt"),
    _api_key_row("revokedAt"),
    Row(
        "Mutation.createApiKey",
        "mutation($name: String!) { createApiKey(name: $name) { key apiKey { name prefix } "
        "userErrors { code field message } } }",
        frozenset({"admin"}),
        refusal="user_error",
        variables=lambda w, v: {"name": f"made-by-{v}"},
        snapshot=_api_keys,
    ),
    Row(
        "CreateApiKeyPayload.key",
        "mutation($name: String!) { createApiKey(name: $name) { key userErrors { code } } }",
        frozenset({"admin"}),
        refusal="user_error",
        variables=lambda w, v: {"name": f"secret-for-{v}"},
        snapshot=_api_keys,
        root="createApiKey",
    ),
    Row(
        "Mutation.revokeApiKey",
        "mutation($name: String!) { revokeApiKey(name: $name) { apiKey { name prefix revokedAt } "
        "userErrors { code field message } } }",
        frozenset({"admin"}),
        refusal="user_error",
        variables=lambda w, v: {"name": f"revoke-me-{v}"},
        setup=_keys_to_revoke,
        snapshot=_api_keys,
    ),
    # ---- petitions: reading. Lists answer everyone, each with what that viewer may see.
    Row(
        "Query.petitions",
        f"{{ petitions(first: 100) {{ totalCount {PETITION_LIST} }} }}",
        EVERYONE,
        setup=_public_and_private,
        check=sees(EVERYONE, PETITION_READERS),
    ),
    # Anyone holding a tracking code follows the petition, a PRIVATE one too: the answer has
    # no content and no personal data.
    Row(
        "Query.petitionByTrackingCode",
        "query($code: String!) { petitionByTrackingCode(code: $code) "
        "{ status timeline { status } } }",
        EVERYONE,
        setup=_public_and_private,
        variables=lambda w, v: {"code": w.extra["private"].tracking_code},
    ),
    Row(
        "Query.myPetitions",
        f"{{ myPetitions(first: 100) {{ totalCount {PETITION_LIST} }} }}",
        SIGNED_IN,
        setup=_public_and_private,
        check=sees(frozenset({"citizen_a"}), frozenset({"citizen_a"})),
    ),
    # The inbox: DELEGATE (what is addressed to them or their group while serving) and STAFF
    # (all). A delegate whose service ended still has an inbox, empty.
    Row(
        "Query.inbox",
        f"{{ inbox(first: 100) {{ totalCount {PETITION_LIST} }} }}",
        frozenset({"delegate", "other_delegate", "ended_delegate", "staff"}),
        setup=_public_and_private,
        check=sees(HANDLERS, HANDLERS),
    ),
    Row(
        "Query.hotIssues",
        "{ hotIssues(first: 100) { trackingCode title } }",
        EVERYONE,
        setup=_public_and_private,
        check=sees(EVERYONE, frozenset()),
    ),
    Row(
        "Query.myData",
        "{ myData { sub petitions { trackingCode submitter { fullName phone } } "
        "supports { petition { trackingCode } } } }",
        SIGNED_IN,
        refusal="null",
        setup=_public_and_private,
        check=_own_data,
    ),
    # A PUBLIC petition, which every viewer sees: the cell is about the submitter alone.
    Row(
        "Petition.submitter",
        "query($id: ID!) { node(id: $id) { ... on Petition { submitter { fullName phone } } } }",
        PETITION_READERS,
        refusal="null",
        setup=_public_and_private,
        variables=lambda w, v: {"id": gid("Petition", w.extra["public"].id)},
        root="node.submitter",
    ),
    # ---- petitions: changing them.
    Row(
        "Mutation.submitPetition",
        "mutation($input: SubmitPetitionInput!) { submitPetition(input: $input) "
        "{ petition { trackingCode title } userErrors { code field message } } }",
        SIGNED_IN,
        refusal="user_error",
        variables=lambda w, v: {
            "input": {
                "title": f"Chợ xã bị ngập ({v})",
                "content": SUBMIT_CONTENT,
                "category": "INFRASTRUCTURE_TRANSPORT",
                "communeCode": VI_THANH_COMMUNE,
            }
        },
        snapshot=_petition_state,
    ),
    _workflow_row("acknowledgePetition", "SUBMITTED", {}),
    _workflow_row("forwardPetition", "ACKNOWLEDGED", {"agency": "Sở Giao thông vận tải"}),
    _workflow_row(
        "answerPetition",
        "ACKNOWLEDGED",
        {"body": "Đã đưa vào kế hoạch sửa chữa năm 2027.", "respondent": "Sở Giao thông"},
    ),
    _workflow_row("rejectPetition", "SUBMITTED", {"reason": "Không thuộc thẩm quyền."}),
    # Closing is the submitter's alone (citizen A submitted every petition here).
    Row(
        "Mutation.closePetition",
        "mutation($id: ID!) { closePetition(id: $id, satisfied: true) "
        "{ petition { id status } userErrors { code field message } } }",
        frozenset({"citizen_a"}),
        refusal="user_error",
        variables=per_viewer("Petition", "petition"),
        setup=petitions_per_viewer("ANSWERED"),
        snapshot=_petition_state,
    ),
    # Supporting: a CITIZEN other than the submitter (citizen A submitted it).
    Row(
        "Mutation.supportPetition",
        "mutation($id: ID!) { supportPetition(id: $id) "
        "{ petition { id supportCount viewerHasSupported } userErrors { code field message } } }",
        frozenset({"citizen_b"}),
        refusal="user_error",
        variables=lambda w, v: {"id": gid("Petition", w.extra["public"].id)},
        setup=_public_and_private,
        snapshot=_petition_state,
    ),
    Row(
        "Mutation.eraseMyData",
        "mutation { eraseMyData { userErrors { code field message } } }",
        SIGNED_IN,
        refusal="user_error",
        setup=_public_and_private,
        snapshot=_petition_state,
        check=_erased,
    ),
    Row(
        "Subscription.petitionEvents",
        "subscription($p: ID!) { petitionEvents(petitionId: $p) { status note } }",
        PETITION_READERS,
        setup=_public_and_private,
        variables=lambda w, v: {"p": gid("Petition", w.extra["private"].id)},
        trigger=_push_petition_event,
    ),
    # ---- the directory: reading what is restricted, and keeping it (STAFF, ADMIN).
    Row(
        "Delegate.history",
        "query($id: ID!) { node(id: $id) { ... on Delegate { history "
        "{ action fields { field before after } } } } }",
        frozenset({"staff", "monitor", "admin"}),
        setup=_with_history,
        variables=lambda w, v: {"id": gid("Delegate", w.delegate_id)},
        root="node.history",
    ),
    Row(
        "DelegateGroup.history",
        "query($id: ID!) { node(id: $id) { ... on DelegateGroup { history "
        "{ action fields { field before after } } } } }",
        frozenset({"staff", "monitor", "admin"}),
        setup=_with_history,
        variables=lambda w, v: {"id": gid("DelegateGroup", w.group_id)},
        root="node.history",
    ),
    Row(
        "Delegate.scorecard",
        "query($id: ID!) { node(id: $id) { ... on Delegate { scorecard "
        "{ petitionsReceived petitionsAnswered sessionsTotal discussions questions } } } }",
        frozenset({"delegate", "staff", "monitor", "admin"}),
        setup=_public_and_private,
        variables=lambda w, v: {"id": gid("Delegate", w.delegate_id)},
        root="node.scorecard",
    ),
    Row(
        "Mutation.createDelegate",
        "mutation($input: DelegateInput!) { createDelegate(input: $input) "
        "{ delegate { id fullName } userErrors { code field message } } }",
        OFFICE,
        refusal="user_error",
        variables=lambda w, v: {
            "input": {
                "fullName": f"Đại biểu bầu bổ sung {v}",
                "groupId": gid("DelegateGroup", w.group_id),
                "servedFrom": "2026-11-01",
            }
        },
        snapshot=_directory_state,
    ),
    Row(
        "Mutation.updateDelegate",
        "mutation($id: ID!, $input: DelegateInput!) { updateDelegate(id: $id, input: $input) "
        "{ delegate { id title } userErrors { code field message } } }",
        OFFICE,
        refusal="user_error",
        variables=lambda w, v: {
            "id": gid("Delegate", w.delegate_id),
            "input": {"title": f"Chức vụ ghi bởi {v}"},
        },
        snapshot=_directory_state,
    ),
    Row(
        "Mutation.endDelegateService",
        'mutation($id: ID!) { endDelegateService(id: $id, on: "2026-11-20", '
        'reason: "Chuyển công tác khác") { delegate { id servedUntil endReason } '
        "userErrors { code field message } } }",
        OFFICE,
        refusal="user_error",
        variables=per_viewer("Delegate", "delegate"),
        setup=_spares,
        snapshot=_directory_state,
    ),
    Row(
        "Mutation.setGroupLeader",
        "mutation($g: ID!, $d: ID!) { setGroupLeader(groupId: $g, delegateId: $d) "
        "{ group { id leader { fullName } } userErrors { code field message } } }",
        OFFICE,
        refusal="user_error",
        variables=_leader_for,
        setup=_new_leaders,
        snapshot=_directory_state,
    ),
    # ---- sessions (STAFF, ADMIN) and compliance (DELEGATE, STAFF, MONITOR, ADMIN).
    Row(
        "Query.sessionCompliance",
        "query($s: ID!) { sessionCompliance(sessionId: $s) "
        "{ delegateCount delegates { delegate { fullName } status } } }",
        COMPLIANCE_READERS,
        setup=_one_session,
        variables=lambda w, v: {"s": gid("Session", w.extra["one_session"])},
    ),
    Row(
        "Session.compliance",
        "query($s: ID!) { node(id: $s) { ... on Session { compliance "
        "{ delegateCount delegates { delegate { fullName } status } } } } }",
        COMPLIANCE_READERS,
        setup=_one_session,
        variables=lambda w, v: {"s": gid("Session", w.extra["one_session"])},
        root="node.compliance",
    ),
    # The delegate is excused: the reason is theirs, the office's and the committee's to read.
    # Another delegate reads the compliance list with the reason null; viewers who may not
    # read compliance at all get its FORBIDDEN.
    Row(
        "DelegateCompliance.excuseReason",
        "query($s: ID!) { sessionCompliance(sessionId: $s) { delegates { excuseReason } } }",
        frozenset({"delegate", "staff", "monitor", "admin"}),
        refusal="null",
        refusals=dict.fromkeys(EVERYONE - COMPLIANCE_READERS, "error"),
        setup=_excuse_the_delegate,
        variables=lambda w, v: {"s": gid("Session", w.extra["one_session"])},
        root="sessionCompliance.delegates.excuseReason",
    ),
    Row(
        "Mutation.createSession",
        "mutation($input: CreateSessionInput!) { createSession(input: $input) "
        "{ session { id title number } userErrors { code field message } } }",
        OFFICE,
        refusal="user_error",
        variables=lambda w, v: {
            "input": {
                "title": f"Kỳ họp chuyên đề do {v} tạo",
                "startsOn": "2026-12-10",
                "endsOn": "2026-12-11",
                "agenda": ["Đầu tư công"],
            }
        },
        snapshot=_session_state,
    ),
    Row(
        "Mutation.openSession",
        "mutation($id: ID!) { openSession(id: $id) "
        "{ session { id status } userErrors { code field message } } }",
        OFFICE,
        refusal="user_error",
        variables=per_viewer("Session", "session"),
        setup=sessions_per_viewer("UPCOMING"),
        snapshot=_session_state,
    ),
    Row(
        "Mutation.closeSession",
        "mutation($id: ID!) { closeSession(id: $id) "
        "{ session { id status } userErrors { code field message } } }",
        OFFICE,
        refusal="user_error",
        variables=per_viewer("Session", "session"),
        setup=sessions_per_viewer("IN_PROGRESS"),
        snapshot=_session_state,
    ),
    Row(
        "Mutation.addAgendaItem",
        "mutation($s: ID!, $title: String!) { addAgendaItem(sessionId: $s, title: $title) "
        "{ agendaItem { id title } session { id } userErrors { code field message } } }",
        OFFICE,
        refusal="user_error",
        variables=lambda w, v: {
            "s": gid("Session", w.extra["one_session"]),
            "title": f"Nội dung thêm bởi {v}",
        },
        setup=_one_session,
        snapshot=_session_state,
    ),
    Row(
        "Mutation.removeAgendaItem",
        "mutation($id: ID!) { removeAgendaItem(id: $id) "
        "{ session { id agenda { title } } userErrors { code field message } } }",
        OFFICE,
        refusal="user_error",
        variables=per_viewer("AgendaItem", "item"),
        setup=_session_with_agenda,
        snapshot=_session_state,
    ),
    Row(
        "Mutation.excuseDelegate",
        "mutation($s: ID!, $d: ID!) { excuseDelegate(sessionId: $s, delegateId: $d, "
        'reason: "Đi công tác nước ngoài") { session { id } delegate { id fullName } '
        "userErrors { code field message } } }",
        OFFICE,
        refusal="user_error",
        variables=_excuse_vars,
        setup=_one_session_and_spares,
        snapshot=_session_state,
    ),
    Row(
        "Mutation.revokeExcuse",
        "mutation($s: ID!, $d: ID!) { revokeExcuse(sessionId: $s, delegateId: $d) "
        "{ session { id } delegate { id fullName } userErrors { code field message } } }",
        OFFICE,
        refusal="user_error",
        variables=_excuse_vars,
        setup=_excused_spares,
        snapshot=_session_state,
    ),
    # Contributions: a DELEGATE their own, STAFF and ADMIN anyone's; MONITOR writes nothing.
    # A contribution is public; the petitions it raised show only to those who may see each.
    Row(
        "Contribution.petitions",
        "query($id: ID!) { node(id: $id) { ... on Contribution { petitions { trackingCode } } } }",
        EVERYONE,
        setup=_contribution_raising_petitions,
        variables=lambda w, v: {"id": gid("Contribution", w.extra["raising"])},
        check=sees(EVERYONE, PETITION_READERS),
        root="node.petitions",
    ),
    Row(
        "Mutation.recordContribution",
        "mutation($input: RecordContributionInput!) { recordContribution(input: $input) "
        "{ contribution { id topic delegate { fullName } } userErrors { code field message } } }",
        CONTRIBUTORS,
        refusal="user_error",
        variables=_record_vars,
        setup=_one_session,
        snapshot=_session_state,
    ),
    Row(
        "Mutation.editContribution",
        "mutation($id: ID!, $summary: String!) { editContribution(id: $id, "
        "input: {summary: $summary}) { contribution { id summary } "
        "userErrors { code field message } } }",
        CONTRIBUTORS,
        refusal="user_error",
        variables=lambda w, v: {
            "id": gid("Contribution", w.extra["contribution"][v]),
            "summary": f"Tóm tắt do {v} sửa lại cho đúng biên bản.",
        },
        setup=_contributions_per_viewer,
        snapshot=_session_state,
    ),
    Row(
        "Mutation.withdrawContribution",
        'mutation($id: ID!) { withdrawContribution(id: $id, reason: "Ghi nhầm") '
        "{ contribution { id withdrawnAt } userErrors { code field message } } }",
        CONTRIBUTORS,
        refusal="user_error",
        variables=per_viewer("Contribution", "contribution"),
        setup=_contributions_per_viewer,
        snapshot=_session_state,
    ),
    # ---- agencies: the directory of agencies is public; an agency's inbox and its answers are
    # its accounts'; the per-agency table is the office's and the Legal Affairs Committee's.
    Row(
        "Query.agencies",
        '{ agencies(search: "xay dung") { code name level } }',
        EVERYONE,
    ),
    Row(
        "Query.agencyInbox",
        "{ agencyInbox(first: 100) { totalCount nodes { trackingCode status } } }",
        frozenset({"agency"}),
        setup=_one_forwarded,
    ),
    Row(
        "Query.agencyStatistics",
        "{ agencyStatistics { agency { code } received answered overdue medianDaysToAnswer } }",
        frozenset({"staff", "monitor", "admin"}),
        setup=_one_forwarded,
    ),
    Row(
        "Mutation.answerForwardedPetition",
        "mutation($id: ID!, $input: AgencyAnswerInput!) { answerForwardedPetition(id: $id, "
        "input: $input) { petition { id status answer { letterNumber } } "
        "userErrors { code field message } } }",
        frozenset({"agency"}),
        refusal="user_error",
        variables=lambda w, v: {
            "id": gid("Petition", w.extra["petition"][v]),
            "input": {
                "body": "Sở đã bố trí kinh phí sửa chữa trong quý tới.",
                "letterNumber": "125/SXD-VP",
                "letterDate": clock.local_date(clock.now()).isoformat(),
            },
        },
        setup=forwarded_per_viewer(),
        snapshot=_petition_state,
    ),
    Row(
        "Mutation.returnForwardedPetition",
        "mutation($id: ID!) { returnForwardedPetition(id: $id, "
        'reason: "Không thuộc thẩm quyền của Sở.") { petition { id status } '
        "userErrors { code field message } } }",
        frozenset({"agency"}),
        refusal="user_error",
        variables=per_viewer("Petition", "petition"),
        setup=forwarded_per_viewer(),
        snapshot=_petition_state,
    ),
    Row(
        "Query.notificationPreferences",
        "{ notificationPreferences { push zalo quietHours quietFrom quietUntil } }",
        SIGNED_IN,
    ),
    Row(
        "Mutation.setNotificationPreferences",
        "mutation { setNotificationPreferences(input: {quietHours: false}) "
        "{ preferences { quietHours } userErrors { code field message } } }",
        SIGNED_IN,
        refusal="user_error",
        snapshot=_preferences_state,
    ),
    # ---- the delegate group's channel: its member (the delegate), STAFF, MONITOR, ADMIN read;
    # the leader (the delegate leads the group) and STAFF invite and remove guests; members post.
    Row(
        "DelegateGroup.guests",
        "query($g: ID!) { node(id: $g) { ... on DelegateGroup { guests { fullName title } } } }",
        CHANNEL_READERS,
        setup=_a_guest,
        variables=_group,
        root="node.guests",
    ),
    Row(
        "DelegateGroup.posts",
        "query($g: ID!) { node(id: $g) { ... on DelegateGroup { posts(first: 10) "
        "{ totalCount nodes { authorName body } } } } }",
        CHANNEL_READERS,
        setup=_a_post,
        variables=_group,
        root="node.posts",
    ),
    Row(
        "Mutation.inviteGuest",
        "mutation($g: ID!, $input: InviteGuestInput!) { inviteGuest(groupId: $g, input: $input) "
        "{ guest { id fullName } userErrors { code field message } } }",
        HANDLERS,  # the group's leader and STAFF
        refusal="user_error",
        variables=lambda w, v: {
            "g": gid("DelegateGroup", w.group_id),
            "input": {
                "accountSub": f"guest-of-{v}",
                "fullName": f"Khách mời {v}",
                "title": "Chủ tịch HĐND xã Hỏa Lựu",
            },
        },
        snapshot=_channel_state,
    ),
    Row(
        "Mutation.removeGuest",
        "mutation($g: ID!, $guest: ID!) { removeGuest(groupId: $g, guestId: $guest) "
        "{ guest { id fullName } userErrors { code field message } } }",
        HANDLERS,
        refusal="user_error",
        variables=lambda w, v: {
            "g": gid("DelegateGroup", w.group_id),
            "guest": gid("GroupGuest", w.extra["guest"][v]),
        },
        setup=_guests_per_viewer,
        snapshot=_channel_state,
    ),
    Row(
        "Mutation.postToGroup",
        "mutation($g: ID!, $body: String!) { postToGroup(groupId: $g, body: $body) "
        "{ post { id authorName body } userErrors { code field message } } }",
        frozenset({"delegate"}),  # members and guests; STAFF, MONITOR, ADMIN only read
        refusal="user_error",
        variables=lambda w, v: {"g": gid("DelegateGroup", w.group_id), "body": f"Bài của {v}"},
        snapshot=_channel_state,
    ),
    # The contract's sketch says "members, guests, STAFF"; docs/channels.md and the code let
    # MONITOR and ADMIN follow too (the same rule as DelegateGroup.posts; MONITOR reads all).
    Row(
        "Subscription.groupPosts",
        "subscription($g: ID!) { groupPosts(groupId: $g) { authorName body } }",
        CHANNEL_READERS,
        variables=_group,
        trigger=_push_post,
    ),
    # ---- voter meetings.
    Row(
        "Query.voterMeetings",
        '{ voterMeetings(unitCode: "31318") { totalCount nodes { place } } }',
        EVERYONE,
        setup=_meetings_per_viewer,
    ),
    Row(
        "Mutation.scheduleVoterMeeting",
        "mutation($input: ScheduleVoterMeetingInput!) { scheduleVoterMeeting(input: $input) "
        "{ meeting { id place } userErrors { code field message } } }",
        MEETING_MANAGERS,
        refusal="user_error",
        setup=_one_session,
        variables=lambda w, v: {
            "input": {
                "groupId": gid("DelegateGroup", w.group_id),
                "sessionId": gid("Session", w.extra["one_session"]),
                "timing": "BEFORE_SESSION",
                "startsAt": "2026-11-25T08:00:00+07:00",
                "place": f"Hội trường {v}",
                "coHost": "Ủy ban MTTQ Việt Nam thành phố Vị Thanh",
                "communeCodes": [VI_THANH_COMMUNE],
            }
        },
        snapshot=_meeting_state,
    ),
    Row(
        "Mutation.completeVoterMeeting",
        "mutation($id: ID!) { completeVoterMeeting(id: $id, input: {votersPresent: 90}) "
        "{ meeting { id status votersPresent } userErrors { code field message } } }",
        MEETING_MANAGERS,
        refusal="user_error",
        setup=_meetings_per_viewer,
        variables=lambda w, v: {"id": gid("VoterMeeting", w.extra["meeting"][v])},
        snapshot=_meeting_state,
    ),
    Row(
        "Mutation.recordMeetingConcerns",
        "mutation($id: ID!, $c: [MeetingConcernInput!]!) { recordMeetingConcerns(meetingId: $id, "
        "concerns: $c) { concerns { petition { trackingCode } } userErrors { code field message } } }",
        MEETING_MANAGERS,
        refusal="user_error",
        setup=_meetings_per_viewer,
        variables=lambda w, v: {
            "id": gid("VoterMeeting", w.extra["meeting"][v]),
            "c": [
                {
                    "content": MEETING_CONCERN,
                    "category": "INFRASTRUCTURE_TRANSPORT",
                    "communeCode": VI_THANH_COMMUNE,
                    "speakerName": f"Cử tri {v}",
                }
            ],
        },
        snapshot=_meeting_state,
    ),
    Row(
        "Mutation.mergePetitions",
        "mutation($id: ID!, $dups: [ID!]!) { mergePetitions(petitionId: $id, duplicateIds: $dups) "
        "{ petition { id voterCount } userErrors { code field message } } }",
        frozenset({"staff"}),
        refusal="user_error",
        setup=_duplicates_per_viewer,
        variables=lambda w, v: {
            "id": gid("Petition", w.extra["pair"][v][0]),
            "dups": [gid("Petition", w.extra["pair"][v][1])],
        },
        snapshot=_meeting_state,
    ),
    Row(
        "Petition.similarPetitions",
        "query($id: ID!) { node(id: $id) { ... on Petition { similarPetitions "
        "{ similarity petition { trackingCode } } } } }",
        frozenset({"staff"}),
        setup=_public_and_private,
        variables=lambda w, v: {"id": gid("Petition", w.extra["public"].id)},
        root="node.similarPetitions",
    ),
    Row(
        "Query.sessionPetitionReport",
        "query($s: ID!) { sessionPetitionReport(sessionId: $s) { petitionCount voterCount "
        "items { number petition { trackingCode } } } }",
        REPORT_READERS,
        setup=_one_session,
        variables=lambda w, v: {"s": gid("Session", w.extra["one_session"])},
    ),
)
