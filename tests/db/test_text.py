"""Vietnamese folding: Python and SQL agree, whatever the letter."""

import unicodedata

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from db.refused import Refusal, Refused, checked_text
from db.text import InvalidText, clean, fold, input_text, like_pattern, nfc

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


# ---- free text typed by people ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kwargs", "words"),
    [
        ("\u200b\u200c\u200d\ufeff\u2060", {}, "chữ hoặc số"),
        (" \u00a0\u3000 ", {"letters": False}, None),  # spaces only: blank, not refused
        ("... !!! ---", {}, "chữ hoặc số"),
        ("👍", {}, "chữ hoặc số"),
        ("\u200d\u200b", {"letters": False}, "ký tự nhìn thấy được"),
        ("\u0301\u0323", {"letters": False}, "ký tự nhìn thấy được"),  # marks on nothing
        ("abc\u202edef", {}, "U+202E"),
        ("abc\u202adef", {}, "U+202A"),
        ("abc\u2066def\u2069", {}, "U+2066"),
        ("abc\u200fdef", {}, "U+200F"),
        ("abc\u061cdef", {}, "U+061C"),
        ("abc\x00def", {}, "U+0000"),
        ("abc\x1bdef", {}, "U+001B"),
        ("abc\x7fdef", {}, "U+007F"),
        ("abc\x85def", {}, "U+0085"),
        ("abc\x0bdef", {}, "U+000B"),
        ("abc\ud800def", {}, "U+D800"),
        ("abc\ufffedef", {}, "U+FFFE"),
        ("abc\ufdd0def", {}, "U+FDD0"),
        ("Nguyễn Văn\nA", {"one_line": True}, "một dòng"),
        ("Nguyễn Văn\r\nA", {"one_line": True}, "một dòng"),
        ("Nguyễn\tVăn A", {"one_line": True}, "một dòng"),
        ("Nguyễn Văn\u2028A", {"one_line": True}, "một dòng"),
    ],
)
def test_input_text_refusals(value: str, kwargs: dict[str, bool], words: str | None) -> None:
    if words is None:
        assert input_text(value, "nội dung", **kwargs) == ""
        return
    with pytest.raises(InvalidText) as refused:
        input_text(value, "nội dung", **kwargs)
    assert str(refused.value).startswith("Nội dung ")
    assert words in str(refused.value)


def test_input_text_keeps_what_people_write() -> None:
    assert input_text("  Vi\u0323 Thanh \r\n", "x") == "Vị Thanh"
    assert input_text("Một\r\nHai\rBa\n\tBốn", "x") == "Một\nHai\nBa\n\tBốn"
    assert (
        input_text("Gia đình 👨\u200d👩\u200d👧 ở ấp 3", "x")
        == "Gia đình 👨\u200d👩\u200d👧 ở ấp 3"
    )
    assert input_text("👍🏽", "x", letters=False) == "👍🏽"
    assert input_text("2024", "x") == "2024"
    assert input_text("신청서", "x", one_line=True) == "신청서"
    assert input_text("", "x") == ""


def test_every_rule_of_db_refuses_the_same_way() -> None:
    with pytest.raises(Refused) as refused:
        checked_text(
            "Kỳ họp\nthứ 9", ("input", "title"), "tên kỳ họp", min_len=3, max_len=50, one_line=True
        )
    assert refused.value.code is Refusal.INVALID_INPUT
    assert refused.value.field == ("input", "title")
    assert refused.value.message.startswith("Tên kỳ họp phải viết trên một dòng")
    # Optional text is optional when blank, not when it holds only invisible characters.
    assert checked_text(" ", ("reason",), "lý do", min_len=1, max_len=9, required=False) is None
    with pytest.raises(Refused) as invisible:
        checked_text("\u200b", ("reason",), "lý do", min_len=1, max_len=9, required=False)
    assert invisible.value.field == ("reason",)
    assert "chữ hoặc số" in invisible.value.message
