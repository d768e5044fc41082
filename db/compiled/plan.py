"""A compiled read: one SQL statement (text and parameter slots) that renders a JSON answer,
made once per shape of request and run with the request's values."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


class NotCompiled(Exception):
    """This selection (or these arguments) has no compiled form: the resolvers answer it."""


@dataclass(frozen=True, slots=True)
class Field:
    """One entry of a selection: the response key, the schema field's name, the sub-selection
    of an object or list field, for `__typename` the type's name, and for a field taking
    arguments their values as the statement sees them (bound parameters, booleans, None)."""

    key: str
    name: str
    children: tuple["Field", ...] | None = None
    literal: str | None = None
    args: Mapping[str, Any] | None = None

    def arg(self, name: str) -> Any:
        if self.args is None:
            raise NotCompiled(f"{self.name} without its arguments")
        return self.args[name]


@dataclass(frozen=True, slots=True)
class Plan:
    """SQL text with `$n` placeholders; `names[i]` says which value fills `$i+1`. Values of
    the rules' own constants (statuses, intervals) are kept in `fixed`."""

    sql: str
    names: tuple[str, ...]
    fixed: Mapping[str, Any]
    processors: Mapping[str, Callable[[Any], Any]]

    def bind(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        out: list[Any] = []
        for name in self.names:
            value = values[name] if name in values else self.fixed[name]
            process = self.processors.get(name)
            out.append(process(value) if process is not None and value is not None else value)
        return tuple(out)


def compile_plan(statement: sa.Select[Any]) -> Plan:
    """The statement's text for asyncpg (binds typed with casts, IN lists expanded)."""
    compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
    names = tuple(compiled.positiontup or ())
    params = compiled.params
    fixed = {name: params[name] for name in names if params.get(name) is not None}
    processors = {
        name: proc
        for name, proc in compiled._bind_processors.items()  # no public accessor
        if name in names and callable(proc)
    }
    return Plan(sql=compiled.string, names=names, fixed=fixed, processors=processors)


async def run_plan(
    connection: AsyncConnection, plan: Plan, values: Mapping[str, Any]
) -> str | None:
    """The JSON text the statement renders (None when it renders SQL NULL)."""
    result = await connection.exec_driver_sql(plan.sql, plan.bind(values))
    value = result.scalar_one()
    return None if value is None else str(value)
