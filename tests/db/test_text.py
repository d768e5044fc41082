"""Vietnamese folding: Python and SQL agree, whatever the letter."""

import unicodedata

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.text import clean, fold, like_pattern, nfc

SAMPLES = [
    "Vị Thanh",
    "VỊ THANH",
    "vi thanh",
    "Huyện Vị Thuỷ",
    "Đại Thành",
    "Hoả Lựu",
    "Ngã Bảy",
    "Phụng Hiệp",
]


def test_fold_examples() -> None:
    assert fold("Vị Thanh") == fold("VỊ THANH") == fold("vi thanh") == "vi thanh"
    assert fold("Đường Đất Đỏ") == "duong dat do"
    # decomposed input (as some keyboards send it) folds like the composed form
    assert fold("Vi\u0323 Thanh") == "vi thanh"


def test_clean_is_nfc_and_trimmed() -> None:
    decomposed = "  Vi\u0323 Thanh "
    assert clean(decomposed) == "Vị Thanh" == nfc("Vị Thanh")


def test_like_pattern_escapes_wildcards() -> None:
    assert like_pattern("50%_x") == "%50\\%\\_x%"
    assert like_pattern("  Vị   Thanh ") == "%vi thanh%"


async def test_sql_fold_matches_python(engine: AsyncEngine) -> None:
    # every Vietnamese letter with every tone, both cases, composed and decomposed
    letters = "".join(
        unicodedata.normalize(form, base + tone)
        for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯYđĐ"
        for tone in ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
        for form in ("NFC", "NFD")
    )
    assert fold(letters) == fold(letters.lower())
    async with engine.connect() as connection:
        for text in [*SAMPLES, letters]:
            folded = (await connection.execute(sa.select(sa.func.hdnd_fold(text)))).scalar_one()
            assert folded == fold(text), text
