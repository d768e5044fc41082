"""One refusal type (db.refused.Refused), turned into userErrors in one place."""

import pytest

from db.refused import Problem, Refusal, Refused
from schema.refusals import as_user_errors


def test_a_refusal_is_one_user_error_naming_its_field() -> None:
    refused = Refused(Refusal.NOT_FOUND, "Không có Tổ đại biểu này.", "groupId")
    assert [(e.code, e.message, e.field) for e in as_user_errors(refused)] == [
        (Refusal.NOT_FOUND, "Không có Tổ đại biểu này.", ["groupId"])
    ]


def test_a_refusal_keeps_every_problem_in_order() -> None:
    refused = Refused.of(
        [
            Problem(Refusal.INVALID_INPUT, "Cần nhập tiêu đề.", ("input", "title")),
            Problem(Refusal.INVALID_INPUT, "Cần nhập nội dung.", ("input", "content")),
        ]
    )
    assert (refused.code, refused.message, refused.field) == (
        Refusal.INVALID_INPUT,
        "Cần nhập tiêu đề.",
        ("input", "title"),
    )
    assert [(e.message, e.field) for e in as_user_errors(refused)] == [
        ("Cần nhập tiêu đề.", ["input", "title"]),
        ("Cần nhập nội dung.", ["input", "content"]),
    ]
    with pytest.raises(ValueError, match="at least one problem"):
        Refused.of([])
