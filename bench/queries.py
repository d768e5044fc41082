"""The requests measured, each written for this service and, by hand, for PostGraphile so that
both ask for the same data; a normaliser per side reduces each answer to the same plain shape so
the harness can check that they do agree (names, order, nulls; ids and cursors differ by design).

PostGraphile's names are what it generates for our tables with its default inflector
(allDelegates, delegateGroupByGroupId, ...). Where it cannot express our rules, `note` says so.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

Json = Any
Normalise = Callable[[Json], Json]


@dataclass(frozen=True)
class Side:
    """One server's document. `viewer`: "anonymous", "delegate" (one signed-in delegate) or
    "fresh" (a new citizen account per request). `@VALUE@` in the variables is a tracking code
    drawn per request, `@KEY@` a key unique to the request."""

    query: str
    variables: dict[str, Any]
    normalise: Normalise
    viewer: str = "anonymous"


@dataclass(frozen=True)
class Pair:
    """A request measured on both servers (PostGraphile: None when it has no equivalent)."""

    key: str
    label: str
    ours: Side
    theirs: Side | None
    note: str


def _utc(value: str | None) -> str | None:
    return None if value is None else datetime.fromisoformat(value).astimezone(UTC).isoformat()


def _name(obj: Json) -> str | None:
    return None if obj is None else obj["name"]


# -- Q1: 50 delegates with group, constituency, committees -------------------------------------
Q1_OURS = """query Q1 { delegates(first: 50) { edges { node {
  id fullName title group { name } constituency { name } committees { name } } } } }"""
Q1_THEIRS = """query Q1 { allDelegates(first: 50, orderBy: [FULL_NAME_FOLDED_ASC, ID_ASC]) { nodes {
  id fullName title delegateGroupByGroupId { name } constituencyByConstituencyId { name }
  committeeMembersByDelegateId(orderBy: COMMITTEE_ID_ASC) { nodes { committeeByCommitteeId { name } } } } } }"""


def q1_ours(d: Json) -> Json:
    return [
        (
            n["fullName"],
            n["title"],
            _name(n["group"]),
            _name(n["constituency"]),
            [c["name"] for c in n["committees"]],
        )
        for n in (e["node"] for e in d["delegates"]["edges"])
    ]


def q1_theirs(d: Json) -> Json:
    return [
        (
            n["fullName"],
            n["title"],
            _name(n["delegateGroupByGroupId"]),
            _name(n["constituencyByConstituencyId"]),
            [
                m["committeeByCommitteeId"]["name"]
                for m in n["committeeMembersByDelegateId"]["nodes"]
            ],
        )
        for n in d["allDelegates"]["nodes"]
    ]


# -- Q2: 20 public ANSWERED petitions with commune and group -----------------------------------
Q2_OURS = """query Q2 { petitions(first: 20, filter: { status: ANSWERED }) {
  edges { node { id trackingCode title status submittedAt commune { name } group { name } } }
  pageInfo { hasNextPage endCursor } } }"""
Q2_THEIRS = """query Q2 { allPetitions(first: 20, orderBy: [SUBMITTED_AT_DESC, ID_DESC],
    condition: { status: "ANSWERED", visibility: "PUBLIC" }) {
  nodes { id trackingCode title status submittedAt
    administrativeUnitByCommuneCode { name } delegateGroupByGroupId { name } }
  pageInfo { hasNextPage endCursor } } }"""


def _petition_row(n: Json, commune: str, group: str | None) -> Json:
    return (
        n["trackingCode"],
        n["title"],
        n["status"],
        _utc(n["submittedAt"]),
        _name(n[commune]),
        _name(n[group]) if group else None,
    )


def q2_ours(d: Json) -> Json:
    c = d["petitions"]
    rows = [_petition_row(e["node"], "commune", "group") for e in c["edges"]]
    return rows, c["pageInfo"]["hasNextPage"]


def q2_theirs(d: Json) -> Json:
    c = d["allPetitions"]
    rows = [
        _petition_row(n, "administrativeUnitByCommuneCode", "delegateGroupByGroupId")
        for n in c["nodes"]
    ]
    return rows, c["pageInfo"]["hasNextPage"]


# -- Q3: the delegate groups with their member count and areas ---------------------------------
Q3_OURS = "query Q3 { delegateGroups { name memberCount areas { name } } }"
Q3_THEIRS = """query Q3 { allDelegateGroups(orderBy: ID_ASC) { nodes { name
  delegatesByGroupId(condition: { servedUntil: null }) { totalCount }
  groupAreasByGroupId(orderBy: UNIT_CODE_ASC) { nodes { administrativeUnitByUnitCode { name } } } } } }"""


def q3_ours(d: Json) -> Json:
    return [
        (g["name"], g["memberCount"], [a["name"] for a in g["areas"]]) for g in d["delegateGroups"]
    ]


def q3_theirs(d: Json) -> Json:
    return [
        (
            g["name"],
            g["delegatesByGroupId"]["totalCount"],
            [a["administrativeUnitByUnitCode"]["name"] for a in g["groupAreasByGroupId"]["nodes"]],
        )
        for g in d["allDelegateGroups"]["nodes"]
    ]


# -- a petition by its tracking code, with its timeline ----------------------------------------
TRACK_OURS = """query Track($code: String!) { petitionByTrackingCode(code: $code) {
  trackingCode status submittedAt answer { body respondent answeredAt }
  timeline { at status actorRole note } } }"""
TRACK_THEIRS = """query Track($code: String!) { petitionByTrackingCode(trackingCode: $code) {
  trackingCode status submittedAt answerBody answerRespondent answeredAt
  petitionEventsByPetitionId(orderBy: [AT_ASC, ID_ASC]) { nodes { at status actorRole note } } } }"""


def _events(events: Json) -> Json:
    return [(_utc(e["at"]), e["status"], e["actorRole"], e["note"]) for e in events]


def track_ours(d: Json) -> Json:
    p = d["petitionByTrackingCode"]
    a = p["answer"]
    answer = None if a is None else (a["body"], a["respondent"], _utc(a["answeredAt"]))
    return (p["trackingCode"], p["status"], _utc(p["submittedAt"]), answer, _events(p["timeline"]))


def track_theirs(d: Json) -> Json:
    p = d["petitionByTrackingCode"]
    answer = (
        None
        if p["answerBody"] is None
        else (p["answerBody"], p["answerRespondent"], _utc(p["answeredAt"]))
    )
    events = _events(p["petitionEventsByPetitionId"]["nodes"])
    return (p["trackingCode"], p["status"], _utc(p["submittedAt"]), answer, events)


# -- a delegate's inbox ------------------------------------------------------------------------
INBOX_OURS = """query Inbox { inbox(first: 20) {
  edges { node { id trackingCode title status submittedAt commune { name } } }
  pageInfo { hasNextPage endCursor } } }"""
INBOX_THEIRS = """query Inbox($groupId: Int!) { allPetitions(first: 20,
    orderBy: [SUBMITTED_AT_DESC, ID_DESC], condition: { groupId: $groupId }) {
  nodes { id trackingCode title status submittedAt administrativeUnitByCommuneCode { name } }
  pageInfo { hasNextPage endCursor } } }"""


def inbox_ours(d: Json) -> Json:
    c = d["inbox"]
    return [_petition_row(e["node"], "commune", None) for e in c["edges"]], c["pageInfo"][
        "hasNextPage"
    ]


def inbox_theirs(d: Json) -> Json:
    c = d["allPetitions"]
    rows = [_petition_row(n, "administrativeUnitByCommuneCode", None) for n in c["nodes"]]
    return rows, c["pageInfo"]["hasNextPage"]


# -- { __typename } and M1 ---------------------------------------------------------------------
TYPENAME = "{ __typename }"

M1_OURS = """mutation M1($input: SubmitPetitionInput!) { submitPetition(input: $input) {
  petition { id trackingCode status submittedAt group { name } } userErrors { field code message } } }"""
M1_INPUT = {
    "title": "Đường liên ấp bị sạt lở",
    "content": "Đoạn đường liên ấp bị sạt lở sau mưa lớn, xe máy đi lại rất nguy hiểm.",
    "category": "INFRASTRUCTURE_TRANSPORT",
    "communeCode": "31318",
    "idempotencyKey": "@KEY@",
}


def m1_ours(d: Json) -> Json:
    payload = d["submitPetition"]
    if payload["userErrors"] or payload["petition"] is None:
        raise ValueError(f"submitPetition refused: {payload['userErrors']}")
    return payload["petition"]["status"]


def pairs(group_id: int) -> list[Pair]:
    """Every request measured; `group_id` is the signed-in delegate's group (PostGraphile's
    stand-in for our inbox)."""
    return [
        Pair(
            "q1",
            "Q1: 50 delegates with group, constituency, committees",
            Side(Q1_OURS, {}, q1_ours),
            Side(Q1_THEIRS, {}, q1_theirs),
            "Same data.",
        ),
        Pair(
            "q2",
            "Q2: 20 public ANSWERED petitions with commune and group",
            Side(Q2_OURS, {}, q2_ours),
            Side(Q2_THEIRS, {}, q2_theirs),
            "PostGraphile: the client asks for visibility PUBLIC itself; nothing stops an "
            "anonymous client asking for PRIVATE petitions or their submitterName and "
            "submitterPhone (that would take row-level security and roles).",
        ),
        Pair(
            "q3",
            "Q3: delegateGroups { name memberCount areas { name } }",
            Side(Q3_OURS, {}, q3_ours),
            Side(Q3_THEIRS, {}, q3_theirs),
            "PostGraphile's condition is equality only: members serving today are approximated "
            "by servedUntil IS NULL (equal on this data; a future end date would differ).",
        ),
        Pair(
            "track",
            "petitionByTrackingCode with its timeline",
            Side(TRACK_OURS, {"code": "@VALUE@"}, track_ours),
            Side(TRACK_THEIRS, {"code": "@VALUE@"}, track_theirs),
            "A different sampled code on each request. PostGraphile matches the code exactly "
            "(ours ignores case, spaces and dashes) and would hand out content and the "
            "submitter's name and phone to anyone asking.",
        ),
        Pair(
            "inbox",
            "inbox(first: 20) as a delegate (signed token)",
            Side(INBOX_OURS, {}, inbox_ours, viewer="delegate"),
            Side(INBOX_THEIRS, {"groupId": group_id}, inbox_theirs),
            "Ours verifies the token, reads the account and applies 'addressed to them or their "
            "group'; PostGraphile gets no token and is told the group id by the client "
            "(condition groupId), which any client could change to read another group's inbox.",
        ),
        Pair(
            "typename",
            "{ __typename }",
            Side(TYPENAME, {}, lambda d: d["__typename"]),
            Side(TYPENAME, {}, lambda d: d["__typename"]),
            "The cost of the request path alone.",
        ),
        Pair(
            "m1",
            "M1: submitPetition (fresh idempotency key and account each time)",
            Side(M1_OURS, {"input": M1_INPUT}, m1_ours, viewer="fresh"),
            None,
            "No PostGraphile equivalent: its createPetition is a bare INSERT without routing, "
            "tracking code, timeline, idempotency or limits.",
        ),
    ]
