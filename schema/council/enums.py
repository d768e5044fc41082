"""The council domain's GraphQL enums: levels of units, kinds of committees and the roles an
account may hold (each defined once in db/enums)."""

from db.enums.accounts import Role
from db.enums.council import CommitteeKind, UnitLevel
from schema.core.enums import graphql_enum

__all__ = ["CommitteeKind", "Role", "UnitLevel"]


graphql_enum(
    UnitLevel,
    "Level of an administrative unit (cấp hành chính).",
    {
        UnitLevel.PROVINCE: "Province (tỉnh, thành phố trực thuộc trung ương).",
        UnitLevel.DISTRICT: "District level (huyện, thị xã, thành phố thuộc tỉnh).",
        UnitLevel.COMMUNE: "Commune level (xã, phường, thị trấn).",
    },
)


graphql_enum(
    CommitteeKind,
    "Kind of council body (Thường trực or a Ban).",
    {
        CommitteeKind.STANDING: "Standing committee (Thường trực HĐND).",
        CommitteeKind.LEGAL: "Legal Affairs Committee (Ban Pháp chế).",
        CommitteeKind.ECONOMY_BUDGET: "Economy and Budget Committee (Ban Kinh tế - Ngân sách).",
        CommitteeKind.CULTURE_SOCIAL: "Culture and Social Affairs Committee (Ban Văn hóa - Xã hội).",
        CommitteeKind.ETHNIC: "Ethnic Affairs Committee (Ban Dân tộc).",
    },
)


graphql_enum(
    Role,
    "What the council lets an account do; kept in the database, never in the token.",
    {
        Role.CITIZEN: "Any signed-in account (công dân).",
        Role.DELEGATE: "An account linked to one delegate (đại biểu).",
        Role.STAFF: "The council office (Văn phòng HĐND).",
        Role.MONITOR: "The Legal Affairs Committee (Ban Pháp chế): reads everything, writes nothing.",
        Role.ADMIN: "Administrators of the service.",
        Role.AGENCY: "An account of a competent agency (cơ quan có thẩm quyền: sở, UBND): "
        "answers the petitions forwarded to it, or sends them back.",
    },
)
