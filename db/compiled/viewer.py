"""The viewer inside a compiled statement: the rules' SQL forms (db.petition_access,
db.petition_fields) are called once per kind of viewer with the ids as bound parameters, so one
plan serves every viewer of that kind."""

from dataclasses import replace
from datetime import date
from typing import Any, cast

from db.compiled.roots import param
from db.petition_access import is_serving_delegate
from db.viewer import Viewer

_IDS = {
    "account_id": "viewer_account_id",
    "delegate_id": "viewer_delegate_id",
    "group_id": "viewer_group_id",
}


def viewer_key(viewer: Viewer, today: date) -> tuple[Any, ...]:
    """What the rules branch on: kind, role, which ids are known (never their values), and
    whether a delegate serves today."""
    return (
        viewer.kind,
        viewer.role,
        viewer.account_id is None,
        viewer.delegate_id is None,
        viewer.group_id is None,
        is_serving_delegate(viewer, today),
    )


def symbolic_viewer(viewer: Viewer) -> Viewer:
    """`viewer` with each known id replaced by a bound parameter and nothing personal kept."""
    import sqlalchemy as sa

    ids = {
        attr: cast(Any, param(name, sa.Integer))
        for attr, name in _IDS.items()
        if getattr(viewer, attr) is not None
    }
    return replace(viewer, sub=None, integrator=None, name=None, phone=None, **ids)


def viewer_values(viewer: Viewer) -> dict[str, Any]:
    return {name: getattr(viewer, attr) for attr, name in _IDS.items()}
