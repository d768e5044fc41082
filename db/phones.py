"""Vietnamese phone numbers: checked with `phonenumbers`, stored in E.164 (+84…)."""

import re

import phonenumbers

REGION = "VN"


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


def phone_pattern(e164: str) -> re.Pattern[str]:
    """A pattern finding the number however it was typed in free text: 0901234567,
    +84 901 234 567, 84-901-234-567… (used to redact it on erasure)."""
    national = e164.removeprefix("+84")
    sep = r"[\s.\-]*"
    digits = sep.join(re.escape(d) for d in national)
    return re.compile(rf"(?:\+?84{sep}|0{sep})?{digits}(?!\d)")
