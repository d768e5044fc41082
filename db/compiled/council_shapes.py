"""The council's types in SQL: administrative units, delegate groups, committees,
constituencies and delegates, with the directory's rules (db.serving) as SQL predicates."""

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from db.compiled.json import Expr
from db.compiled.plan import Field
from db.compiled.session_shapes import contributions
from db.compiled.shapes import (
    BY_CODE,
    BY_ID,
    BY_NAME,
    Scope,
    adapt,
    dates,
    global_id_of,
    many,
    plain,
    ref,
    shape,
    through,
)
from db.serving import serving_on
from db.tables import (
    AdministrativeUnit,
    Committee,
    CommitteeMember,
    Constituency,
    ConstituencyUnit,
    Delegate,
    DelegateGroup,
    GroupArea,
)
from db.tables.base import table_of

UNIT = table_of(AdministrativeUnit)
GROUP = table_of(DelegateGroup)
AREA = table_of(GroupArea)
DELEGATE = table_of(Delegate)
CONSTITUENCY = table_of(Constituency)
CONSTITUENCY_UNIT = table_of(ConstituencyUnit)
COMMITTEE = table_of(Committee)
COMMITTEE_MEMBER = table_of(CommitteeMember)


def serving(delegate: FromClause, scope: Scope) -> ColumnElement[bool]:
    """db.serving's rule for the request's day, over an alias of the delegate table."""
    return adapt(serving_on(scope.today), delegate)


def _serving(delegate: FromClause, scope: Scope) -> list[ColumnElement[bool]]:
    return [serving(delegate, scope)]


def _member_count(src: FromClause, field: Field, scope: Scope) -> Expr:
    d = DELEGATE.alias()
    count = sa.select(sa.func.count()).select_from(d)
    return count.where(d.c.group_id == src.c.id, serving(d, scope)).correlate(src).scalar_subquery()


shape(
    "AdministrativeUnit",
    UNIT,
    {
        **plain("code", "name", "type", "level"),
        "parent": ref("AdministrativeUnit", "parent_code", key="code"),
        "children": many(
            "AdministrativeUnit", lambda u, src, scope: [u.c.parent_code == src.c.code], BY_CODE
        ),
    },
)

shape(
    "Committee",
    COMMITTEE,
    {
        "id": global_id_of("Committee"),
        **plain("name", "kind"),
        "members": through(
            "Delegate", COMMITTEE_MEMBER, "delegate_id", "committee_id", BY_NAME, also=_serving
        ),
    },
)

shape(
    "Constituency",
    CONSTITUENCY,
    {
        "id": global_id_of("Constituency"),
        **plain("number", "name", "seats"),
        "units": through(
            "AdministrativeUnit",
            CONSTITUENCY_UNIT,
            "unit_code",
            "constituency_id",
            BY_CODE,
            item_key="code",
        ),
        # Everyone elected there this term, those who left included.
        "delegates": many(
            "Delegate", lambda d, src, scope: [d.c.constituency_id == src.c.id], BY_NAME
        ),
    },
)

shape(
    "DelegateGroup",
    GROUP,
    {
        "id": global_id_of("DelegateGroup"),
        **plain("name"),
        "areas": through(
            "AdministrativeUnit", AREA, "unit_code", "group_id", BY_CODE, item_key="code"
        ),
        "leader": ref("Delegate", "leader_id"),
        "members": many(
            "Delegate",
            lambda d, src, scope: [d.c.group_id == src.c.id, serving(d, scope)],
            BY_NAME,
        ),
        "memberCount": _member_count,
    },
)

shape(
    "Delegate",
    DELEGATE,
    {
        "id": global_id_of("Delegate"),
        **plain("fullName", "title", "workplace", "photoUrl", "isFullTime", "endReason"),
        **dates("servedFrom", "servedUntil"),
        "group": ref("DelegateGroup", "group_id"),
        "constituency": ref("Constituency", "constituency_id"),
        "committees": through("Committee", COMMITTEE_MEMBER, "committee_id", "delegate_id", BY_ID),
        "contributions": contributions("delegate"),
    },
)
