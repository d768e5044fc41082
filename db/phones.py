"""Vietnamese phone numbers: checked with `phonenumbers`, stored in E.164 (+84…)."""

from collections.abc import Collection

import phonenumbers

REGION = "VN"

# Separators people type inside a number that the matcher does not take (0987_654_321), or that
# it takes in one place and not another (0987 654 321/0292 3871 234): the text is searched as
# typed and again with these replaced, one character for one, so positions still match.
_ODD_SEPARATORS = "/_\\|"
_VARIANTS = (
    str.maketrans(dict.fromkeys(_ODD_SEPARATORS, " ")),
    str.maketrans(dict.fromkeys(_ODD_SEPARATORS, "-")),
)


def normalize_vn_phone(value: str) -> str | None:
    """The E.164 form of a valid Vietnamese number (mobile or landline), else None."""
    try:
        number = phonenumbers.parse(value.strip(), REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if phonenumbers.region_code_for_number(number) != REGION:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_spans(text: str, e164s: Collection[str]) -> list[tuple[int, int]]:
    """Where `text` holds any of the numbers `e164s`, however typed: 0901234567,
    +84 90 123 4567, (090) 123 4567, 0901/234/567, 0901_234_567… (used to redact them on
    erasure). Found by `phonenumbers`' matcher at its most lenient: only the given numbers
    count, so its leniency cannot redact anything else."""
    if not e164s:
        return []
    spans: set[tuple[int, int]] = set()
    for variant in (text, *(text.translate(t) for t in _VARIANTS)):
        matcher = phonenumbers.PhoneNumberMatcher(
            variant, REGION, leniency=phonenumbers.Leniency.POSSIBLE
        )
        for match in matcher:
            found = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
            if found in e164s:
                spans.add((match.start, match.end))
    return sorted(spans)
