"""The `hdnd` command: serve, migrate, seed, export-schema, load-directory, token, grant,
apikey."""

import asyncio
import errno
import os
import secrets
import socket
import sys
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from api.embedded import EmbeddedDatabaseError, EmbeddedPostgres
from api.identity import issue_token
from api.oneshot import oneshot_engine, oneshot_transaction
from api.settings import Settings, get_settings

app = typer.Typer(
    help="HĐND tỉnh Hậu Giang: GraphQL API cho App Hậu Giang.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
T = TypeVar("T")


def fail(message: str) -> typer.Exit:
    """Print one clear sentence on stderr and leave with status 1."""
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(code=1)


Work = Callable[[str], Coroutine[Any, Any, T]]


def run_db(url: str, work: Work[T]) -> T:
    """Run `work(url)`, turning an unreachable database into one sentence."""
    try:
        return asyncio.run(work(url))
    except (OSError, OperationalError, InterfaceError, DBAPIError, TimeoutError) as exc:
        raise fail(
            "Không kết nối được cơ sở dữ liệu PostgreSQL (HDND_DATABASE_URL): "
            f"{type(exc).__name__}. Kiểm tra địa chỉ, cổng, tài khoản và máy chủ đang chạy."
        ) from exc


class Database:
    """The configured PostgreSQL, or the embedded one started for this command."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.embedded: EmbeddedPostgres | None = None

    def __enter__(self) -> str:
        if self.settings.database_url:
            return self.settings.database_url
        self.embedded = EmbeddedPostgres(self.settings.data_dir)
        try:
            return self.embedded.start()
        except EmbeddedDatabaseError as exc:
            raise fail(str(exc)) from exc

    def __exit__(self, *exc: object) -> None:
        if self.embedded is not None:
            self.embedded.stop()


def run_migrated(work: Work[T]) -> T:
    """`work` on the configured (or embedded) database once migrated; a refusal from db/ (a
    bad data file, a key name taken) becomes its one sentence."""
    from db.refused import Refused

    with Database(get_settings()) as url:
        run_db(url, _migrate)
        try:
            return run_db(url, work)
        except Refused as exc:
            raise fail(exc.message) from exc


async def _migrate(url: str) -> None:
    from db.migrate import upgrade

    async with oneshot_engine(url) as engine:
        await upgrade(engine)


async def _seed_demo(url: str, *, only_if_empty: bool) -> bool:
    from db.council.load import DEMO_DIRECTORY, is_empty, load_directory
    from db.seed import seed_demo_extras

    async with oneshot_transaction(url) as session:
        if only_if_empty and not await is_empty(session):
            return False
        await load_directory(session, DEMO_DIRECTORY)
        await seed_demo_extras(session)
    return True


def dev_secret(settings: Settings) -> Settings:
    """Settings with a JWT secret: the configured one, or one kept in the data directory."""
    if settings.jwt_secret:
        return settings
    path = settings.data_dir / "jwt-secret"
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        secret = path.read_text().strip()
    except OSError as exc:
        raise fail(f"Không ghi được khóa phát triển vào {path} ({exc.strerror}).") from exc
    return settings.model_copy(update={"jwt_secret": secret})


def check_port(host: str, port: int) -> None:
    """Refuse early, in one sentence, when the port is taken."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise fail(
                    f"Cổng {port} trên {host} đang bị chiếm; dùng --port hoặc HDND_PORT khác."
                ) from exc
            raise fail(f"Không mở được {host}:{port} ({exc.strerror}).") from exc


def print_welcome(
    host: str,
    port: int,
    settings: Settings,
    *,
    embedded: bool,
    seeded: bool,
    tokens: dict[str, str],
) -> None:
    """What a newcomer needs: the address, what to try first, tokens for each role."""
    address = f"http://{host}:{port}/graphql"
    typer.echo("")
    typer.secho(
        f"HĐND API sẵn sàng: {address}  (GraphiQL trong trình duyệt)",
        fg=typer.colors.GREEN,
        bold=True,
    )
    where = f"PostgreSQL nhúng trong {settings.data_dir}" if embedded else "HDND_DATABASE_URL"
    typer.echo(f"  Cơ sở dữ liệu: {where}")
    if seeded:
        typer.echo("  Đã nạp dữ liệu mẫu: 8 Tổ đại biểu, 50 đại biểu, các kỳ họp của khóa X.")
    typer.echo(
        "  Thử ngay: query DelegateGroups { delegateGroups { name areas { name } memberCount } }"
    )
    for role, token in tokens.items():
        typer.echo(f"  Token {role}: {token}")
    if tokens:
        typer.echo('  Dán vào ô Headers của GraphiQL: {"Authorization": "Bearer <token>"}')
    typer.echo("  Dừng: Ctrl-C (cơ sở dữ liệu nhúng được tắt gọn, dữ liệu được giữ lại)")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (HDND_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (HDND_PORT).")] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Also with HDND_DATABASE_URL: demo data and tokens.")
    ] = False,
) -> None:
    """Start the service: migrate, load the demo data on an empty database, serve GraphQL."""
    import uvicorn

    from api.app import create_app
    from api.demo import demo_tokens
    from api.guard import MAX_BODY

    settings = get_settings()
    host = host or settings.host
    port = port if port is not None else settings.port
    check_port(host, port)
    with Database(settings) as url:
        embedded = settings.database_url is None
        run_db(url, _migrate)
        # Demo data only where a newcomer tries things out: the embedded database, or on request.
        seeded = (
            run_db(url, lambda u: _seed_demo(u, only_if_empty=True)) if embedded or demo else False
        )
        settings = dev_secret(settings)
        tokens = run_db(url, lambda u: demo_tokens(u, settings)) if embedded or demo else {}
        print_welcome(host, port, settings, embedded=embedded, seeded=seeded, tokens=tokens)
        uvicorn.run(
            create_app(settings, database_url=url, worker=settings.serve_worker),
            host=host,
            port=port,
            log_level=settings.log_level.lower(),
            log_config=None,  # keep the JSON-lines logging set up in main()
            access_log=False,  # api.guard writes the access log, without query strings
            ws="websockets-sansio",
            ws_max_size=MAX_BODY,  # a WebSocket message is bounded like a POST body (1 MiB)
            **proxy_options(os.environ),
        )


def proxy_options(environ: Mapping[str, str]) -> dict[str, Any]:
    """uvicorn's proxy settings: `X-Forwarded-For` believed only from the addresses in
    `FORWARDED_ALLOW_IPS`. Unset, no one is believed, 127.0.0.1 included (uvicorn's own default
    trusts it, which let any local client choose its rate-limit identity)."""
    allowed = environ.get("FORWARDED_ALLOW_IPS", "").strip()
    if not allowed:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": allowed}


@app.command()
def worker() -> None:
    """Deliver notifications (push, Zalo) from the outbox until stopped (Ctrl+C, SIGTERM)."""
    from api.worker import OutboxWorker

    settings = get_settings()

    async def work(url: str) -> None:
        import signal

        from db.engine import make_engine, make_sessionmaker

        engine = make_engine(url, pool_size=2, statement_timeout=settings.statement_timeout)
        runner = OutboxWorker(make_sessionmaker(engine), settings)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        # Said once the worker listens for its stop signal (and flushed: stdout may be a pipe).
        typer.echo(
            "Đang gửi thông báo qua: "
            + (
                ", ".join(channels)
                if channels
                else "chưa cấu hình kênh nào (thông báo được bỏ qua)"
            )
        )
        sys.stdout.flush()
        try:
            await runner.run(stop)
        finally:
            await runner.aclose()
            await engine.dispose()

    channels = [
        name
        for name, on in (
            ("push", settings.push_url and settings.push_secret),
            ("Zalo", settings.zalo_access_token),
        )
        if on
    ]
    with Database(settings) as url:
        run_db(url, _migrate)
        run_db(url, work)


@app.command()
def migrate() -> None:
    """Apply every pending database migration."""
    with Database(get_settings()) as url:
        run_db(url, _migrate)
    typer.echo("Đã áp dụng mọi bản chuyển đổi cơ sở dữ liệu.")


@app.command()
def seed(
    demo: Annotated[
        bool, typer.Option("--demo", help="Load the demo directory and demo records.")
    ] = False,
    petitions: Annotated[
        int,
        typer.Option(
            "--petitions", min=0, help="Add N realistic petitions (COPY, for benchmarks)."
        ),
    ] = 0,
) -> None:
    """Fill the database with demo data and/or N generated petitions."""
    if not demo and not petitions:
        raise fail(
            "Chọn dữ liệu cần nạp, ví dụ: hdnd seed --demo hoặc hdnd seed --petitions 1000000."
        )
    with Database(get_settings()) as url:
        run_db(url, _migrate)
        if demo:
            run_db(url, lambda u: _seed_demo(u, only_if_empty=False))
            typer.echo("Đã nạp dữ liệu mẫu.")
        if petitions:
            from api.seeding import seed_petitions

            run_db(url, lambda u: seed_petitions(u, petitions))


@app.command("load-directory")
def load_directory_command(
    path: Annotated[
        Path, typer.Argument(help="Folder of directory data files (see db/data/demo/README.md).")
    ],
) -> None:
    """Load units, groups, constituencies, committees, delegates and sessions from data files."""
    from db.council.load import load_directory

    if not path.is_dir():
        raise fail(f"Không có thư mục {path}.")

    async def work(url: str) -> str:
        async with oneshot_transaction(url) as session:
            return str(await load_directory(session, path))

    summary = run_migrated(work)
    typer.echo(f"Đã nạp: {summary}")


@app.command("export-schema")
def export_schema() -> None:
    """Print the GraphQL schema (SDL)."""
    from schema import schema

    sys.stdout.write(schema.as_str() + "\n")


@app.command()
def token(
    sub: Annotated[str, typer.Argument(help="The account's subject (`sub`).")],
    name: Annotated[str | None, typer.Option(help="`name` claim.")] = None,
    phone: Annotated[str | None, typer.Option(help="`phone_number` claim.")] = None,
    ttl: Annotated[int, typer.Option(help="Lifetime in seconds.")] = 3600,
) -> None:
    """Print a JWT signed with the configured key (HDND_JWT_SECRET or the dev key)."""
    settings = dev_secret(get_settings())
    typer.echo(issue_token(settings, sub, name=name, phone=phone, ttl_seconds=ttl))


@app.command()
def grant(
    sub: Annotated[str, typer.Argument(help="The account's subject (`sub`).")],
    role: Annotated[
        str, typer.Argument(help="CITIZEN, DELEGATE, STAFF, MONITOR, ADMIN or AGENCY.")
    ],
    delegate: Annotated[
        str | None, typer.Option(help="The delegate's GraphQL id (role DELEGATE).")
    ] = None,
    agency: Annotated[
        str | None,
        typer.Option(help="The agency's code in agencies.csv, e.g. SO-XAYDUNG (role AGENCY)."),
    ] = None,
) -> None:
    """Give an account a role."""
    from db.accounts import grant_role
    from db.agencies.reads import agency_by_code
    from db.audit import audit
    from db.viewer import ANONYMOUS, Role
    from schema.relay import pk_of

    try:
        wanted = Role(role.upper())
    except ValueError as exc:
        raise fail(
            f"Vai trò «{role}» không hợp lệ; chọn CITIZEN, DELEGATE, STAFF, MONITOR, ADMIN "
            "hoặc AGENCY."
        ) from exc
    delegate_id: int | None = None
    if delegate is not None:
        delegate_id = pk_of(delegate, "Delegate")
        if delegate_id is None:
            raise fail(f"«{delegate}» không phải mã đại biểu (Delegate.id) hợp lệ.")

    async def work(url: str) -> None:
        async with oneshot_transaction(url) as session:
            agency_id = None
            if agency is not None:
                found = await agency_by_code(session, agency)
                if found is None:
                    raise ValueError(f"Không có cơ quan mã «{agency}».")
                agency_id = found.id
            account = await grant_role(session, sub, wanted, delegate_id, agency_id=agency_id)
            # Role changes are security events: kept in the append-only log (ids only).
            await audit(
                session,
                ANONYMOUS,
                "account.grant",
                "Account",
                account.id,
                details={"role": wanted.value, "delegate_id": delegate_id, "agency_id": agency_id},
            )

    with Database(get_settings()) as url:
        try:
            run_db(url, work)
        except ValueError as exc:
            raise fail(str(exc)) from exc
    typer.echo(f"Đã gán vai trò {wanted.value} cho {sub}.")


outbox_app = typer.Typer(
    help="The notification outbox: its state, and dead letters.", no_args_is_help=True
)
app.add_typer(outbox_app, name="outbox")


@outbox_app.command("status")
def outbox_status() -> None:
    """How many notifications are pending, delivered, dead, skipped."""
    from db.outbox.queue import counts

    async def work(url: str) -> dict[str, int]:
        async with oneshot_transaction(url) as session:
            return await counts(session)

    with Database(get_settings()) as url:
        found = run_db(url, work)
    for state, n in found.items():
        typer.echo(f"{state:10s} {n}")


@outbox_app.command("retry")
def outbox_retry() -> None:
    """Send every dead letter again, with a fresh set of attempts (after fixing the receiver)."""
    from db import clock
    from db.outbox.queue import requeue_dead

    async def work(url: str) -> int:
        async with oneshot_transaction(url) as session:
            return await requeue_dead(session, clock.now())

    with Database(get_settings()) as url:
        n = run_db(url, work)
    typer.echo(f"Đã đưa {n} thông báo lỗi vào hàng đợi gửi lại.")


apikey_app = typer.Typer(
    help="Integrator API keys (header X-API-Key): public data only.", no_args_is_help=True
)
app.add_typer(apikey_app, name="apikey")


@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Argument(help="Who the key is for, e.g. «Cổng dữ liệu mở».")],
) -> None:
    """Make a key and print it once, alone on the last line; only its hash is kept."""
    from db.audit import audit
    from db.integrators import NewApiKey, create_api_key
    from db.viewer import ANONYMOUS

    async def work(url: str) -> NewApiKey:
        async with oneshot_transaction(url) as session:
            made = await create_api_key(session, name)
            await audit(session, ANONYMOUS, "api_key.create", "ApiKey", made.row.id)
            return made

    made = run_migrated(work)
    typer.echo(f"Đã tạo khóa API «{made.row.name}». Chỉ hiện một lần, hãy lưu ngay:")
    typer.echo(made.secret)


@apikey_app.command("revoke")
def apikey_revoke(
    name: Annotated[str, typer.Argument(help="Name the key was made with.")],
) -> None:
    """Revoke the working key of this name; it stops working at once."""
    from db.audit import audit
    from db.integrators import revoke_api_key
    from db.viewer import ANONYMOUS

    async def work(url: str) -> bool:
        async with oneshot_transaction(url) as session:
            row = await revoke_api_key(session, name)
            if row is not None:
                await audit(session, ANONYMOUS, "api_key.revoke", "ApiKey", row.id)
            return row is not None

    revoked = run_migrated(work)
    if not revoked:
        raise fail(f"Không có khóa đang dùng tên «{name}».")
    typer.echo(f"Đã thu hồi khóa API «{name}».")


def main() -> None:
    from pydantic import ValidationError

    from api.logs import setup_logging

    try:
        settings = get_settings()
    except ValidationError as exc:
        # One sentence per bad variable, never its value (it may be a secret).
        problems = "; ".join(
            f"HDND_{'_'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        )
        typer.secho(f"Cấu hình không hợp lệ — {problems}", err=True, fg=typer.colors.RED)
        raise SystemExit(1) from None
    setup_logging(settings.log_level)
    app()


if __name__ == "__main__":
    main()
