"""Loading a council directory from data files (the layout of db/data/demo/README.md).

Loading is an upsert keyed by natural keys (unit code, term number, group name, committee kind,
constituency number, delegate name and start of service, session number), so the same folder can
be loaded twice and an edited folder updates what it names.
"""

import csv
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.audit import audit
from db.enums.agencies import AgencyLevel
from db.enums.council import CommitteeKind, SessionKind, SessionStatus, UnitLevel
from db.refused import Refusal, Refused
from db.tables import (
    AdministrativeUnit,
    Agency,
    AgencyUnit,
    Committee,
    CommitteeMember,
    Constituency,
    ConstituencyUnit,
    CouncilSession,
    Delegate,
    DelegateGroup,
    GroupArea,
    Term,
)
from db.tables.base import table_of
from db.text import clean
from db.viewer import ANONYMOUS

DEMO_DIRECTORY = Path(__file__).parent.parent / "data" / "demo"
# units.csv writes levels in lower case.
LEVELS = {level.lower(): str(level) for level in UnitLevel}


def bad_file(message: str) -> Refused:
    """A data file that cannot be loaded: the one refusal type, its message naming the file
    and row."""
    return Refused(Refusal.INVALID_INPUT, message)


@dataclass(frozen=True)
class LoadSummary:
    """How many rows of each kind a load wrote."""

    units: int
    groups: int
    constituencies: int
    committees: int
    delegates: int
    sessions: int
    agencies: int = 0


def _rows(folder: Path, name: str, *, required: bool = True) -> list[dict[str, str]]:
    path = folder / name
    if not path.exists():
        if required:
            raise bad_file(f"Thiếu tệp {path}.")
        return []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: clean(v or "") for k, v in row.items()} for row in csv.DictReader(handle)]


def _date(value: str, where: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise bad_file(f"{where}: ngày không hợp lệ «{value}» (cần YYYY-MM-DD).") from exc


def _int(value: str, where: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise bad_file(f"{where}: số không hợp lệ «{value}».") from exc


def _one_of(value: str, allowed: type[StrEnum], where: str) -> str:
    """A code the database's check constraints accept, refused here with its file and row."""
    if value not in tuple(allowed):
        raise bad_file(f"{where}: «{value}» không hợp lệ (chọn {', '.join(allowed)}).")
    return str(value)


def _unit_rows(folder: Path) -> list[dict[str, object]]:
    rows = _rows(folder, "units.csv")
    by_code = {row["code"]: row for row in rows}
    paths: dict[str, str] = {}

    def path_of(code: str, seen: frozenset[str] = frozenset()) -> str:
        if code in paths:
            return paths[code]
        if code in seen:
            raise bad_file(f"units.csv: vòng lặp đơn vị cha tại mã {code}.")
        parent = by_code[code]["parent_code"]
        if parent and parent not in by_code:
            raise bad_file(f"units.csv: mã cha {parent} của {code} không tồn tại.")
        paths[code] = f"{path_of(parent, seen | {code})}/{code}" if parent else code
        return paths[code]

    result: list[dict[str, object]] = []
    for row in rows:
        level = LEVELS.get(row["level"].lower())
        if level is None:
            raise bad_file(f"units.csv: cấp «{row['level']}» của {row['code']} không hợp lệ.")
        result.append(
            {
                "code": row["code"],
                "name": row["name"],
                "type": row["type"],
                "level": level,
                "parent_code": row["parent_code"] or None,
                "path": path_of(row["code"]),
            }
        )
    # Parents before children, so the self-reference holds row by row.
    result.sort(key=lambda r: str(r["path"]).count("/"))
    return result


async def _upsert(
    session: AsyncSession,
    table: sa.Table,
    rows: list[dict[str, object]],
    keys: list[str],
) -> dict[tuple[object, ...], int]:
    """Insert or update `rows` by `keys`; returns the id of each row by its key values."""
    ids: dict[tuple[object, ...], int] = {}
    for row in rows:
        stmt = insert(table).values(**row)
        update = {k: stmt.excluded[k] for k in row if k not in keys}
        stmt = stmt.on_conflict_do_update(
            index_elements=keys, set_=update or {keys[0]: stmt.excluded[keys[0]]}
        )
        if "id" in table.c:
            new_id = (await session.execute(stmt.returning(table.c.id))).scalar_one()
            ids[tuple(row[k] for k in keys)] = int(new_id)
        else:
            await session.execute(stmt)
    return ids


async def load_directory(session: AsyncSession, folder: Path) -> LoadSummary:
    """Load every file of `folder` in one transaction (the caller's), audited as one change.
    A bad file is refused (db.refused.Refused) naming the file (and row); the caller's rollback then
    leaves the database as it was."""
    try:
        summary = await _load(session, folder)
    except KeyError as exc:
        raise bad_file(f"Thiếu cột {exc} trong một tệp dữ liệu của {folder}.") from exc
    await audit(
        session,
        ANONYMOUS,
        "directory.load",
        "Directory",
        None,
        details={"folder": folder.name, **asdict(summary)},
    )
    return summary


async def _load(session: AsyncSession, folder: Path) -> LoadSummary:
    units = _unit_rows(folder)
    await _upsert(session, table_of(AdministrativeUnit), units, ["code"])
    unit_codes = {str(u["code"]) for u in units}

    def known(code: str, where: str) -> str:
        if code not in unit_codes:
            raise bad_file(f"{where}: mã đơn vị {code} không có trong units.csv.")
        return code

    terms = [
        {
            "number": _int(r["number"], "terms.csv"),
            "name": r["name"],
            "starts_on": _date(r["starts_on"], "terms.csv"),
            "ends_on": _date(r["ends_on"], "terms.csv"),
        }
        for r in _rows(folder, "terms.csv")
    ]
    if not terms:
        raise bad_file("terms.csv: cần ít nhất một khóa.")
    term_ids = await _upsert(session, table_of(Term), terms, ["number"])
    current_term = term_ids[(max(int(str(t["number"])) for t in terms),)]

    committees: list[dict[str, object]] = [
        {"kind": _one_of(r["kind"], CommitteeKind, "committees.csv"), "name": r["name"]}
        for r in _rows(folder, "committees.csv")
    ]
    committee_ids = await _upsert(session, table_of(Committee), committees, ["kind"])

    group_rows = _rows(folder, "groups.csv")
    group_ids = await _upsert(
        session,
        table_of(DelegateGroup),
        [{"name": r["name"]} for r in group_rows],
        ["name"],
    )
    for r in group_rows:
        gid = group_ids[(r["name"],)]
        await session.execute(sa.delete(GroupArea).where(col(GroupArea.group_id) == gid))
        for code in r["area_codes"].split():
            session.add(GroupArea(group_id=gid, unit_code=known(code, "groups.csv")))

    cons_rows = _rows(folder, "constituencies.csv", required=False)
    cons_ids = await _upsert(
        session,
        table_of(Constituency),
        [
            {
                "term_id": current_term,
                "number": _int(r["number"], "constituencies.csv"),
                "name": r["name"],
                "seats": _int(r["seats"], "constituencies.csv"),
            }
            for r in cons_rows
        ],
        ["term_id", "number"],
    )
    for r in cons_rows:
        cid = cons_ids[(current_term, int(r["number"]))]
        await session.execute(
            sa.delete(ConstituencyUnit).where(col(ConstituencyUnit.constituency_id) == cid)
        )
        for code in r["unit_codes"].split():
            session.add(
                ConstituencyUnit(constituency_id=cid, unit_code=known(code, "constituencies.csv"))
            )
    await session.flush()

    delegate_rows = _rows(folder, "delegates.csv")
    leaders: dict[int, int] = {}
    for i, r in enumerate(delegate_rows, start=2):
        where = f"delegates.csv dòng {i}"
        found_group = group_ids.get((r["group"],))
        if found_group is None:
            raise bad_file(f"{where}: không có tổ «{r['group']}» trong groups.csv.")
        found_cons = (
            cons_ids.get((current_term, _int(r["constituency"], where)))
            if r.get("constituency")
            else None
        )
        if r.get("constituency") and found_cons is None:
            raise bad_file(
                f"{where}: không có đơn vị bầu cử số {r['constituency']} trong constituencies.csv."
            )
        served_from = _date(r["served_from"], where)
        served_until = _date(r["served_until"], where) if r.get("served_until") else None
        if served_until is not None and served_until < served_from:
            raise bad_file(f"{where}: served_until trước served_from.")
        values = {
            "full_name": r["full_name"],
            "title": r.get("title") or None,
            "workplace": r.get("workplace") or None,
            "photo_url": r.get("photo_url") or None,
            "is_full_time": r.get("is_full_time", "").lower() == "true",
            "group_id": found_group,
            "constituency_id": found_cons,
            "served_from": served_from,
            "served_until": served_until,
            "end_reason": r.get("end_reason") or None,
        }
        existing = (
            await session.execute(
                sa.select(col(Delegate.id)).where(
                    col(Delegate.full_name) == values["full_name"],
                    col(Delegate.served_from) == values["served_from"],
                )
            )
        ).scalar_one_or_none()
        did: int
        if existing is None:
            inserted: sa.Result[Any] = await session.execute(
                sa.insert(table_of(Delegate)).values(**values).returning(sa.column("id"))
            )
            did = int(inserted.scalar_one())
        else:
            did = int(existing)
            await session.execute(
                sa.update(Delegate).where(col(Delegate.id) == did).values(**values)
            )
        await session.execute(
            sa.delete(CommitteeMember).where(col(CommitteeMember.delegate_id) == did)
        )
        for kind in r.get("committees", "").split():
            committee = committee_ids.get((kind,))
            if committee is None:
                raise bad_file(f"{where}: không có ban «{kind}» trong committees.csv.")
            session.add(CommitteeMember(committee_id=committee, delegate_id=did))
        if r.get("leader", "").lower() == "true":
            leaders[found_group] = did
    await session.flush()
    for leader_group, leader in leaders.items():
        await session.execute(
            sa.update(DelegateGroup)
            .where(col(DelegateGroup.id) == leader_group)
            .values(leader_id=leader)
        )

    session_rows: list[dict[str, object]] = []
    for i, r in enumerate(_rows(folder, "sessions.csv", required=False), start=2):
        where = f"sessions.csv dòng {i}"
        term_id = term_ids.get((_int(r["term"], where),))
        if term_id is None:
            raise bad_file(f"{where}: không có khóa {r['term']} trong terms.csv.")
        starts_on, ends_on = _date(r["starts_on"], where), _date(r["ends_on"], where)
        if ends_on < starts_on:
            raise bad_file(f"{where}: ngày bế mạc trước ngày khai mạc.")
        session_rows.append(
            {
                "term_id": term_id,
                "number": _int(r["number"], where),
                "title": r["title"],
                "kind": _one_of(r["kind"] or SessionKind.REGULAR, SessionKind, where),
                "starts_on": starts_on,
                "ends_on": ends_on,
                "status": _one_of(r["status"] or SessionStatus.UPCOMING, SessionStatus, where),
                "required_discussions": _int(r.get("required_discussions") or "1", where),
                "required_questions": _int(r.get("required_questions") or "1", where),
            }
        )
    await _upsert(session, table_of(CouncilSession), session_rows, ["term_id", "number"])
    agencies = await _load_agencies(session, folder, known)
    return LoadSummary(
        units=len(units),
        groups=len(group_rows),
        constituencies=len(cons_rows),
        committees=len(committees),
        delegates=len(delegate_rows),
        sessions=len(session_rows),
        agencies=agencies,
    )


async def _load_agencies(session: AsyncSession, folder: Path, known: Any) -> int:
    """agencies.csv (optional): code, name, level, parent_code (an agency's code, listed
    before it), unit_codes (space-separated), answer_days (blank: the setting). An agency's
    units are replaced by the file's."""
    ids: dict[str, int] = {}
    rows = _rows(folder, "agencies.csv", required=False)
    for i, r in enumerate(rows, start=2):
        where = f"agencies.csv dòng {i}"
        parent = r.get("parent_code") or ""
        if parent and parent not in ids:
            raise bad_file(f"{where}: cơ quan cấp trên {parent} phải đứng trước.")
        days = _int(r["answer_days"], where) if r.get("answer_days") else None
        if days is not None and days < 1:
            raise bad_file(f"{where}: số ngày trả lời phải lớn hơn 0.")
        if not r["code"] or not r["name"]:
            raise bad_file(f"{where}: cần mã và tên cơ quan.")
        found = await _upsert(
            session,
            table_of(Agency),
            [
                {
                    "code": r["code"],
                    "name": r["name"],
                    "level": _one_of(r["level"], AgencyLevel, where),
                    "parent_id": ids[parent] if parent else None,
                    "answer_days": days,
                }
            ],
            ["code"],
        )
        agency_id = found[(r["code"],)]
        ids[r["code"]] = agency_id
        codes = [known(code, where) for code in r["unit_codes"].split()]
        await session.execute(sa.delete(AgencyUnit).where(col(AgencyUnit.agency_id) == agency_id))
        if codes:
            await session.execute(
                insert(table_of(AgencyUnit)).values(
                    [{"agency_id": agency_id, "unit_code": code} for code in codes]
                )
            )
    return len(rows)


async def is_empty(session: AsyncSession) -> bool:
    """True before any directory was loaded: when `hdnd serve` loads the demo data."""
    count = (
        await session.execute(sa.select(sa.func.count()).select_from(AdministrativeUnit))
    ).scalar_one()
    return int(count) == 0
