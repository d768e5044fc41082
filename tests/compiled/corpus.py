"""The documents the differential test runs: written here for the covered reads and their
edges, and gathered from the suite, the docs and the benchmarks (see `gathered`)."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from schema.relay import encode_cursor, to_global_id
from tests.compiled.gathered import gathered, variables_for

Variables = Callable[[Any], dict[str, Any] | None]
Case = tuple[str, str, Variables]

DELEGATE_FIELDS = """id fullName title workplace photoUrl isFullTime servedFrom servedUntil
  endReason __typename"""
PETITION_FIELDS = """id trackingCode title content category status visibility submittedAt
  updatedAt acknowledgedAt forwardedTo closedAt satisfied supportCount viewerHasSupported
  isOverdue answer { body respondent answeredAt __typename }
  commune { code name } group { id name } delegate { id fullName }"""


def none(world: Any) -> dict[str, Any] | None:
    return None


SESSION_FIELDS = """id number title kind startsOn endsOn status requiredDiscussions
  requiredQuestions term __typename agenda { id position title __typename session { number } }"""
CONTRIBUTION_FIELDS = """id kind venue topic summary addressee recordedAt updatedAt withdrawnAt
  __typename delegate { id fullName } session { number } agendaItem { id title }
  petitions { id title visibility }"""
COMPLIANCE_FIELDS = """__typename delegateCount compliantCount notYetCount excusedCount
  delegates { __typename discussions questions meetsQuota status excuseReason
    delegate { id fullName group { name } } }
  groups { __typename delegateCount compliantCount notYetCount excusedCount group { id name } }
  session { id number status }"""


def node_ids(world: Any) -> dict[str, Any]:
    """A global id of every type `node` answers, and of none."""
    return {
        "d": to_global_id("Delegate", world.delegate_id),
        "g": to_global_id("DelegateGroup", world.group_id),
        "c": to_global_id("Committee", 1),
        "k": to_global_id("Constituency", 1),
        "p": to_global_id("Petition", world.petition_id),
        "hidden": to_global_id("Petition", world.private_petition_id),
        "s": to_global_id("Session", world.sessions["IN_PROGRESS"]),
        "a": to_global_id("AgendaItem", world.agenda_item_id),
        "x": to_global_id("Contribution", world.contribution_id),
    }


def session_id(status: str) -> Variables:
    return lambda w: {"s": to_global_id("Session", w.sessions[status])}


WRITTEN: list[Case] = [
    (
        "Q1 directory",
        """query Directory($first: Int) { delegates(first: $first) { totalCount edges { cursor
        node { id fullName title workplace isFullTime servedFrom
        group { id name } constituency { id number name } committees { id name kind } } } } }""",
        lambda w: {"first": 50},
    ),
    ("Q3 groups", "{ delegateGroups { name memberCount areas { name } } }", none),
    (
        "groups, everything covered",
        """{ delegateGroups { __typename id name memberCount
        leader { ...D group { name } } members { ...D committees { id kind name } }
        areas { code name type level parent { code name parent { code } } children { code } } } }
        fragment D on Delegate { """
        + DELEGATE_FIELDS
        + " }",
        none,
    ),
    (
        "committees",
        "{ committees { id name kind __typename members { id fullName constituency { id number "
        "name seats units { code } delegates { id servedUntil } } } } }",
        none,
    ),
    ("units", "{ units(level: DISTRICT) { code name type level parent { name } } }", none),
    (
        "units by parent, variables",
        "query($p: String, $l: UnitLevel) { units(parentCode: $p, level: $l) { code name } }",
        lambda w: {"p": "930", "l": None},
    ),
    ("units, unknown parent", '{ units(parentCode: "nope") { code } }', none),
    (
        "delegates, pages and aliases",
        """query($after: String) { a: delegates(first: 3, after: $after) { pageInfo {
        hasNextPage hasPreviousPage startCursor endCursor __typename } nodes { fullName }
        edges { __typename cursor node { alias: fullName } } }
        b: delegates(first: 0) { totalCount pageInfo { hasNextPage endCursor } } }""",
        lambda w: {"after": encode_cursor(("h", 0))},
    ),
    (
        "delegates, filters",
        """query($g: ID, $s: String, $serving: Boolean) { delegates(first: 100,
        filter: { groupId: $g, search: $s, serving: $serving }) { totalCount edges { node {
        fullName servedUntil group { name } } } } }""",
        lambda w: {"g": to_global_id("DelegateGroup", w.group_id), "s": "  ", "serving": True},
    ),
    (
        "delegates, search and ended",
        """{ s: delegates(filter: { search: "tan" }) { totalCount nodes { fullName } }
        e: delegates(filter: { serving: false }) { totalCount nodes { fullName endReason } } }""",
        none,
    ),
    (
        "delegates, bad cursor",
        '{ delegates(after: "bogus") { totalCount } }',
        none,
    ),
    (
        "delegates, a cursor with true for an id",
        "query($after: String) { delegates(after: $after) { totalCount nodes { id } } }",
        lambda w: {"after": encode_cursor(("h", True))},
    ),
    (
        "delegates, bad group id",
        "query($g: ID) { delegates(filter: { groupId: $g }) { totalCount } }",
        lambda w: {"g": "bogus"},
    ),
    (
        "directives",
        """query($yes: Boolean!, $no: Boolean!) { delegates(first: 4) { edges { node {
        fullName @include(if: $yes) title @skip(if: $yes) ... on Delegate @include(if: $no) {
        workplace } ... { group { name } } } } } }""",
        lambda w: {"yes": True, "no": False},
    ),
    (
        "Q2 answered petitions",
        """query { petitions(first: 20, filter: { status: ANSWERED }) { edges { cursor node {
        id title status submittedAt commune { name } group { name } } } } }""",
        none,
    ),
    (
        "petitions, everything covered",
        "{ petitions(first: 30) { totalCount pageInfo { hasNextPage endCursor } edges { node { "
        + PETITION_FIELDS
        + " timeline { at status actorRole note __typename } } } } }",
        none,
    ),
    (
        "petitions, filters",
        """query($u: String, $c: PetitionCategory, $o: Boolean, $d: ID) { petitions(first: 50,
        filter: { unitCode: $u, category: $c, overdue: $o, delegateId: $d }) { totalCount
        nodes { trackingCode isOverdue commune { code } } } }""",
        lambda w: {
            "u": "930",
            "c": None,
            "o": True,
            "d": None,
        },
    ),
    (
        "petitions, unknown unit",
        '{ petitions(filter: { unitCode: "000" }) { totalCount } }',
        none,
    ),
    (
        "petitions, search",
        '{ petitions(filter: { search: "duong" }) { totalCount nodes { title } } }',
        none,
    ),
    (
        "petitions, second page",
        """query($after: String) { petitions(first: 5, after: $after) { pageInfo {
        hasPreviousPage hasNextPage startCursor } nodes { id } } }""",
        lambda w: {"after": w.extra_cursor} if hasattr(w, "extra_cursor") else None,
    ),
    (
        "tracking code",
        """query($code: String!) { petitionByTrackingCode(code: $code) { trackingCode status
        submittedAt __typename answer { body respondent answeredAt } timeline { at status
        actorRole note } } }""",
        lambda w: {"code": w.tracking_codes[0].lower()},
    ),
    ("tracking code, unknown", '{ petitionByTrackingCode(code: "AAA-AAA-AAA") { status } }', none),
    ("tracking code, not a code", '{ petitionByTrackingCode(code: "?") { status } }', none),
    (
        "inbox",
        "query($s: PetitionStatus) { inbox(first: 30, status: $s) { totalCount edges { cursor "
        "node { " + PETITION_FIELDS + " } } } }",
        lambda w: {"s": "SUBMITTED"},
    ),
    (
        "inbox, everything",
        "{ inbox { totalCount pageInfo { hasNextPage } nodes { id status group { id } } } }",
        none,
    ),
    (
        "my petitions",
        "{ myPetitions(first: 10) { totalCount nodes { " + PETITION_FIELDS + " } } }",
        none,
    ),
    (
        "hot issues",
        "{ hotIssues(first: 15) { id title supportCount viewerHasSupported isOverdue } }",
        none,
    ),
    (
        "hot issues in a unit",
        '{ hotIssues(unitCode: "930") { trackingCode commune { code } } }',
        none,
    ),
    ("hot issues, unknown unit", '{ hotIssues(unitCode: "x") { id } }', none),
    # ---- delegatesForUnit ----
    *[
        (
            f"delegatesForUnit {code!r}",
            """query($c: String!) { delegatesForUnit(code: $c) { __typename id fullName
            servedUntil group { name } constituency { number units { code } } } }""",
            (lambda c: lambda w: {"c": c})(code),
        )
        # A commune, a district, the province, with spaces, a unit only a group's area covers,
        # a unit nothing covers, no unit at all.
        for code in ("31318", "930", "93", " 931 ", "39999", "938", "nope")
    ],
    # A field the compiled path does not cover (voter meetings): the resolvers answer it.
    (
        "delegatesForUnit with upcoming voter meetings",
        """{ delegatesForUnit(code: "31318") { id fullName
        upcomingVoterMeetings { id startsAt place communes { code } } } }""",
        none,
    ),
    # ---- sessions and contributions ----
    (
        "sessions",
        "{ sessions { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor "
        "__typename } edges { __typename cursor node { " + SESSION_FIELDS + " } } } }",
        none,
    ),
    (
        "sessions, pages and status",
        """query($after: String, $st: SessionStatus) { a: sessions(first: 2) { pageInfo {
        endCursor hasNextPage } nodes { number } } b: sessions(first: 2, after: $after) {
        pageInfo { hasPreviousPage hasNextPage startCursor } nodes { id startsOn } }
        c: sessions(status: $st) { totalCount nodes { number status } }
        d: sessions(first: 0) { totalCount pageInfo { hasNextPage endCursor } } }""",
        lambda w: {"after": encode_cursor((date(2026, 9, 16), 2)), "st": "CLOSED"},
    ),
    ("sessions, bad cursor", '{ sessions(after: "bogus") { totalCount } }', none),
    (
        "sessions, an instant in the cursor",
        "query($after: String) { sessions(after: $after) { nodes { number } } }",
        lambda w: {"after": encode_cursor((datetime(2026, 9, 16, 12, tzinfo=UTC), 2))},
    ),
    (
        "session contributions",
        "{ sessions(first: 4) { nodes { number contributions(first: 5) { totalCount pageInfo { "
        "hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { "
        + CONTRIBUTION_FIELDS
        + " } } } } } }",
        none,
    ),
    (
        "contributions, variables and pages",
        """query($first: Int, $after: String) { sessions { nodes { number
        contributions(first: $first, after: $after) { totalCount nodes { id topic }
        pageInfo { endCursor hasNextPage hasPreviousPage } } all: contributions {
        nodes { id } } } } }""",
        lambda w: {"first": 3, "after": w.contribution_cursor},
    ),
    (
        "delegate contributions",
        """query($s: ID) { delegates(first: 12) { nodes { fullName
        contributions(first: 3) { totalCount edges { cursor node { topic petitions { id
        visibility } session { number } } } }
        there: contributions(sessionId: $s) { totalCount nodes { kind } } } } }""",
        session_id("CLOSED"),
    ),
    (
        "delegate contributions, a page after",
        """query($after: String) { delegates(first: 30) { nodes { contributions(first: 2,
        after: $after) { pageInfo { hasPreviousPage endCursor } nodes { id } } } } }""",
        lambda w: {"after": w.contribution_cursor},
    ),
    (
        "contributions, bad page size",
        "{ sessions { nodes { contributions(first: 500) { totalCount } } } }",
        none,
    ),
    (
        "contributions, bad session id",
        """query($s: ID) { delegates(first: 2) { nodes { contributions(sessionId: $s) {
        totalCount } } } }""",
        lambda w: {"s": "bogus"},
    ),
    (
        "contributions, bad cursor",
        """query($after: String) { sessions { nodes { contributions(after: $after) {
        totalCount } } } }""",
        lambda w: {"after": encode_cursor(("x", 1))},
    ),
    # ---- compliance ----
    *[
        (
            f"session compliance, {status}",
            "query($s: ID!) { sessionCompliance(sessionId: $s) { " + COMPLIANCE_FIELDS + " } }",
            session_id(status),
        )
        for status in ("CLOSED", "IN_PROGRESS", "UPCOMING")
    ],
    (
        "session compliance, unknown session",
        "query($s: ID!) { sessionCompliance(sessionId: $s) { delegateCount } }",
        lambda w: {"s": to_global_id("Session", 9999)},
    ),
    (
        "session compliance, not a session id",
        "query($s: ID!) { sessionCompliance(sessionId: $s) { delegateCount } }",
        lambda w: {"s": to_global_id("Delegate", 1)},
    ),
    (
        "sessions with their compliance",
        "{ sessions { nodes { number compliance { " + COMPLIANCE_FIELDS + " } } } }",
        none,
    ),
    # ---- node ----
    (
        "node of every type",
        """query($d: ID!, $g: ID!, $c: ID!, $k: ID!, $p: ID!, $hidden: ID!, $s: ID!, $a: ID!,
        $x: ID!) {
        d: node(id: $d) { __typename id ... on Delegate { fullName group { name }
          contributions(first: 2) { totalCount nodes { topic } } } }
        g: node(id: $g) { ... on DelegateGroup { name memberCount members { fullName } } }
        c: node(id: $c) { ... on Committee { name kind members { id } } }
        k: node(id: $k) { ... on Constituency { number seats units { code } } }
        p: node(id: $p) { ... on Petition { title status isOverdue supportCount } }
        hidden: node(id: $hidden) { id ... on Petition { title visibility } }
        s: node(id: $s) { ... on Session { """
        + SESSION_FIELDS
        + """ } }
        a: node(id: $a) { ... on AgendaItem { position title session { number } } }
        x: node(id: $x) { ... on Contribution { """
        + CONTRIBUTION_FIELDS
        + """ } } }""",
        node_ids,
    ),
    (
        "node, fragments on the interface",
        """query($d: ID!) { node(id: $d) { ...N ... on Delegate { ...D } } }
        fragment N on Node { id __typename } fragment D on Delegate { fullName }""",
        node_ids,
    ),
    (
        "node, nothing there",
        """query($gone: ID!, $type: ID!, $other: ID!) { gone: node(id: $gone) { id }
        bogus: node(id: "bogus") { id } type: node(id: $type) { id }
        other: node(id: $other) { id } }""",
        lambda w: {
            "gone": to_global_id("Delegate", 99999),
            "type": to_global_id("Nothing", 1),
            "other": to_global_id("GroupPost", 1),
        },
    ),
    (
        "node, a session's compliance",
        "query($s: ID!) { node(id: $s) { ... on Session { compliance { delegateCount "
        "excusedCount delegates { excuseReason } } } } }",
        node_ids,
    ),
    (
        "uncovered field falls back",
        "{ petitions(first: 5) { nodes { id submitter { fullName phone } } } }",
        none,
    ),
    (
        "mixed roots",
        "{ me { sub role } delegateGroups { name history { at } } committees { name } }",
        none,
    ),
]


def _gathered_case(where: str, text: str) -> Case:
    return (f"gathered from {where}", text, lambda w: variables_for(text, w))


def cases() -> list[Case]:
    return WRITTEN + [_gathered_case(where, text) for where, text in gathered()]


def corpus(world: Any = None) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every case with its variables for `world` (None: only to count them)."""
    return [
        (name, query, variables(world) if world is not None else None)
        for name, query, variables in cases()
    ]


# ---- generated -----------------------------------------------------------------------------

COVERED_ROOTS = (
    "units",
    "delegateGroups",
    "committees",
    "delegates",
    "petitions",
    "petitionByTrackingCode",
    "myPetitions",
    "inbox",
    "hotIssues",
    "node",
    "delegatesForUnit",
    "sessions",
    "sessionCompliance",
)
GENERATED = 260
# Demo records by their ids (the demo data numbers them alike in every database made from it).
GENERATED_IDS = [
    to_global_id(type_name, pk)
    for type_name, pks in (
        ("Delegate", (1, 4, 18)),
        ("DelegateGroup", (1, 2)),
        ("Committee", (1,)),
        ("Constituency", (1,)),
        ("Petition", (1, 2, 3, 5, 8, 13)),
        ("Session", (1, 3, 4, 99)),
        ("AgendaItem", (1,)),
        ("Contribution", (1, 2)),
        ("GroupPost", (1,)),
    )
    for pk in pks
]
UNIT_CODES = ["930", "31318", "93", " 931 ", "39999", "938", "nope", ""]


@cache
def generated(count: int = GENERATED) -> tuple[str, ...]:
    """`count` query documents over the covered root fields, drawn by hypothesis-graphql from
    the schema with a fixed seed (the same documents every run)."""
    from hypothesis import HealthCheck, given, seed, settings
    from hypothesis import strategies as st
    from hypothesis_graphql import nodes, queries

    from schema import schema

    found: list[str] = []
    instants = st.sampled_from(
        ["2025-01-01T00:00:00+07:00", "2026-06-30T12:00:00+00:00", "2031-01-01T00:00:00+07:00"]
    )
    days = st.sampled_from(["2025-01-01", "2026-12-31"])
    # Ids and codes that name demo records half the time (else nothing would reach past the
    # argument checks), and page sizes within bounds half the time.
    ids = st.one_of(st.sampled_from(GENERATED_IDS), st.text(max_size=12))
    strings = st.one_of(st.sampled_from(UNIT_CODES), st.text(max_size=12))
    ints = st.one_of(st.integers(0, 25), st.integers(-(2**31), 2**31 - 1))
    strategy = queries(
        schema._schema,
        fields=COVERED_ROOTS,
        custom_scalars={
            "DateTime": instants.map(nodes.String),
            "Date": days.map(nodes.String),
            "ID": ids.map(nodes.String),
            "String": strings.map(nodes.String),
            "Int": ints.map(nodes.Int),
        },
        allow_x00=False,
    )

    @seed(20251111)
    @settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(document: str) -> None:
        if len(found) < count and document not in found:
            found.append(document)

    collect()
    return tuple(found)
