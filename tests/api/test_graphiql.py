"""GraphiQL from the service's own origin: the tour's operations are valid against the schema,
the page names only same-origin files that exist, and HDND_GRAPHIQL=false turns it all off."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, build_schema, parse, validate
from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette

from api import graphiql
from api.app import create_app
from api.settings import Settings
from schema import build_schema as build_strawberry_schema

ROOT = Path(__file__).resolve().parents[2]


def operations(screen: graphiql.Screen) -> list[OperationDefinitionNode]:
    return [d for d in parse(screen.query()).definitions if isinstance(d, OperationDefinitionNode)]


@pytest.mark.parametrize("screen", graphiql.TOUR, ids=lambda s: s.title.split(" / ")[1])
def test_tour_operation_is_valid_against_the_schema(screen: graphiql.Screen) -> None:
    schema = build_strawberry_schema()._schema
    document = parse(screen.query())
    assert validate(schema, document) == []
    ops = operations(screen)
    assert ops and all(op.name is not None for op in ops), "every example is a named operation"
    # Every variable an operation declares has a value in the tab's variables pane.
    declared = {v.variable.name.value for op in ops for v in op.variable_definitions or ()}
    assert declared <= set(screen.variables), declared - set(screen.variables)


def test_tour_covers_every_screen_and_the_committed_sdl() -> None:
    names = {op.name.value for s in graphiql.TOUR for op in operations(s) if op.name}
    assert {
        "FindMyDelegate",
        "SubmitPetition",
        "TrackPetition",
        "MyPetitions",
        "DelegateInbox",
        "SessionCompliance",
        "GroupChannel",
        "GroupPosts",
    } <= names
    assert len(names) == sum(len(operations(s)) for s in graphiql.TOUR), "names are unique"
    first = operations(graphiql.TOUR[0])
    assert [op.name.value for op in first if op.name] == ["FindMyDelegate"]
    assert 'delegatesForUnit(code: "31318")' in graphiql.TOUR[0].document
    # The same operations against the SDL integrators download.
    sdl = build_schema((ROOT / "schema.graphql").read_text())
    for screen in graphiql.TOUR:
        assert validate(sdl, parse(screen.query())) == []
    # Titles and comments speak both languages.
    for screen in graphiql.TOUR:
        vietnamese, _, english = screen.title.partition(" / ")
        assert vietnamese and english, screen.title


def test_headers_note_is_valid_jsonc_and_shows_the_bearer_form() -> None:
    note = graphiql.HEADERS_NOTE
    assert '{"Authorization": "Bearer <token>"}' in note and "hdnd serve" in note
    without_comments = "\n".join(
        line for line in note.splitlines() if not line.lstrip().startswith("//")
    )
    assert json.loads(without_comments) == {}


class _Assets(HTMLParser):
    """Every URL the page's markup would make the browser load."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.config: str | None = None
        self._in_config = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in ("src", "href"):
            value = attributes.get(name)
            if value is not None:
                self.urls.append(value)
        self._in_config = attributes.get("id") == "hdnd-graphiql-config"

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config = data
            self._in_config = False


def same_origin(url: str) -> bool:
    return (url.startswith("/") and not url.startswith("//")) or url.startswith("data:")


async def test_page_loads_only_same_origin_files_that_exist(client: AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    assert "http" not in policy
    page = _Assets()
    page.feed(response.text)
    assert page.urls and all(same_origin(url) for url in page.urls), page.urls
    assert not re.search(r"https?://", response.text), "no absolute address in the page"
    assert page.config is not None
    config: dict[str, Any] = json.loads(page.config)
    assert [tab["query"] for tab in config["tabs"]] == [s.query() for s in graphiql.TOUR]
    urls = [url for url in page.urls if not url.startswith("data:")]
    urls += list(config["workers"].values())
    assert len(urls) == 5  # styles, script, three workers
    for url in urls:
        assert same_origin(url)
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert "immutable" in asset.headers["cache-control"]
        assert asset.content
    # Stock Strawberry page is gone: none of its CDN names remain.
    assert "unpkg" not in response.text and "Strawberry GraphiQL" not in response.text


def test_built_files_name_no_other_origin_to_load() -> None:
    """The bundle may mention addresses in text (licences, links in docs), but loads none:
    no CSS url() or @import points outside, and the manifest names files that exist."""
    files: dict[str, str] = json.loads((graphiql.STATIC_DIR.parent / "graphiql.json").read_text())
    for name in files.values():
        assert (graphiql.STATIC_DIR / name).is_file(), name
    css = (graphiql.STATIC_DIR / files["css"]).read_text()
    for target in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
        assert target.startswith("data:") or target.startswith("#"), target[:80]
    assert "@import" not in css


async def test_graphiql_false_serves_no_page_and_no_files(db_url: str) -> None:
    settings = Settings(database_url=db_url, graphiql=False, _env_file=None)  # type: ignore[call-arg]
    app: Starlette = create_app(settings)
    files: dict[str, str] = json.loads((graphiql.STATIC_DIR.parent / "graphiql.json").read_text())
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as http,
    ):
        page = await http.get("/graphql", headers={"Accept": "text/html"})
        assert "hdnd-graphiql-config" not in page.text
        assert page.status_code != 200 or "text/html" not in page.headers["content-type"]
        asset = await http.get(f"{graphiql.STATIC_PATH}/{files['js']}")
        assert asset.status_code == 404
