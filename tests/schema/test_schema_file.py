"""The committed schema.graphql is what `hdnd export-schema` prints."""

from pathlib import Path

from schema import schema

ROOT = Path(__file__).resolve().parents[2]


def test_committed_schema_matches_code() -> None:
    committed = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    assert committed == schema.as_str() + "\n", (
        "schema.graphql drifted: run `uv run hdnd export-schema > schema.graphql`"
    )
