"""Inputs of the sessions domain's mutations."""

from datetime import date

import strawberry

from schema.sessions.enums import ContributionKind, SessionKind, Venue


@strawberry.input(description="A new session (kỳ họp); it starts UPCOMING.")
class CreateSessionInput:
    title: str = strawberry.field(description="Title, 5–300 characters.")
    starts_on: date = strawberry.field(description="Opening day.")
    ends_on: date = strawberry.field(description="Closing day (on or after the opening day).")
    kind: SessionKind = strawberry.field(
        default=SessionKind.REGULAR, description="Regular (default), special or thematic."
    )
    term: int | None = strawberry.field(
        default=None, description="Term number (khóa); default: the term the opening day falls in."
    )
    number: int | None = strawberry.field(
        default=None, description="Session number in the term; default: the next one."
    )
    required_discussions: int = strawberry.field(
        default=1, description="Discussion contributions each delegate owes (default 1)."
    )
    required_questions: int = strawberry.field(
        default=1, description="Questions each delegate owes (default 1)."
    )
    agenda: list[str] = strawberry.field(
        default_factory=list, description="Agenda items in order (3–300 characters each)."
    )


@strawberry.input(description="A contribution to record at a session.")
class RecordContributionInput:
    session_id: strawberry.ID = strawberry.field(
        description="The session (in progress, or closed for STAFF)."
    )
    kind: ContributionKind = strawberry.field(description="Discussion or question.")
    venue: Venue = strawberry.field(description="Group discussion or plenary.")
    topic: str = strawberry.field(description="What it was about, 3–300 characters.")
    summary: str = strawberry.field(description="What was said, 10–10,000 characters.")
    delegate_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The delegate who spoke: STAFF must give it; a DELEGATE records their own (omit it or give their own).",
    )
    addressee: str | None = strawberry.field(
        default=None,
        description="Who was questioned: required for QUESTION, absent for DISCUSSION.",
    )
    petition_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list,
        description="Petitions raised (at most 20), each addressed to this delegate or their group; each gets a timeline event.",
    )
    agenda_item_id: strawberry.ID | None = strawberry.field(
        default=None, description="The agenda item of this session it addressed."
    )


@strawberry.input(description="Changes to a contribution; fields left out stay as they are.")
class EditContributionInput:
    kind: ContributionKind | None = strawberry.field(
        default=strawberry.UNSET, description="New kind."
    )
    venue: Venue | None = strawberry.field(default=strawberry.UNSET, description="New venue.")
    topic: str | None = strawberry.field(default=strawberry.UNSET, description="New topic.")
    summary: str | None = strawberry.field(default=strawberry.UNSET, description="New summary.")
    addressee: str | None = strawberry.field(
        default=strawberry.UNSET, description="New addressee (QUESTION only)."
    )
    petition_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET,
        description="The full new set of petitions raised; newly added ones get a timeline event.",
    )
    agenda_item_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The agenda item addressed; null for none."
    )
