"""Query documents gathered from the suite, the docs and the benchmarks: every string constant
of tests/ and scripts/ and every fenced block of docs/ and the README that parses as a
document of query operations only and validates against the schema."""

import ast
import re
from functools import cache
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    parse,
    validate,
)

from schema import schema
from schema.relay import to_global_id

ROOT = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(r"```[a-z]*\n(.*?)```", re.DOTALL)


def _strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "{" in node.value
    ]
    # Implicitly concatenated constants are one Constant already; "…" + "…" are joined here.
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            try:
                value = ast.literal_eval(node)
            except ValueError:
                continue
            if isinstance(value, str):
                found.append(value)
    return found


# Root fields whose answer is the request's own state (its rate budget, its instant), not data:
# two requests never agree on them, so documents selecting them are left out.
PER_REQUEST = frozenset({"rateLimit"})


def _per_request(document: DocumentNode) -> bool:
    return any(
        isinstance(s, FieldNode) and s.name.value in PER_REQUEST
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        for s in d.selection_set.selections
    )


def _queries_only(text: str) -> bool:
    try:
        document = parse(text)
    except GraphQLError:
        return False
    if _per_request(document):
        return False
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations or any(op.operation is not OperationType.QUERY for op in operations):
        return False
    if len(operations) > 1:
        return False
    return not validate(schema._schema, document)


@cache
def gathered() -> tuple[tuple[str, str], ...]:
    """(where it came from, document), each document once."""
    seen: set[str] = set()
    found: list[tuple[str, str]] = []
    sources: list[tuple[Path, list[str]]] = []
    for folder in ("tests", "scripts"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "compiled" not in path.parts:
                sources.append((path, _strings(path)))
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        if path.exists():
            sources.append((path, _BLOCK.findall(path.read_text(encoding="utf-8"))))
    for path, texts in sources:
        for text in texts:
            key = " ".join(text.split())
            if key not in seen and _queries_only(text):
                seen.add(key)
                found.append((str(path.relative_to(ROOT)), text))
    return tuple(found)


def variables_for(text: str, world: Any) -> dict[str, Any]:
    """Values for a gathered document's variables, chosen by name and type from the demo
    world (ids of its delegate, group, a petition; a tracking code; a unit)."""
    document = parse(text)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    values: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        lowered = name.lower()
        named = definition.type
        while not isinstance(named, NamedTypeNode):
            named = named.type
        kind = named.name.value
        if kind == "ID":
            for hint, type_name, pk in (
                ("group", "DelegateGroup", world.group_id),
                ("committee", "Committee", 1),
                ("constituency", "Constituency", 1),
                ("session", "Session", 1),
                ("petition", "Petition", world.petition_id),
            ):
                if hint in lowered:
                    values[name] = to_global_id(type_name, pk)
                    break
            else:
                values[name] = to_global_id("Delegate", world.delegate_id)
        elif kind == "Int":
            values[name] = 5
        elif kind == "Boolean":
            values[name] = True
        elif kind == "String":
            if "code" in lowered and "unit" not in lowered:
                values[name] = world.tracking_codes[0]
            elif "unit" in lowered or "parent" in lowered:
                values[name] = "930"
            elif lowered in ("after", "cursor"):
                values[name] = None
            else:
                values[name] = "vi thanh"
        elif isinstance(definition.type, NonNullTypeNode):
            values[name] = None  # refused alike by both paths
    return values
