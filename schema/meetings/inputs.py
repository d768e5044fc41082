"""Inputs of the voter meetings domain."""

from datetime import datetime

import strawberry

import schema.petitions  # noqa: F401  (makes it a GraphQL enum before the input below)
from db.enums.petitions import PetitionCategory
from schema.meetings.enums import MeetingTiming


@strawberry.input(description="A voter meeting to announce.")
class ScheduleVoterMeetingInput:
    group_id: strawberry.ID = strawberry.field(description="The delegate group holding it.")
    session_id: strawberry.ID = strawberry.field(description="The session it is held for.")
    timing: MeetingTiming = strawberry.field(
        description="Before the session (its date before the opening day) or after it (after "
        "the closing day)."
    )
    starts_at: datetime = strawberry.field(description="When it begins (with its offset).")
    place: str = strawberry.field(description="Where, 3–300 characters, one line.")
    co_host: str = strawberry.field(
        description="The Fatherland Front committee co-hosting, 3–300 characters, one line."
    )
    commune_codes: list[str] = strawberry.field(
        description="Codes of the communes whose voters it covers (1–50), each in the group's "
        "areas."
    )
    delegate_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="Delegates of the group expected to attend (at most 30), serving on the day.",
    )


@strawberry.input(description="What was recorded when a voter meeting was held.")
class CompleteVoterMeetingInput:
    voters_present: int = strawberry.field(description="How many voters attended.")
    delegate_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="The delegates who attended, replacing those planned; left out: as planned.",
    )


@strawberry.input(description="One concern raised at a voter meeting.")
class MeetingConcernInput:
    content: str = strawberry.field(description="The concern in full, 20–10,000 characters.")
    category: PetitionCategory = strawberry.field(description="Its field (lĩnh vực).")
    commune_code: str = strawberry.field(
        description="The commune it concerns: one of the meeting's communes."
    )
    title: str | None = strawberry.field(
        default=None,
        description="A title, 5–200 characters; left out: the start of the content.",
    )
    speaker_name: str | None = strawberry.field(
        default=None,
        description="The voter who raised it, if they wish (personal data: shown only to those "
        "who may see a petition's submitter).",
    )
