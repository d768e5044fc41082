"""Finding a person's name and phone in free text (eraseMyData's redaction), without a database."""

import pytest

from db.phones import phone_spans
from db.redact import REDACTED, redact

NGOC = "Nguyễn Thị Bích Ngọc"
NGOC_PHONE = "+84987654321"
X = REDACTED


def ngoc(text: str) -> str | None:
    return redact(text, [NGOC], [NGOC_PHONE])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tôi là Nguyễn Thị Bích Ngọc.", f"Tôi là {X}."),
        ("NGUYEN THI BICH NGOC ở ấp 3", f"{X} ở ấp 3"),
        ("Nguyễn Thi Bich Ngọc", X),  # some marks typed, some not
        # in part: two or more of the name's words in a row, ending with the given name
        ("Bích Ngọc gửi kiến nghị", f"{X} gửi kiến nghị"),
        ("bich ngoc", X),
        ("Thị Bích Ngọc", X),
        ("Bích-Ngọc", X),
        # reordered
        ("Ngọc Bích đề nghị", f"{X} đề nghị"),
        ("Ms Ngọc Nguyễn", f"Ms {X}"),
        ("Ngọc Nguyễn Thị Bích", X),
        ("Nguyễn Ngọc", X),
        ("Ngọc Bích Ngọc", X),
        # one word after a word of address, with the name's diacritics or none
        ("Nhờ chị Ngọc liên hệ", f"Nhờ chị {X} liên hệ"),
        ("CHỊ NGỌC", f"CHỊ {X}"),
        ("chi Ngoc", f"chi {X}"),
        ("bà Bích", f"bà {X}"),
        ("cử tri Ngọc", f"cử tri {X}"),
        ("chị  Ngọc,", f"chị  {X},"),
    ],
)
def test_names_in_part_and_reordered_are_removed(text: str, expected: str) -> None:
    assert ngoc(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ngọc trai quý",  # the given name alone is an everyday word
        "viên ngọc",
        "chị Ngốc",  # other diacritics: another word
        "có ngọc",
        "Ngọcx Bích",
        "Thị trấn Nguyễn",  # the gender word and the family name carry nothing alone
        "Nguyễn Thị Lan",  # another person of the same family
    ],
)
def test_common_words_stay(text: str) -> None:
    assert ngoc(text) == text


def test_everyday_given_names_stay_unless_addressed() -> None:
    mai = "Nguyễn Thị Mai"
    assert redact("Ngày mai bà Mai có mái nhà, cô Mai đến.", [mai], []) == (
        f"Ngày mai bà {X} có mái nhà, cô {X} đến."
    )
    an = "Trần Văn An"
    # Văn alone is never the name; An only when addressed.
    assert redact("an toàn, anh Văn, ông An, Văn An", [an], []) == f"an toàn, anh Văn, ông {X}, {X}"


@pytest.mark.parametrize(
    "text",
    [
        "신청인 Bích Ngọc 드림",  # Hangul beside the name
        "Đơn của chị Ngọc (번역: 응옥)",
        "ΟΔΟΣ Bích Ngọc",  # Greek, whose final sigma lower-cases by context
        "İstanbul, Bích Ngọc",  # a letter whose lower case is two characters
        "😀 Bích Ngọc 👍🏽",
    ],
)
def test_any_script_beside_the_name(text: str) -> None:
    out = ngoc(text)
    assert out is not None and X in out
    assert "Ngọc" not in out and "Bích" not in out
    # everything else is kept as typed
    assert out.replace(X, "") == text.replace("Bích Ngọc", "").replace("Ngọc", "")


def test_uncombined_marks_go_with_their_letter() -> None:
    decomposed = "Bi\u0301ch Ngo\u0323c"  # NFC composes it
    assert ngoc(decomposed) == X
    assert ngoc("Bích Ngọc\u0301 ok") == f"{X} ok"  # a stray mark after the name


@pytest.mark.parametrize(
    "typed",
    [
        "(098) 765 4321",
        "0987/654/321",
        "0987_654_321",
        "0987 654 321",
        "0987.654.321",
        "0987-654-321",
        "+84 98 765 4321",
        "84-987-654-321",
        "0987654321",
        "０９８７６５４３２１",  # full-width digits
    ],
)
def test_phone_however_typed(typed: str) -> None:
    assert ngoc(f"Gọi {typed} nhé") == f"Gọi {X} nhé"
    assert ngoc(f"SĐT:{typed}.") == f"SĐT:{X}."


def test_only_the_persons_numbers_go() -> None:
    text = "Của tôi 0987/654/321, hàng xóm 0912 345 678, tổ trưởng 0292 3871 234"
    assert ngoc(text) == f"Của tôi {X}, hàng xóm 0912 345 678, tổ trưởng 0292 3871 234"
    both = "0987654321/0292 3871 234"
    assert redact(both, [], [NGOC_PHONE, "+842923871234"]) == f"{X}/{X}"
    assert phone_spans("ĐT 0987_654_321 và 0987 654 321/0292 3871 234", {NGOC_PHONE}) == [
        (3, 15),
        (19, 31),
    ]


def test_none_and_nothing_to_remove() -> None:
    assert redact(None, [NGOC], [NGOC_PHONE]) is None
    assert redact("Đường hư hỏng", [], []) == "Đường hư hỏng"
    assert redact("Đường hư hỏng", [""], []) == "Đường hư hỏng"
