"""Each enumeration is written once (db/enums): the CHECK constraints of the migrated database
and the GraphQL enums must list exactly its values."""

import re
from enum import StrEnum

import asyncpg
import pytest
from strawberry.types.enum import StrawberryEnumDefinition

from api.seeding import plain_url
from db.enums.accounts import Role
from db.enums.council import (
    CommitteeKind,
    DirectoryEntity,
    SessionKind,
    SessionStatus,
    UnitLevel,
)
from db.enums.meetings import MeetingStatus, MeetingTiming, PetitionSource
from db.enums.petitions import OPEN_STATUSES, PetitionCategory, PetitionStatus, Visibility
from db.enums.sessions import ComplianceStatus, ContributionKind, Venue
from db.refused import Refusal
from schema import schema

# Every CHECK constraint that lists an enumeration's values, by its name in the database.
CHECKS: dict[str, type[StrEnum]] = {
    "ck_account_role": Role,
    "ck_petition_event_role": Role,
    "ck_unit_level": UnitLevel,
    "ck_committee_kind": CommitteeKind,
    "ck_session_kind": SessionKind,
    "ck_session_status": SessionStatus,
    "ck_petition_status": PetitionStatus,
    "ck_petition_event_status": PetitionStatus,
    "ck_petition_category": PetitionCategory,
    "ck_petition_visibility": Visibility,
    "ck_contribution_kind": ContributionKind,
    "ck_contribution_venue": Venue,
    "ck_directory_change_entity": DirectoryEntity,
    "ck_voter_meeting_timing": MeetingTiming,
    "ck_voter_meeting_status": MeetingStatus,
    "ck_petition_source": PetitionSource,
}

# Every GraphQL enum, by its name in schema.graphql, and the class it is made from.
GRAPHQL: dict[str, type[StrEnum]] = {
    "Role": Role,
    "UnitLevel": UnitLevel,
    "CommitteeKind": CommitteeKind,
    "SessionKind": SessionKind,
    "SessionStatus": SessionStatus,
    "PetitionStatus": PetitionStatus,
    "PetitionCategory": PetitionCategory,
    "Visibility": Visibility,
    "ContributionKind": ContributionKind,
    "Venue": Venue,
    "ComplianceStatus": ComplianceStatus,
    "UserErrorCode": Refusal,
    "MeetingTiming": MeetingTiming,
    "MeetingStatus": MeetingStatus,
    "PetitionSource": PetitionSource,
}


async def _check_definitions(url: str) -> dict[str, str]:
    # plain_url keeps a unix socket (`?host=`): the embedded server listens on no TCP port.
    conn = await asyncpg.connect(plain_url(url))
    try:
        rows = await conn.fetch(
            "SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint"
            " WHERE contype = 'c' AND connamespace = 'public'::regnamespace"
        )
    finally:
        await conn.close()
    return {row["conname"]: row["definition"] for row in rows}


def _listed(definition: str) -> list[str]:
    """The quoted values of `col IN (...)` as PostgreSQL prints it back (`= ANY (ARRAY[...])`)."""
    return re.findall(r"'([^']*)'::", definition)


async def test_check_constraints_list_each_enumeration(db_url: str) -> None:
    definitions = await _check_definitions(db_url)
    for name, enumeration in CHECKS.items():
        assert name in definitions, f"{name} is not in the migrated database"
        assert _listed(definitions[name]) == [str(v) for v in enumeration], name


async def test_every_listing_check_constraint_is_known(db_url: str) -> None:
    """A CHECK constraint listing values that no enumeration owns would be a fifth copy."""
    definitions = await _check_definitions(db_url)
    listing = {name for name, text in definitions.items() if re.search(r"ANY \(+ARRAY\[", text)}
    assert listing == set(CHECKS)


@pytest.mark.parametrize("name", sorted(GRAPHQL))
def test_graphql_enum_is_the_enumeration(name: str) -> None:
    definition = schema.get_type_by_name(name)
    assert isinstance(definition, StrawberryEnumDefinition)
    assert definition.wrapped_cls is GRAPHQL[name]
    assert [(v.name, v.value) for v in definition.values] == [
        (member.name, member.value) for member in GRAPHQL[name]
    ]
    assert all(v.description for v in definition.values), name


def test_every_graphql_enum_is_listed() -> None:
    names = {
        t.definition.name
        for t in schema.schema_converter.type_map.values()
        if isinstance(t.definition, StrawberryEnumDefinition)
    }
    assert names == set(GRAPHQL)


def test_open_statuses_are_statuses() -> None:
    assert set(OPEN_STATUSES) < set(PetitionStatus)
    assert PetitionStatus.CLOSED not in OPEN_STATUSES
    assert PetitionStatus.REJECTED not in OPEN_STATUSES
