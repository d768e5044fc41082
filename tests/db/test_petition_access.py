"""Each rule's SQL form and Python form give the same answers, for every viewer and petition."""

import itertools
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col

from db.engine import Sessionmaker, transaction
from db.petition_access import (
    can_view,
    can_view_petition,
    handled_condition,
    may_handle,
    may_see_submitter,
    submitter_condition,
    visible_condition,
)
from db.petition_fields import Deadlines, is_overdue, overdue_condition
from db.serving import ServicePeriod
from db.tables import Account, Petition
from db.tracking import ALPHABET, new_tracking_code, normalize_tracking_code
from db.viewer import ANONYMOUS, Role, Viewer, ViewerKind

# The request's day: the rules take it as an argument, so the test needs no clock.
TODAY = date(2026, 12, 4)
SERVING = ServicePeriod(date(2021, 7, 1))
LAST_DAY_TODAY = ServicePeriod(date(2021, 7, 1), TODAY)
ENDED = ServicePeriod(date(2021, 7, 1), TODAY - timedelta(days=1))
NOT_YET = ServicePeriod(TODAY + timedelta(days=1))


async def _rows(sessionmaker: Sessionmaker) -> list[Petition]:
    """Petitions in every combination of visibility, status, age, addressee and submitter."""
    now = datetime.now(UTC)
    async with transaction(sessionmaker) as session:
        for sub in ("s1", "s2"):
            session.add(Account(sub=sub))
        await session.flush()
        accounts = {a.sub: a.id for a in (await session.execute(sa.select(Account))).scalars()}
        group_ids = [
            g
            for g in (
                await session.execute(sa.text("SELECT id FROM delegate_group ORDER BY id"))
            ).scalars()
        ][:2]
        delegates = (
            (
                await session.execute(
                    sa.text("SELECT id FROM delegate WHERE group_id = :g ORDER BY id LIMIT 1"),
                    {"g": group_ids[0]},
                )
            )
            .scalars()
            .all()
        )
        agency = (await session.execute(sa.text("SELECT min(id) FROM agency"))).scalar_one()
        combos = itertools.product(
            ("PUBLIC", "PRIVATE"),
            ("SUBMITTED", "ACKNOWLEDGED", "ANSWERED"),
            (1, 10, 40),
            (None, delegates[0]),
            group_ids,
            (accounts["s1"], None),
            (None, agency),
        )
        for i, (vis, status, days, delegate, group, submitter, agency_id) in enumerate(combos):
            session.add(
                Petition(
                    tracking_code=f"T{i:05d}",
                    title="Tiêu đề",
                    content="Nội dung đủ dài để hợp lệ.",
                    category="OTHER",
                    commune_code="31318",
                    unit_path="93/930/31318",
                    status=status,
                    visibility=vis,
                    delegate_id=delegate,
                    group_id=group,
                    submitter_account_id=submitter,
                    agency_id=agency_id,
                    submitted_at=now - timedelta(days=days),
                )
            )
    async with sessionmaker() as session:
        return list(
            (await session.execute(sa.select(Petition).order_by(col(Petition.id)))).scalars()
        )


async def test_sql_and_python_forms_agree(sessionmaker: Sessionmaker) -> None:
    rows = await _rows(sessionmaker)
    async with sessionmaker() as session:
        s1 = (
            await session.execute(sa.text("SELECT id FROM account WHERE sub = 's1'"))
        ).scalar_one()
        s2 = (
            await session.execute(sa.text("SELECT id FROM account WHERE sub = 's2'"))
        ).scalar_one()
        first_group = min(r.group_id for r in rows)
        delegate = next(r.delegate_id for r in rows if r.delegate_id is not None)
        agency = next(r.agency_id for r in rows if r.agency_id is not None)
    signed = {"kind": ViewerKind.ACCOUNT, "sub": "x"}
    viewers = [
        ANONYMOUS,
        Viewer(kind=ViewerKind.INTEGRATOR, integrator="partner"),
        Viewer(**signed, account_id=s1, role=Role.CITIZEN),  # type: ignore[arg-type]
        Viewer(**signed, account_id=s2, role=Role.CITIZEN),  # type: ignore[arg-type]
        *(
            Viewer(
                **signed,  # type: ignore[arg-type]
                account_id=s2,
                role=Role.DELEGATE,
                delegate_id=delegate,
                group_id=first_group,
                service=service,
            )
            for service in (SERVING, LAST_DAY_TODAY, ENDED, NOT_YET, None)
        ),
        # A member of the group, not the addressed delegate; serving, then ended.
        *(
            Viewer(
                **signed,  # type: ignore[arg-type]
                account_id=s2,
                role=Role.DELEGATE,
                delegate_id=-1,
                group_id=first_group,
                service=service,
            )
            for service in (SERVING, ENDED)
        ),
        Viewer(
            **signed,  # type: ignore[arg-type]
            account_id=s2,
            role=Role.DELEGATE,
            delegate_id=-1,
            group_id=-1,
            service=SERVING,
        ),
        Viewer(**signed, account_id=s2, role=Role.STAFF),  # type: ignore[arg-type]
        Viewer(**signed, account_id=s2, role=Role.MONITOR),  # type: ignore[arg-type]
        Viewer(**signed, account_id=s2, role=Role.ADMIN),  # type: ignore[arg-type]
        # An agency's account: what was forwarded to its agency, never the submitter.
        Viewer(**signed, account_id=s2, role=Role.AGENCY, agency_id=agency),  # type: ignore[arg-type]
        Viewer(**signed, account_id=s2, role=Role.AGENCY, agency_id=-1),  # type: ignore[arg-type]
        # A link without the role gives nothing.
        Viewer(**signed, account_id=s2, role=Role.CITIZEN, agency_id=agency),  # type: ignore[arg-type]
    ]
    now = datetime.now(UTC)
    deadlines = Deadlines(ack_days=7, answer_days=30)
    pairs = [
        (visible_condition, can_view),
        (submitter_condition, may_see_submitter),
        (handled_condition, may_handle),
    ]
    async with sessionmaker() as session:
        for viewer in viewers:
            for sql_form, py_form in pairs:
                chosen = set(
                    (
                        await session.execute(
                            sa.select(col(Petition.id)).where(sql_form(viewer, TODAY))
                        )
                    ).scalars()
                )
                assert chosen == {r.id for r in rows if py_form(viewer, r, TODAY)}, (
                    viewer,
                    py_form,
                )
            for row in rows[:6]:
                assert row.id is not None
                assert await can_view_petition(session, viewer, row.id, TODAY) is can_view(
                    viewer, row, TODAY
                )
        overdue = set(
            (
                await session.execute(
                    sa.select(col(Petition.id)).where(overdue_condition(now, deadlines))
                )
            ).scalars()
        )
        assert overdue == {r.id for r in rows if is_overdue(r, now, deadlines)}
        assert overdue  # the fixture holds overdue and punctual petitions alike
        assert len(overdue) < len(rows)


def test_tracking_codes_are_random_readable_and_normalised() -> None:
    codes = {new_tracking_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        assert len(code) == 11 and code[3] == code[7] == "-"
        assert all(ch in ALPHABET for ch in code.replace("-", ""))
        assert normalize_tracking_code(code.lower().replace("-", " ")) == code
    assert not set("01OIL") & set(ALPHABET)
    assert normalize_tracking_code("ABC-DEF-GH0") is None
    assert normalize_tracking_code("short") is None


async def test_a_delegate_holds_petitions_only_while_serving(sessionmaker: Sessionmaker) -> None:
    """The addressed delegate and a member of the addressed group read, handle and see the
    submitter of PRIVATE petitions up to their last day of service, and not the day after."""
    rows = await _rows(sessionmaker)
    first_group = min(r.group_id for r in rows)
    delegate = next(r.delegate_id for r in rows if r.delegate_id is not None)
    private_to_them = [r for r in rows if r.visibility == "PRIVATE" and r.delegate_id == delegate]
    private_to_group = [
        r
        for r in rows
        if r.visibility == "PRIVATE"
        and r.group_id == first_group
        and r.submitter_account_id is None
    ]
    assert private_to_them and private_to_group

    def viewer(delegate_id: int, service: ServicePeriod | None) -> Viewer:
        return Viewer(
            kind=ViewerKind.ACCOUNT,
            sub="d",
            account_id=-1,
            role=Role.DELEGATE,
            delegate_id=delegate_id,
            group_id=first_group,
            service=service,
        )

    rules = (can_view, may_handle, may_see_submitter)
    for who, held in ((delegate, private_to_them), (-1, private_to_group)):
        for service, expected in (
            (SERVING, True),
            (LAST_DAY_TODAY, True),
            (ENDED, False),
            (NOT_YET, False),
            (None, False),
        ):
            v = viewer(who, service)
            for rule in rules:
                assert all(rule(v, r, TODAY) is expected for r in held), (who, service, rule)
    # The day after the last day of service, the same delegate holds nothing.
    after = TODAY + timedelta(days=1)
    assert not any(may_handle(viewer(delegate, LAST_DAY_TODAY), r, after) for r in rows)
    async with sessionmaker() as session:
        inbox = (
            await session.execute(
                sa.select(sa.func.count())
                .select_from(Petition)
                .where(handled_condition(viewer(delegate, ENDED), TODAY))
            )
        ).scalar_one()
    assert inbox == 0
