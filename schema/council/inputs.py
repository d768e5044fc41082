"""Inputs of the council domain: narrowing the directory, and a delegate's record."""

from datetime import date

import strawberry

from schema.cost import SEARCH_WEIGHT, weighing


@strawberry.input(description="Narrows the `delegates` list; all given conditions must hold.")
class DelegateFilter:
    group_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this delegate group."
    )
    committee_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only members of this committee."
    )
    constituency_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only this constituency."
    )
    search: str | None = strawberry.field(
        directives=weighing(SEARCH_WEIGHT),
        default=None,
        description="Part of the name; case and diacritics are ignored («vi thanh» finds «Vị Thanh»).",
    )
    serving: bool | None = strawberry.field(
        default=None,
        description="True: only delegates serving today; false: only those whose service has ended; null: everyone.",
    )


@strawberry.input(
    description="A delegate's directory record. createDelegate needs fullName, groupId and servedFrom; updateDelegate changes only the fields given."
)
class DelegateInput:
    full_name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Full name (họ và tên), 2–120 characters."
    )
    title: str | None = strawberry.field(
        default=strawberry.UNSET, description="Position (chức vụ)."
    )
    workplace: str | None = strawberry.field(
        default=strawberry.UNSET, description="Where the delegate works (nơi công tác)."
    )
    photo_url: str | None = strawberry.field(
        default=strawberry.UNSET, description="Portrait address (https://…)."
    )
    is_full_time: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Full-time delegate (đại biểu chuyên trách)."
    )
    group_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The delegate group (Tổ đại biểu)."
    )
    constituency_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="The constituency of the current term; null for none."
    )
    committee_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Every committee the delegate sits on (replaces the set).",
    )
    served_from: date | None = strawberry.field(
        default=strawberry.UNSET, description="First day of service, within the current term."
    )
