"""Every type, field, argument, input field, enum value and directive of the schema is
described: the descriptions are the API's documentation, read in GraphiQL's docs pane.

The schema is walked as integrators see it, through introspection (deprecated fields and
arguments included), so a description Strawberry drops on the way fails here too."""

from typing import Any

from graphql import get_introspection_query, graphql_sync

from schema import schema

# graphql-core's own directives and scalars are described by the specification.
BUILT_IN_DIRECTIVES = {"include", "skip", "deprecated", "specifiedBy", "oneOf"}


def introspection() -> dict[str, Any]:
    result = graphql_sync(
        schema._schema,
        get_introspection_query(
            descriptions=True, directive_is_repeatable=True, input_value_deprecation=True
        ),
    )
    assert result.errors is None and result.data is not None
    return result.data["__schema"]


def _described(item: dict[str, Any]) -> bool:
    return bool((item.get("description") or "").strip())


def undescribed(found: dict[str, Any]) -> list[str]:
    """Everything in an introspection result that has no description, by coordinate
    (`Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`, `@directive(arg:)`)."""
    missing: list[str] = []
    for kind in found["types"]:
        name = kind["name"]
        if name.startswith("__"):
            continue
        if not _described(kind):
            missing.append(name)
        for field in kind.get("fields") or []:
            if not _described(field):
                missing.append(f"{name}.{field['name']}")
            missing.extend(
                f"{name}.{field['name']}({arg['name']}:)"
                for arg in field["args"]
                if not _described(arg)
            )
        missing.extend(
            f"{name}.{field['name']}"
            for field in kind.get("inputFields") or []
            if not _described(field)
        )
        missing.extend(
            f"{name}.{value['name']}"
            for value in kind.get("enumValues") or []
            if not _described(value)
        )
    for directive in found["directives"]:
        if directive["name"] in BUILT_IN_DIRECTIVES:
            continue
        if not _described(directive):
            missing.append(f"@{directive['name']}")
        missing.extend(
            f"@{directive['name']}({arg['name']}:)"
            for arg in directive["args"]
            if not _described(arg)
        )
    return missing


def test_everything_is_described() -> None:
    missing = undescribed(introspection())
    assert not missing, f"{len(missing)} without a description: {missing}"


def test_the_walk_finds_what_it_looks_for() -> None:
    """The walk sees every place a description can be missing (and so fails when one is)."""
    found = introspection()
    kinds = {k["name"]: k for k in found["types"]}
    # Each place a description lives, with something in it to clear.
    delegates = next(f for f in kinds["Query"]["fields"] if f["name"] == "delegates")
    places = [
        (kinds["Petition"], "Petition"),
        (delegates, "Query.delegates"),
        (delegates["args"][0], f"Query.delegates({delegates['args'][0]['name']}:)"),
        (
            kinds["SubmitPetitionInput"]["inputFields"][0],
            "SubmitPetitionInput." + kinds["SubmitPetitionInput"]["inputFields"][0]["name"],
        ),
        (
            kinds["UserErrorCode"]["enumValues"][0],
            "UserErrorCode." + kinds["UserErrorCode"]["enumValues"][0]["name"],
        ),
        (
            next(d for d in found["directives"] if d["name"] == "listSize")["args"][0],
            "@listSize(assumedSize:)",
        ),
    ]
    for item, coordinate in places:
        kept = item["description"]
        item["description"] = "  "
        assert coordinate in undescribed(found)
        item["description"] = kept
    assert undescribed(found) == undescribed(introspection())
