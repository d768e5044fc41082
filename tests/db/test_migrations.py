"""The migrations are the only way the schema is made: they must agree with the models."""

import ast
import importlib.util
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import db.migrate
import db.tables  # registers every table (the models compared below)
from db.engine import make_engine
from db.migrate import is_migrated
from db.text import fold, fold_sql_function


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


async def test_models_and_migrations_agree(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        diff = await connection.run_sync(_diff)
    assert diff == []


async def test_database_is_at_every_head(engine: AsyncEngine) -> None:
    assert await is_migrated(engine)


# ---- revisions are frozen ---------------------------------------------------------------------

VERSIONS = Path(db.migrate.MIGRATIONS) / "versions"
ROOT = Path(db.migrate.__file__).resolve().parents[1]
# The project's own packages: live code a revision must not import (it changes later, the
# revision must not).
PROJECT_PACKAGES = {p.parent.name for p in ROOT.glob("*/__init__.py")}


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


def test_no_revision_imports_live_code() -> None:
    assert {"db", "api", "schema"} <= PROJECT_PACKAGES
    revisions = sorted(VERSIONS.glob("*.py"))
    assert len(revisions) >= 7
    for path in revisions:
        for module in _imported_modules(path):
            top = module.split(".")[0]
            assert top and top not in PROJECT_PACKAGES, f"{path.name} imports {module}"


def test_the_probe_sees_an_import_of_live_code(tmp_path: Path) -> None:
    # The check above must be able to fail: the first revision's old import is caught.
    probe = tmp_path / "0001_probe.py"
    probe.write_text("import sqlalchemy as sa\nfrom db.text import fold_sql_function\n")
    assert "db.text" in _imported_modules(probe)


def _function_body(ddl: str) -> str:
    return ddl.split("$$")[1].strip()


async def test_database_fold_is_the_live_fold(engine: AsyncEngine) -> None:
    """A change to db.text's fold without a revision installing it is caught here."""
    async with engine.connect() as connection:
        source = (
            await connection.execute(
                sa.text("SELECT prosrc FROM pg_proc WHERE proname = 'hdnd_fold'")
            )
        ).scalar_one()
    assert source.strip() == _function_body(fold_sql_function())


# ---- revision 0008: today's fold on a database made with the old one -------------------------

FOLD_REVISION = "0008"
# A revision before it: a database migrated there holds what the first fold stored.
OLD_FOLD_REVISION = "0006"

# ë is not a Vietnamese letter: the first fold (a table of Vietnamese letters) kept it, today's
# fold (every combining mark dropped) makes it e. Vietnamese text folds the same either way.
UNIT = "Xã Noël"
DELEGATE = "Phạm Thị Noël"
TITLE = "Đường vào ấp Noël"
CONTENT = "Con đường bị sạt lở sau mùa mưa, xe không qua được."
FOLDED_COLUMNS = {
    "unit": "SELECT name_folded FROM administrative_unit WHERE code = 'TFOLD'",
    "delegate": "SELECT full_name_folded FROM delegate WHERE full_name = :delegate",
    "petition": "SELECT search_folded FROM petition WHERE tracking_code = 'TFOLD'",
}


def _migrate_to(connection: Connection, target: str, *, down: bool = False) -> None:
    config = db.migrate.alembic_config()
    config.attributes["connection"] = connection
    (command.downgrade if down else command.upgrade)(config, target)


async def _folded(engine: AsyncEngine) -> dict[str, str]:
    async with engine.connect() as connection:
        return {
            name: (await connection.execute(sa.text(query), {"delegate": DELEGATE})).scalar_one()
            for name, query in FOLDED_COLUMNS.items()
        }


async def _indexes(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            sa.text("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
        )
        return set(rows.scalars())


@pytest_asyncio.fixture
async def empty_engine(empty_db_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a database with nothing in it (not even the first migration)."""
    engine = make_engine(empty_db_url, pool_size=1)
    try:
        yield engine
    finally:
        await engine.dispose()


async def test_upgrade_refolds_what_the_old_fold_stored(empty_engine: AsyncEngine) -> None:
    engine = empty_engine
    async with engine.begin() as connection:
        await connection.run_sync(_migrate_to, OLD_FOLD_REVISION)
        # Rows as a database made before the new fold holds them (columns of revision 0006).
        await connection.execute(
            sa.text(
                "INSERT INTO administrative_unit (code, name, type, level, path) "
                "VALUES ('TFOLD', :unit, 'Xã', 'COMMUNE', 'TFOLD')"
            ),
            {"unit": UNIT},
        )
        group = (
            await connection.execute(
                sa.text("INSERT INTO delegate_group (name) VALUES ('Tổ TFOLD') RETURNING id")
            )
        ).scalar_one()
        await connection.execute(
            sa.text(
                "INSERT INTO delegate (full_name, is_full_time, group_id, served_from) "
                "VALUES (:delegate, false, :group, DATE '2021-07-01')"
            ),
            {"delegate": DELEGATE, "group": group},
        )
        await connection.execute(
            sa.text(
                "INSERT INTO petition (tracking_code, title, content, category, commune_code, "
                "unit_path, status, visibility, group_id, support_count) VALUES ('TFOLD', "
                ":title, :content, 'OTHER', 'TFOLD', 'TFOLD', 'SUBMITTED', 'PUBLIC', :group, 0)"
            ),
            {"title": TITLE, "content": CONTENT, "group": group},
        )
    old = await _folded(engine)
    assert old == {
        "unit": "xa noël",
        "delegate": "pham thi noël",
        "petition": f"duong vao ap noël {fold(CONTENT)}",
    }
    indexes = await _indexes(engine)
    assert {"ix_delegate_name", "ix_delegate_group_name"} <= indexes

    async with engine.begin() as connection:
        await connection.run_sync(_migrate_to, FOLD_REVISION)
    assert await _folded(engine) == {
        "unit": fold(UNIT),
        "delegate": fold(DELEGATE),
        "petition": fold(f"{TITLE} {CONTENT}"),
    }
    assert fold(DELEGATE) == "pham thi noel"
    assert await _indexes(engine) == indexes  # recomputed in place: every index kept
    async with engine.connect() as connection:
        # The index on the folded name answers the plain spelling now.
        found = await connection.execute(
            sa.text("SELECT full_name FROM delegate WHERE full_name_folded LIKE '%noel%'")
        )
        assert list(found.scalars()) == [DELEGATE]

    # Back down: the old fold and what it stored; and up to every head again.
    async with engine.begin() as connection:
        await connection.run_sync(_migrate_to, OLD_FOLD_REVISION, down=True)
    assert await _folded(engine) == old
    async with engine.begin() as connection:
        await connection.run_sync(_migrate_to, "heads")
    assert (await _folded(engine))["delegate"] == "pham thi noel"
    assert await is_migrated(engine)


# ---- the next revision is numbered ------------------------------------------------------------


def _autogenerate(connection: Connection, folder: Path) -> None:
    config = db.migrate.alembic_config()
    config.set_main_option("script_location", str(folder))
    config.attributes["connection"] = connection
    command.revision(config, message="probe of numbering", autogenerate=True)


async def test_next_revision_is_numbered(engine: AsyncEngine, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(db.migrate.MIGRATIONS, folder, ignore=shutil.ignore_patterns("__pycache__"))
    before = {p.name for p in (folder / "versions").glob("*.py")}
    highest = max(int(name[:4]) for name in before)
    async with engine.connect() as connection:
        await connection.run_sync(_autogenerate, folder)
    made = {p.name for p in (folder / "versions").glob("*.py")} - before
    expected = f"{highest + 1:04d}"
    assert made == {f"{expected}_probe_of_numbering.py"}
    spec = importlib.util.spec_from_file_location("probe", folder / "versions" / made.pop())
    assert spec is not None and spec.loader is not None
    probe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(probe)
    assert (probe.revision, probe.down_revision) == (expected, f"{highest:04d}")
