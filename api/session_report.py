"""The consolidated report of a session's voters' petitions as documents, for STAFF, MONITOR and
ADMIN: `GET /reports/sessions/{id}/petitions.docx` (Word, in the usual administrative layout)
and `.../petitions.xlsx` (a spreadsheet). Both read db.meetings.report, like the GraphQL query
`sessionPetitionReport`, so the numbers agree.

Admitted like the compliance CSV (api.reports): the same credentials check and rate limit
(api.identity.admit), the same readers, the same deadline and 503 when the database is away.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.identity import AuthenticationError, BadDeviceId, Throttled, admit
from api.ratelimit import RateLimiter
from api.report_documents import render_docx, render_xlsx
from api.reports import READERS, _bad_parameters, _problem
from api.settings import Settings
from db import clock
from db.availability import RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE, database_unavailable
from db.clock import local_date
from db.engine import Sessionmaker
from db.meetings.report import SessionReport, session_petition_report
from db.tables import CouncilSession
from db.viewer import ViewerKind
from schema.deadlines import DEADLINE_MESSAGE
from schema.limits import is_timeout
from schema.relay import pk_of

log = logging.getLogger("hdnd.reports")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _admitted(request: Request) -> Response | None:
    """None when the caller may read reports; else the answer refusing them (as api.reports)."""
    settings: Settings = request.app.state.settings
    sessionmaker: Sessionmaker = request.app.state.sessionmaker
    limiter: RateLimiter = request.app.state.limiter
    client_host = request.client.host if request.client else None
    if _bad_parameters(request):
        return _problem(400, "Tham số của yêu cầu chứa ký tự không hợp lệ (NUL hoặc mã lẻ).")
    try:
        identity = await admit(settings, sessionmaker, limiter, request.headers, client_host)
    except AuthenticationError as exc:
        return _problem(401, str(exc), **{"WWW-Authenticate": 'Bearer error="invalid_token"'})
    except BadDeviceId as exc:
        return _problem(400, str(exc))
    except Throttled as exc:
        request.state.rate_limit = exc.quota
        return _problem(
            429,
            f"Quá nhiều yêu cầu; hãy thử lại sau {exc.retry_after} giây.",
            **{"Retry-After": str(exc.retry_after)},
        )
    request.state.rate_limit = identity.quota
    if identity.viewer.kind is ViewerKind.INTEGRATOR:
        return _problem(403, "Khóa API chỉ xem được dữ liệu công khai.")
    viewer = await identity.resolved_viewer(sessionmaker)
    if not viewer.is_signed_in:
        return _problem(401, "Cần đăng nhập để tải báo cáo.", **{"WWW-Authenticate": "Bearer"})
    if not viewer.has_role(*READERS):
        return _problem(403, "Chỉ Ban Pháp chế, Văn phòng HĐND và quản trị tải được báo cáo này.")
    return None


def _document(
    render: Callable[[SessionReport, date], bytes], suffix: str, media_type: str
) -> Callable[[Request], Awaitable[Response]]:
    async def handler(request: Request) -> Response:
        settings: Settings = request.app.state.settings
        deadline = asyncio.timeout(settings.request_timeout)
        try:
            async with deadline:
                refused = await _admitted(request)
                if refused is not None:
                    return refused
                session_pk = pk_of(request.path_params["id"], "Session")
                if session_pk is None:
                    return _problem(404, "Không tìm thấy kỳ họp.")
                sessionmaker: Sessionmaker = request.app.state.sessionmaker
                async with sessionmaker() as session:
                    found = await session.get(CouncilSession, session_pk)
                    if found is None:
                        return _problem(404, "Không tìm thấy kỳ họp.")
                    report = await session_petition_report(session, found)
                body = render(report, local_date(clock.now()))
        except Exception as exc:
            if deadline.expired() or is_timeout(exc):
                log.warning("report deadline passed", extra={"path": request.url.path})
                request.scope.setdefault("state", {}).setdefault("error_codes", []).append(
                    "TIMEOUT"
                )
                return _problem(503, DEADLINE_MESSAGE, **{"Retry-After": "1"})
            if not database_unavailable(exc):
                raise
            log.warning("database unavailable", extra={"path": request.url.path})
            return _problem(503, UNAVAILABLE_MESSAGE, **{"Retry-After": str(RETRY_AFTER_SECONDS)})
        filename = f"tong-hop-kien-nghi-ky-hop-{found.number}.{suffix}"
        return Response(
            body,
            media_type=media_type,
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "no-store",
            },
        )

    return handler


def session_report_routes() -> list[Route]:
    """The routes of the report's documents, registered by create_app."""
    return [
        Route(
            "/reports/sessions/{id}/petitions.docx",
            _document(render_docx, "docx", DOCX),
            methods=["GET"],
        ),
        Route(
            "/reports/sessions/{id}/petitions.xlsx",
            _document(render_xlsx, "xlsx", XLSX),
            methods=["GET"],
        ),
    ]
