"""GraphiQL served from the service's own origin, opening on a tour of the app's screens.

The page's script and styles are built from npm packages at exact pins by `bash web/build`
into api/static/graphiql/ (committed): nothing is fetched from another origin, so GraphiQL
works on an intranet with no internet. The tour below is the page's content; a test parses
and validates every operation in it against the schema so the examples cannot rot.
"""

import html
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static" / "graphiql"
STATIC_PATH = "/static/graphiql"

# Demo data's ids (global ids are base64 of "Type:pk"): the first group, the first session.
DEMO_GROUP_ID = "RGVsZWdhdGVHcm91cDox"
DEMO_SESSION_ID = "U2Vzc2lvbjox"


@dataclass(frozen=True)
class Screen:
    """One tab of the tour: a screen of the app, its named operations and their variables."""

    title: str  # "Vietnamese / English", shown as the document's first line
    document: str
    variables: dict[str, Any] = field(default_factory=dict)

    def query(self) -> str:
        # The title on two lines (Vietnamese, then English) so it fits the editor's width.
        heading = "".join(f"# {part}\n" for part in self.title.split(" / "))
        return f"{heading}{self.document.strip()}\n"


TOUR: tuple[Screen, ...] = (
    Screen(
        "Tìm đại biểu của tôi theo mã xã, phường / Find my delegate by commune code",
        """
# Không cần đăng nhập. Bấm ▶ (Ctrl-Enter) để chạy.
# No sign-in needed. Press ▶ (Ctrl-Enter) to run.
query FindMyDelegate {
  delegatesForUnit(code: "31318") {
    id
    fullName
    title
    constituency { name }
    group { id name }
  }
}
""",
    ),
    Screen(
        "Gửi và theo dõi kiến nghị / Submit and track a petition",
        """
# SubmitPetition cần token công dân ở khung Headers; TrackPetition thì không.
# SubmitPetition needs a citizen's token in the Headers pane; TrackPetition does not.
mutation SubmitPetition($input: SubmitPetitionInput!) {
  submitPetition(input: $input) {
    petition { id trackingCode status group { name } }
    userErrors { field code message }
  }
}

# Dán trackingCode vừa nhận vào biến `code` / Put the trackingCode you got into `code`.
query TrackPetition($code: String!) {
  petitionByTrackingCode(code: $code) {
    trackingCode
    status
    submittedAt
    timeline { at status note }
    answer { body respondent answeredAt }
  }
}

# Nhận từng bước xử lý ngay khi xảy ra / Each step of its handling as it happens.
subscription PetitionEvents($petitionId: ID!) {
  petitionEvents(petitionId: $petitionId) { at status actorRole note }
}
""",
        {
            "input": {
                "title": "Đèn đường hỏng trên đường 3 Tháng 2",
                "content": "Ba cột đèn trước chợ Phường I không sáng từ đầu tháng, đi đêm rất nguy hiểm.",
                "category": "INFRASTRUCTURE_TRANSPORT",
                "communeCode": "31318",
            },
            "code": "",
            "petitionId": "",
        },
    ),
    Screen(
        "Kiến nghị của tôi / My petitions",
        """
# Token công dân ở khung Headers / A citizen's token in the Headers pane.
query MyPetitions {
  myPetitions(first: 10) {
    totalCount
    nodes { id trackingCode title status isOverdue submittedAt }
  }
}
""",
    ),
    Screen(
        "Hộp thư kiến nghị của đại biểu / A delegate's inbox",
        """
# Token đại biểu (DELEGATE) hoặc văn phòng (STAFF) / A DELEGATE's or STAFF token.
query DelegateInbox {
  inbox(status: SUBMITTED, first: 10) {
    totalCount
    nodes {
      id
      trackingCode
      title
      isOverdue
      commune { name }
      submitter { fullName phone }
    }
  }
}

mutation AcknowledgePetition($id: ID!) {
  acknowledgePetition(id: $id, note: "Đã tiếp nhận / Received") {
    petition { trackingCode status }
    userErrors { code message }
  }
}
""",
        {"id": ""},
    ),
    Screen(
        "Chất lượng tham gia kỳ họp / A session's compliance",
        """
# Các kỳ họp (không cần đăng nhập) / Sessions (no sign-in needed).
query Sessions {
  sessions(first: 5) {
    nodes { id number title status startsOn requiredDiscussions requiredQuestions }
  }
}

# Token đại biểu, STAFF, MONITOR hoặc ADMIN / A DELEGATE, STAFF, MONITOR or ADMIN token.
query SessionCompliance($sessionId: ID!) {
  sessionCompliance(sessionId: $sessionId) {
    session { title }
    delegateCount
    compliantCount
    notYetCount
    excusedCount
    groups { group { name } delegateCount compliantCount notYetCount excusedCount }
  }
}
""",
        {"sessionId": DEMO_SESSION_ID},
    ),
    Screen(
        "Kênh trao đổi của tổ đại biểu / A delegate group's channel",
        """
# Token của thành viên tổ (đại biểu mẫu: DELEGATE) / A group member's token (demo: DELEGATE).
query GroupChannel($groupId: ID!) {
  node(id: $groupId) {
    ... on DelegateGroup {
      name
      posts(first: 10) { nodes { authorName body createdAt } }
    }
  }
}

mutation PostToGroup($groupId: ID!, $body: String!) {
  postToGroup(groupId: $groupId, body: $body) {
    post { id authorName body createdAt }
    userErrors { code message }
  }
}

# Bài mới hiện ngay khi có người đăng / New posts appear as they are made.
subscription GroupPosts($groupId: ID!) {
  groupPosts(groupId: $groupId) { id authorName body createdAt }
}
""",
        {"groupId": DEMO_GROUP_ID, "body": "Chào cả tổ / Hello, everyone"},
    ),
)

HEADERS_NOTE = """\
// Đăng nhập: dán token vào "Authorization" (lệnh `hdnd serve` in sẵn token mẫu).
// Sign in: put a token in "Authorization" (`hdnd serve` prints demo tokens).
// {"Authorization": "Bearer <token>"}
{}
"""


@cache
def manifest() -> dict[str, str]:
    """File names of the build (content-hashed), written by `bash web/build` beside the folder."""
    loaded: dict[str, str] = json.loads((STATIC_DIR.parent / "graphiql.json").read_text())
    return loaded


def page_config() -> dict[str, Any]:
    """What the page's script reads: the tour's tabs, the headers note, the workers."""
    files = manifest()
    return {
        "tabs": [
            {
                "query": screen.query(),
                "variables": json.dumps(screen.variables, ensure_ascii=False, indent=2)
                if screen.variables
                else "",
                "headers": HEADERS_NOTE,
            }
            for screen in TOUR
        ],
        "headers": HEADERS_NOTE,
        "workers": {name: f"{STATIC_PATH}/{files[name]}" for name in ("editor", "json", "graphql")},
    }


# Everything from this origin: a stray CDN or font link would be blocked, not just missed.
# Monaco and React set inline styles; workers load from here; fonts are data: URLs.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        "worker-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)


def page() -> str:
    """The HTML of the GraphiQL page."""
    files = manifest()
    # `</` can't end the JSON's script element early once it is escaped.
    config = json.dumps(page_config(), ensure_ascii=False).replace("</", "<\\/")
    css = html.escape(f"{STATIC_PATH}/{files['css']}")
    js = html.escape(f"{STATIC_PATH}/{files['js']}")
    return f"""<!doctype html>
<html lang="vi">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>HĐND Hậu Giang — GraphiQL</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="{css}">
    <style>body {{ margin: 0; }} #graphiql {{ height: 100vh; }}</style>
  </head>
  <body>
    <div id="graphiql">Đang tải GraphiQL… / Loading GraphiQL…</div>
    <script id="hdnd-graphiql-config" type="application/json">{config}</script>
    <script type="module" src="{js}"></script>
  </body>
</html>
"""


def render(request: Request) -> Response:
    """The page, with a policy keeping every request on this origin."""
    return HTMLResponse(page(), headers={"Content-Security-Policy": CSP})


class ImmutableStaticFiles(StaticFiles):
    """The build's files: their names change with their content, so they are cached for good."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_cached(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 200:
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (b"cache-control", b"public, max-age=31536000, immutable"),
                ]
            await send(message)

        await super().__call__(scope, receive, send_cached)


def static_files() -> ImmutableStaticFiles:
    return ImmutableStaticFiles(directory=STATIC_DIR)
