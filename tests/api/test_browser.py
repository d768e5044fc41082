"""GraphiQL in a real browser (Debian's headless Chromium, driven by Playwright) against a real
`hdnd serve`: the first example answers, a token in the headers pane signs in, a mutation runs
and a subscription shows an event posted by someone else. Any request to another origin fails it.

The final screenshot is kept in $HDND_ARTIFACTS_DIR (default: artifacts/) for CI.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Page, Request, WebSocket, async_playwright, expect

from api.demo import demo_tokens
from api.graphiql import DEMO_GROUP_ID
from api.settings import Settings
from tests.api.test_subscriptions import WAIT, Server, serve
from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).is_file(),
    reason="Chromium is not installed (Debian: apt-get install -y chromium); .ci/run installs it",
)

POST = "mutation($g: ID!, $b: String!) { postToGroup(groupId: $g, body: $b) { post { id } } }"


def artifacts_dir() -> Path:
    folder = Path(os.environ.get("HDND_ARTIFACTS_DIR") or ROOT / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def set_headers(page: Page, headers: str) -> None:
    """Type into the headers pane as a person would (replacing what is there)."""
    await page.get_by_role("button", name="Headers").click()
    editor = page.locator('.monaco-editor[data-uri$="request-headers.json"]')
    await editor.click()
    await page.keyboard.press("ControlOrMeta+A")
    await page.keyboard.insert_text(headers)
    # The editor closes quotes and braces by itself: drop whatever it added after the cursor.
    await page.keyboard.press("Shift+ControlOrMeta+End")
    await page.keyboard.press("Delete")
    await expect(editor).to_contain_text("Bearer")


async def run(page: Page, operation: str | None = None) -> None:
    """Press ▶; with several operations in the tab, pick one from its menu."""
    await page.locator(".graphiql-execute-button").click()
    if operation is not None:
        await page.get_by_role("menuitem", name=operation).click()


async def test_graphiql_in_a_browser(db_url: str) -> None:
    settings = Settings(database_url=db_url, jwt_secret=TEST_SECRET, _env_file=None)  # type: ignore[call-arg]
    tokens = await demo_tokens(db_url, settings)  # also gives the demo accounts their roles
    delegate = {"Authorization": f"Bearer {tokens['DELEGATE']}"}

    async with serve(db_url) as server, async_playwright() as playwright:
        origin = f"http://127.0.0.1:{server.port}"
        elsewhere: list[str] = []

        def note_request(request: Request) -> None:
            parts = urlsplit(request.url)
            if (
                parts.scheme not in ("data", "blob")
                and f"{parts.scheme}://{parts.netloc}" != origin
            ):
                elsewhere.append(request.url)

        def note_websocket(socket: WebSocket) -> None:
            if not socket.url.startswith(f"ws://127.0.0.1:{server.port}/"):
                elsewhere.append(socket.url)

        browser = await playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("request", note_request)
            page.on("websocket", note_websocket)
            # Requests to another origin never reach the network either.
            await page.route(
                lambda url: not url.startswith(origin),
                lambda route: route.abort("blockedbyclient"),
            )
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))

            await page.goto(f"{origin}/graphql")
            response = page.locator(".graphiql-response")

            # The tour's first tab: find my delegate, anonymous.
            await expect(page.get_by_role("tab", name="FindMyDelegate")).to_be_visible()
            await run(page)
            await expect(response).to_contain_text("delegatesForUnit", timeout=WAIT * 1000)
            await expect(response).to_contain_text("Tổ đại biểu thành phố Vị Thanh")

            # The group channel's tab, signed in as the demo delegate (leader of group 1).
            await page.get_by_role("tab", name="GroupChannel").click()
            await set_headers(page, f'{{"Authorization": "Bearer {tokens["DELEGATE"]}"}}')
            await run(page, "PostToGroup")
            await expect(response).to_contain_text('"userErrors": []', timeout=WAIT * 1000)
            await expect(response).to_contain_text("Chào cả tổ / Hello, everyone")

            # The subscription: someone else posts while it runs; the event shows.
            await run(page, "GroupPosts")
            await _wait_for_subscription(server)
            body = "Họp tổ lúc 14 giờ / Group meeting at 2 pm"
            posted = await server.gql(POST, {"g": DEMO_GROUP_ID, "b": body}, delegate)
            assert "errors" not in posted, posted
            await expect(response).to_contain_text(body, timeout=WAIT * 1000)
            await expect(response).to_contain_text("groupPosts")

            await page.screenshot(path=artifacts_dir() / "graphiql.png")
            assert errors == []
        finally:
            await browser.close()
    assert elsewhere == [], f"requests left the origin: {elsewhere}"


async def _wait_for_subscription(server: Server) -> None:
    # The post must come after the subscription is registered, or there is nothing to see.
    await server.wait_subscriptions(1)
