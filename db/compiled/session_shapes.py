"""Council sessions in SQL: sessions with their agenda, contributions (a session's in the order
recorded, a delegate's newest first, withdrawn ones left out, as db.sessions.reads lists them),
and who met the quota (db.sessions.compliance's per-delegate rows, its rules as SQL predicates)."""

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.selectable import FromClause

from db.compiled.connection import RECORDED_NEWEST_FIRST, RECORDED_ORDER, connection
from db.compiled.json import Expr, json_list, json_object, text_literal
from db.compiled.petition_shapes import visible
from db.compiled.plan import Field, NotCompiled
from db.compiled.shapes import (
    BY_ID,
    Render,
    Scope,
    dates,
    global_id_of,
    instants,
    many,
    order_by,
    plain,
    ref,
    render,
    shape,
    through,
)
from db.sessions.compliance import COMPLIANCE_READERS, excuse_reason_visible, per_delegate
from db.tables import (
    AgendaItem,
    Contribution,
    ContributionPetition,
    CouncilSession,
    Term,
)
from db.tables.base import table_of

SESSION = table_of(CouncilSession)
TERM = table_of(Term)
AGENDA = table_of(AgendaItem)
CONTRIBUTION = table_of(Contribution)
CONTRIBUTION_PETITION = table_of(ContributionPetition)


# ---- contributions -------------------------------------------------------------------------


def contributions(by: str) -> Render:
    """`Session.contributions` (by="session") or `Delegate.contributions` (by="delegate"),
    a connection inside the session's or delegate's row; its arguments are the field's."""
    keyset = RECORDED_ORDER if by == "session" else RECORDED_NEWEST_FIRST

    def build(src: FromClause, field: Field, scope: Scope) -> Expr:
        c = CONTRIBUTION.alias()
        owner = c.c.session_id if by == "session" else c.c.delegate_id
        conditions = [owner == src.c.id, c.c.withdrawn_at.is_(None)]
        if by == "delegate" and field.arg("session_id") is not None:
            conditions.append(c.c.session_id == field.arg("session_id"))
        after_key, after_id = field.arg("after_key"), field.arg("after_id")
        after = (after_key, after_id) if after_key is not None else None
        return connection(
            "Contribution", c, field, scope, conditions, keyset, field.arg("first"), after, src
        )

    return build


shape(
    "Contribution",
    CONTRIBUTION,
    {
        "id": global_id_of("Contribution"),
        **plain("kind", "venue", "topic", "summary", "addressee"),
        **instants("recordedAt", "updatedAt", "withdrawnAt"),
        "session": ref("Session", "session_id"),
        "delegate": ref("Delegate", "delegate_id"),
        # Only the petitions the viewer may see (the field's restriction), by id.
        "petitions": through(
            "Petition",
            CONTRIBUTION_PETITION,
            "petition_id",
            "contribution_id",
            BY_ID,
            also=lambda p, scope: [visible(p, scope)],
        ),
        "agendaItem": ref("AgendaItem", "agenda_item_id"),
    },
)

shape(
    "AgendaItem",
    AGENDA,
    {
        "id": global_id_of("AgendaItem"),
        **plain("position", "title"),
        "session": ref("Session", "session_id"),
    },
)


# ---- compliance ----------------------------------------------------------------------------


def _status(src: FromClause, field: Field, scope: Scope) -> Expr:
    return sa.case(
        (src.c.excused, text_literal("EXCUSED")),
        (src.c.meets_quota, text_literal("MET")),
        else_=text_literal("NOT_YET"),
    )


def _excuse_reason(src: FromClause, field: Field, scope: Scope) -> Expr:
    return sa.case((excuse_reason_visible(scope.viewer, src.c.id), src.c.excuse_reason))


def _not_yet(src: FromClause, field: Field, scope: Scope) -> Expr:
    return src.c.delegate_count - src.c.compliant_count


# A row of db.sessions.compliance.per_delegate: the delegate's own columns and their counts.
shape(
    "DelegateCompliance",
    None,
    {
        "delegate": lambda src, field, scope: render("Delegate", src, field, scope),
        **plain("discussions", "questions", "meetsQuota"),
        "status": _status,
        "excuseReason": _excuse_reason,
    },
)

_TALLY: dict[str, Render] = {
    **plain("delegateCount", "compliantCount", "excusedCount"),
    "notYetCount": _not_yet,
}

# A row of the per-group tally below.
shape("GroupCompliance", None, {**_TALLY, "group": ref("DelegateGroup", "group_id")})


def _tally(rows: FromClause) -> list[Any]:
    owing = sa.not_(rows.c.excused)
    return [
        sa.func.count().filter(owing).label("delegate_count"),
        sa.func.count().filter(sa.and_(owing, rows.c.meets_quota)).label("compliant_count"),
        sa.func.count().filter(rows.c.excused).label("excused_count"),
    ]


def compliance(field: Field, scope: Scope, session_id: Any, outer: FromClause | None) -> Expr:
    """`SessionCompliance` of session `session_id` (a parameter, or the id column of `outer`,
    the enclosing session row): the total, each delegate and each group, all read from the
    same per-delegate rows as db.sessions.compliance.session_compliance reads them."""

    def rows() -> FromClause:
        per = per_delegate(session_id)
        return per.correlate(outer).lateral() if outer is not None else per.subquery()

    per = rows()
    total = sa.select(*_tally(per)).select_from(per).subquery()
    pairs: list[tuple[str, Expr]] = []
    for f in field.children or ():
        if f.name == "__typename":
            pairs.append((f.key, text_literal(f.literal or "SessionCompliance")))
        elif f.name in _TALLY:
            pairs.append((f.key, _TALLY[f.name](total, f, scope)))
        elif f.name == "delegates":
            lines = rows()
            body = render("DelegateCompliance", lines, f, scope)
            order = [lines.c.group_id, lines.c.full_name_folded, lines.c.id]
            pairs.append((f.key, _scalar(sa.select(json_list(body, order)).select_from(lines))))
        elif f.name == "groups":
            lines = rows()
            tallies = (
                sa.select(lines.c.group_id, *_tally(lines))
                .select_from(lines)
                .group_by(lines.c.group_id)
                .subquery()
            )
            body = render("GroupCompliance", tallies, f, scope)
            agg = sa.select(json_list(body, [tallies.c.group_id])).select_from(tallies)
            pairs.append((f.key, _scalar(agg)))
        elif f.name == "session":
            s = SESSION.alias()
            found = sa.select(render("Session", s, f, scope)).where(s.c.id == session_id)
            pairs.append((f.key, _scalar(found if outer is None else found.correlate(outer))))
        else:
            raise NotCompiled(f"SessionCompliance.{f.name}")
    return _scalar(sa.select(json_object(pairs)).select_from(total))


def _scalar(stmt: sa.Select[Any]) -> Expr:
    return stmt.scalar_subquery()


def _compliance_field(src: FromClause, field: Field, scope: Scope) -> Expr:
    # Others get the resolvers' refusal (an error at this field).
    if not scope.viewer.has_role(*COMPLIANCE_READERS):
        raise NotCompiled("Session.compliance for this viewer")
    return compliance(field, scope, src.c.id, src)


def _term(src: FromClause, field: Field, scope: Scope) -> Expr:
    t = TERM.alias()
    return sa.select(t.c.number).where(t.c.id == src.c.term_id).correlate(src).scalar_subquery()


shape(
    "Session",
    SESSION,
    {
        "id": global_id_of("Session"),
        **plain("number", "title", "kind", "status", "requiredDiscussions", "requiredQuestions"),
        **dates("startsOn", "endsOn"),
        "term": _term,
        "agenda": many(
            "AgendaItem",
            lambda a, src, scope: [a.c.session_id == src.c.id],
            order_by("position"),
        ),
        "contributions": contributions("session"),
        "compliance": _compliance_field,
    },
)
