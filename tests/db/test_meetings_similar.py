"""The similarity of two folded texts is written twice, `hdnd_similarity` (SQL, migration 0011)
and db.meetings.similar.similarity (Python, for a batch of recorded concerns): they agree, and
the database holds the function this code describes."""

import math

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.meetings.rules import derived_title
from db.meetings.similar import petition_text, similarity, similarity_sql_function, trigrams

PAIRS = [
    ("Đường Trần Hưng Đạo ngập nước", "duong tran hung dao ngap nuoc"),
    ("Đường Trần Hưng Đạo ngập nước mỗi khi mưa", "Trạm y tế thiếu bác sĩ"),
    ("ab", "ab"),  # no trigram at all: 0
    ("", "abc"),
    ("abcabc", "abc"),
    ("Rác thải ven kênh Xáng Xà No gây ô nhiễm", "Rác thải ven kênh gây ô nhiễm, đề nghị thu gom"),
]


def test_similarity_by_hand() -> None:
    assert trigrams("abcd") == {"abc", "bcd"}
    assert similarity("abcd", "abce") == pytest.approx(1 / 3)  # {abc} of {abc, bcd, bce}
    assert similarity("abc", "abc") == 1.0
    assert similarity("ab", "ab") == 0.0


def test_derived_title_cuts_at_a_word() -> None:
    assert derived_title("Một dòng ngắn.\nDòng hai") == "Một dòng ngắn."
    long = "Đường " * 40
    title = derived_title(long)
    assert len(title) <= 121 and title.endswith("…") and not title.endswith(" …")


async def test_sql_similarity_matches_python(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        for a, b in PAIRS:
            x, y = petition_text(a, ""), petition_text(b, "")
            found = (
                await connection.execute(sa.select(sa.func.hdnd_similarity(x, y)))
            ).scalar_one()
            assert math.isclose(found, similarity(x, y), rel_tol=1e-6), (a, b)


async def test_database_similarity_is_the_live_one(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        source = (
            await connection.execute(
                sa.text("SELECT prosrc FROM pg_proc WHERE proname = 'hdnd_similarity'")
            )
        ).scalar_one()
    assert source.strip() == similarity_sql_function().split("$$")[1].strip()
