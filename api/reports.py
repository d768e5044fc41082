"""Spreadsheet exports for the Legal Affairs Committee (Ban Pháp chế).

`GET /reports/sessions/{id}/compliance.csv`: a session's compliance, one row per delegate
serving during it, for MONITOR, STAFF and ADMIN. UTF-8 with a BOM so Excel shows Vietnamese
correctly; the same numbers as `sessionCompliance` (the same db function).

Like a GraphQL request, the whole report (credentials included) ends within
HDND_REQUEST_TIMEOUT, and each statement within HDND_STATEMENT_TIMEOUT: past either, 503 with
`Retry-After: 1` (its connections given back), never a hung download.
"""

import asyncio
import csv
import io
import logging

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.identity import AuthenticationError, BadDeviceId, Throttled, admit
from api.ratelimit import RateLimiter
from api.settings import Settings
from db.availability import RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE, database_unavailable
from db.compliance import session_compliance
from db.council import groups_by_ids, sessions_by_ids
from db.engine import Sessionmaker
from db.enums.sessions import ComplianceStatus
from db.storable import unstorable_at
from db.viewer import Role, ViewerKind
from schema.deadlines import DEADLINE_MESSAGE
from schema.limits import is_timeout
from schema.relay import pk_of

log = logging.getLogger("hdnd.reports")
READERS = (Role.MONITOR, Role.STAFF, Role.ADMIN)
STATUS_LABEL = {
    ComplianceStatus.MET: "Đạt",
    ComplianceStatus.NOT_YET: "Chưa đạt",
    ComplianceStatus.EXCUSED: "Vắng có lý do",
}
HEADER = [
    "Tổ đại biểu",
    "Họ và tên",
    "Thảo luận",
    "Chất vấn",
    "Đạt chỉ tiêu",
    "Trạng thái",
    "Lý do vắng",
]


def _cell(value: object) -> str:
    """Text a spreadsheet shows as typed: a leading =, +, - or @ would run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _problem(status: int, message: str, **headers: str) -> Response:
    return Response(
        message, status_code=status, media_type="text/plain; charset=utf-8", headers=headers
    )


def _bad_parameters(request: Request) -> bool:
    """True when a path or query parameter holds text PostgreSQL cannot store (NUL...)."""
    given = [*request.path_params.items(), *request.query_params.multi_items()]
    return unstorable_at(given) is not None


async def compliance_csv(request: Request) -> Response:
    """The report; 503 with Retry-After past the deadline or while the database cannot be
    reached."""
    settings: Settings = request.app.state.settings
    deadline = asyncio.timeout(settings.request_timeout)
    try:
        async with deadline:
            return await _compliance_csv(request)
    except Exception as exc:
        if deadline.expired() or is_timeout(exc):
            # Cancelled by the deadline (or a statement by its timeout): sessions were closed.
            log.warning("report deadline passed", extra={"path": request.url.path})
            request.scope.setdefault("state", {}).setdefault("error_codes", []).append("TIMEOUT")
            return _problem(503, DEADLINE_MESSAGE, **{"Retry-After": "1"})
        if not database_unavailable(exc):
            raise
        log.warning("database unavailable", extra={"path": request.url.path})
        return _problem(503, UNAVAILABLE_MESSAGE, **{"Retry-After": str(RETRY_AFTER_SECONDS)})


async def _compliance_csv(request: Request) -> Response:
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
        request.state.rate_limit = exc.quota  # the RateLimit-* headers (api.guard)
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
    session_pk = pk_of(request.path_params["id"], "Session")
    if session_pk is None:
        return _problem(404, "Không tìm thấy kỳ họp.")
    async with sessionmaker() as session:
        found = (await sessions_by_ids(session, [session_pk])).get(session_pk)
        if found is None:
            return _problem(404, "Không tìm thấy kỳ họp.")
        standing = await session_compliance(session, session_pk)
        groups = await groups_by_ids(session, [g for g, _ in standing.groups])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for d in standing.delegates:
        group = groups.get(d.delegate.group_id)
        writer.writerow(
            [
                _cell(group.name if group else ""),
                _cell(d.delegate.full_name),
                d.discussions,
                d.questions,
                "Có" if d.meets_quota else "Không",
                STATUS_LABEL[d.status],
                _cell(d.excuse_reason),
            ]
        )
    total = standing.total
    writer.writerow([])
    writer.writerow(["Tổng số đại biểu phải thực hiện", total.delegate_count])
    writer.writerow(["Đạt chỉ tiêu", total.compliant_count])
    writer.writerow(["Chưa đạt", total.not_yet_count])
    writer.writerow(["Vắng có lý do", total.excused_count])
    body = "\ufeff" + out.getvalue()
    filename = f"tuan-thu-ky-hop-{found.number}.csv"
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def report_routes() -> list[Route]:
    """The report routes, registered by create_app."""
    return [Route("/reports/sessions/{id}/compliance.csv", compliance_csv, methods=["GET"])]
