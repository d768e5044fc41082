"""The covered root fields: for each, who may use it (anyone else gets the resolvers, which
answer the refusal), the request's values taken from its arguments exactly as its resolver
takes them (a value the resolver would refuse: the resolvers answer), and its statement.
Also the covered fields below the root that take arguments (`NESTED`): their values, taken
the same way, become bound parameters of the root's statement.

`values` runs on every request; `build` only when the plan for that shape is not cached yet.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from db.compiled import roots as sql
from db.compiled.plan import Field, NotCompiled
from db.compiled.shapes import Scope
from db.council import DelegateFilter
from db.petitions import PetitionFilter
from db.sessions.compliance import COMPLIANCE_READERS
from db.text import like_pattern, search_grams
from db.tracking import normalize_tracking_code
from db.viewer import Role, Viewer
from schema.errors import bad_input
from schema.petitions import HOT_DEFAULT, SEARCH_MAX
from schema.relay import (
    decode_cursor,
    from_global_id,
    optional_global_id,
    page_size,
    parse_global_id,
)

Values = dict[str, Any]
Args = Mapping[str, Any]


@dataclass(frozen=True)
class Root:
    values: Callable[[Args], Values]
    build: Callable[[Field, Scope, Values], sql.Select]
    allowed: Callable[[Viewer], bool] = lambda viewer: True
    # The statement answers SQL NULL where the resolver raises (an unknown unit).
    null_falls_back: bool = False
    # For a field of an abstract type (`node`): the object type the values name.
    concrete: Callable[[Values], str] | None = None


def _name(value: Any) -> str | None:
    """An enum argument as stored (its name)."""
    if value is None:
        return None
    return value.name if isinstance(value, Enum) else str(value)


def _get(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _search(values: Values, search: str | None) -> None:
    """The two values of db.text.search_condition, or none when the search is blank."""
    given = bool(search and search.strip())
    values["search"] = like_pattern(search) if given and search else None
    values["search_grams"] = search_grams(search) if given and search else None


def _page(args: Args, key_types: tuple[type, type]) -> Values:
    """`first` and `after` as the resolvers read them: the page size, the cursor's sort key
    (its last part the row's id)."""
    key = decode_cursor(args.get("after"), key_types)
    return {
        "first": page_size(args.get("first")),
        "after_key": key[0] if key else None,
        "after_id": key[1] if key else None,
    }


def _after(v: Values) -> tuple[Any, Any] | None:
    return (v["after_key"], v["after_id"]) if v["after_key"] is not None else None


# ---- the council ---------------------------------------------------------------------------


def _units_values(args: Args) -> Values:
    return {"level": _name(args.get("level")), "parent_code": args.get("parent_code")}


def _none(args: Args) -> Values:
    return {}


def _delegates_values(args: Args) -> Values:
    values = _page(args, (str, int))
    f = args.get("filter")
    values["group_id"] = optional_global_id(_get(f, "group_id"), "DelegateGroup", "filter.groupId")
    values["committee_id"] = optional_global_id(
        _get(f, "committee_id"), "Committee", "filter.committeeId"
    )
    values["constituency_id"] = optional_global_id(
        _get(f, "constituency_id"), "Constituency", "filter.constituencyId"
    )
    _search(values, _get(f, "search"))
    serving = _get(f, "serving")
    values["serving"] = bool(serving) if serving is not None else None
    return values


def _delegates_build(field: Field, scope: Scope, v: Values) -> sql.Select:
    f = DelegateFilter(
        group_id=v["group_id"],
        committee_id=v["committee_id"],
        constituency_id=v["constituency_id"],
        serving=v["serving"],
        today=scope.today,  # type: ignore[arg-type]
    )
    return sql.delegates(field, scope, f, v["search"], v["search_grams"], v["first"], _after(v))


# ---- petitions -----------------------------------------------------------------------------


def _petition_page(args: Args) -> Values:
    return _page(args, (datetime, int))


def _petitions_values(args: Args) -> Values:
    values = _petition_page(args)
    f = args.get("filter")
    search = _get(f, "search")
    if search is not None and len(search) > SEARCH_MAX:
        raise bad_input("search too long", "filter.search")  # the resolver words it
    unit_code = _get(f, "unit_code")
    values.update(
        status=_name(_get(f, "status")),
        category=_name(_get(f, "category")),
        unit_code=unit_code.strip() if unit_code is not None else None,
        delegate_id=optional_global_id(_get(f, "delegate_id"), "Delegate", "filter.delegateId"),
    )
    _search(values, search)
    overdue = _get(f, "overdue")
    values["overdue"] = bool(overdue) if overdue is not None else None
    return values


def _petitions_build(field: Field, scope: Scope, v: Values) -> sql.Select:
    f = PetitionFilter(
        status=v["status"],
        category=v["category"],
        delegate_id=v["delegate_id"],
        overdue=v["overdue"],
    )
    return sql.petitions(
        field,
        scope,
        f,
        v["unit_code"],
        v["search"],
        v["search_grams"],
        v["first"],
        _after(v),
    )


def _inbox_values(args: Args) -> Values:
    values = _petition_page(args)
    values["status"] = _name(args.get("status"))
    return values


def _tracking_values(args: Args) -> Values:
    return {"code": normalize_tracking_code(args["code"])}


def _hot_values(args: Args) -> Values:
    first = args.get("first")
    unit_code = args.get("unit_code")
    return {
        "unit_code": unit_code.strip() if unit_code is not None else None,
        "since": args.get("since"),
        "first": HOT_DEFAULT if first is None else page_size(first),
    }


def _unit_code_values(args: Args) -> Values:
    return {"code": args["code"].strip()}


# ---- sessions ------------------------------------------------------------------------------


def _sessions_values(args: Args) -> Values:
    return {**_page(args, (date, int)), "status": _name(args.get("status"))}


def _compliance_values(args: Args) -> Values:
    return {"session_id": from_global_id(args["session_id"], "Session", "sessionId")}


def _contributions_values(args: Args) -> Values:
    """`Session.contributions(first, after)`, `Delegate.contributions(sessionId, first, after)`
    as schema.sessions.contribution_connection reads them."""
    values = _page(args, (datetime, int))
    values["session_id"] = optional_global_id(args.get("session_id"), "Session", "sessionId")
    return values


# ---- node ----------------------------------------------------------------------------------


def _node_values(args: Args) -> Values:
    parsed = parse_global_id(args["id"])
    if parsed is None or parsed[0] not in sql.NODE_TYPES:
        raise NotCompiled("node of a type not covered")
    return {"node_type": sql.Choice(parsed[0]), "pk": parsed[1]}


def _node_type(values: Values) -> str:
    return str(values["node_type"])


ROOTS: dict[str, Root] = {
    "node": Root(
        _node_values, lambda f, s, v: sql.node(f, s, v["node_type"], v["pk"]), concrete=_node_type
    ),
    "units": Root(_units_values, lambda f, s, v: sql.units(f, s, v["level"], v["parent_code"])),
    "delegateGroups": Root(_none, lambda f, s, v: sql.delegate_groups(f, s)),
    "committees": Root(_none, lambda f, s, v: sql.committees(f, s)),
    "delegates": Root(_delegates_values, _delegates_build),
    "delegatesForUnit": Root(
        _unit_code_values,
        lambda f, s, v: sql.delegates_for_unit(f, s, v["code"]),
        null_falls_back=True,
    ),
    "sessions": Root(
        _sessions_values,
        lambda f, s, v: sql.sessions(f, s, v["status"], v["first"], _after(v)),
    ),
    "sessionCompliance": Root(
        _compliance_values,
        lambda f, s, v: sql.session_compliance(f, s, v["session_id"]),
        allowed=lambda viewer: viewer.has_role(*COMPLIANCE_READERS),
        null_falls_back=True,
    ),
    "petitions": Root(_petitions_values, _petitions_build, null_falls_back=True),
    "petitionByTrackingCode": Root(
        _tracking_values, lambda f, s, v: sql.petition_by_tracking_code(f, s, v["code"])
    ),
    "myPetitions": Root(
        _petition_page,
        lambda f, s, v: sql.my_petitions(f, s, v["first"], _after(v)),
        allowed=lambda viewer: viewer.is_signed_in,
    ),
    "inbox": Root(
        _inbox_values,
        lambda f, s, v: sql.inbox(f, s, v["status"], v["first"], _after(v)),
        allowed=lambda viewer: viewer.has_role(Role.DELEGATE, Role.STAFF),
    ),
    "hotIssues": Root(
        _hot_values,
        lambda f, s, v: sql.hot_issues(f, s, v["unit_code"], v["since"], v["first"]),
        null_falls_back=True,
    ),
}

# Fields below the root taking arguments: (type, field) -> their values, by the same names
# as the roots' (the statement's parameters get a prefix of their own per field).
NESTED: dict[tuple[str, str], Callable[[Args], Values]] = {
    ("Session", "contributions"): _contributions_values,
    ("Delegate", "contributions"): _contributions_values,
}
