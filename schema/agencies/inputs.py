"""Inputs of the agencies' mutations."""

from datetime import date

import strawberry


@strawberry.input(description="An agency's answer to a petition forwarded to it.")
class AgencyAnswerInput:
    body: str = strawberry.field(description="The answer's text, as the letter gives it.")
    letter_number: str = strawberry.field(
        description="Number of the official letter (số công văn), e.g. «125/SXD-VP»."
    )
    letter_date: date = strawberry.field(
        description="Date of the letter (ngày công văn); not after today, not before the petition."
    )
    signer: str | None = strawberry.field(
        default=None, description="Who signed it (người ký), shown after the agency's name."
    )
