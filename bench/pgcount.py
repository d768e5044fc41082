"""Counts the SQL statements a server sends to PostgreSQL, by reading the wire protocol.

The machine's PostgreSQL does not load pg_stat_statements (that needs a server restart), and
pg_stat_database counts transactions and rows, not statements. So during a short counting pass
the server under test connects through this proxy, which reads the frontend messages: every
simple `Query` and every extended-protocol `Execute` is one statement executed by PostgreSQL
(a `Parse` alone is not: asyncpg and node-postgres prepare once per connection and then only
bind and execute). Transaction control (BEGIN, COMMIT, ...) and empty queries (a pool's ping) are
counted apart, and every `Sync` or
simple `Query` is one round trip. The proxy is pure Python, so it is used only in the counting
pass, never while wrk measures throughput.
"""

import asyncio
import contextlib
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

SSL_REQUEST = 80877103
GSSENC_REQUEST = 80877104
TRANSACTION_CONTROL = {"BEGIN", "START", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"}


@dataclass
class Tally:
    """What the servers sent while counting was on."""

    statements: int = 0
    transaction_control: int = 0
    pings: int = 0
    round_trips: int = 0
    texts: Counter[str] = field(default_factory=Counter)


def _first_word(sql: str) -> str:
    words = sql.lstrip(" \t\r\n(").split(None, 1)
    return words[0].upper().rstrip(";") if words else ""


class Connection:
    """One client connection's parser state: prepared statements and portals by name."""

    def __init__(self, proxy: "CountingProxy") -> None:
        self.proxy = proxy
        self.statements: dict[bytes, str] = {}
        self.portals: dict[bytes, str] = {}

    def message(self, kind: bytes, body: bytes) -> None:
        if kind == b"Q":
            self.proxy.executed(body.rstrip(b"\0").decode("utf-8", "replace"), round_trip=True)
        elif kind == b"P":
            name, rest = body.split(b"\0", 1)
            self.statements[name] = rest.split(b"\0", 1)[0].decode("utf-8", "replace")
        elif kind == b"B":
            portal, statement, _ = body.split(b"\0", 2)
            self.portals[portal] = self.statements.get(statement, "?")
        elif kind == b"E":
            portal = body.split(b"\0", 1)[0]
            self.proxy.executed(self.portals.get(portal, "?"), round_trip=False)
        elif kind == b"S":
            self.proxy.round_trip()
        elif kind == b"C" and body[:1] == b"S":  # Close of a prepared statement
            self.statements.pop(body[1:].rstrip(b"\0"), None)


class CountingProxy:
    """A TCP proxy on 127.0.0.1 in front of PostgreSQL (TCP or Unix socket) that counts
    statements while `counting` is on. Runs its own event loop in a daemon thread."""

    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        host = parse_qs(parts.query).get("host", [parts.hostname or "127.0.0.1"])[0]
        self.upstream_port = parts.port or 5432
        self.upstream_host = host
        self.port = 0
        self.counting = False
        self.tally = Tally()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    # -- counting -------------------------------------------------------------------------
    def executed(self, sql: str, *, round_trip: bool) -> None:
        if not self.counting:
            return
        with self._lock:
            word = _first_word(sql)
            if word in TRANSACTION_CONTROL:
                self.tally.transaction_control += 1
            elif not word:  # an empty query: a pool's liveness check on checkout
                self.tally.pings += 1
            else:
                self.tally.statements += 1
                self.tally.texts[" ".join(sql.split())[:120]] += 1
            if round_trip:
                self.tally.round_trips += 1

    def round_trip(self) -> None:
        if self.counting:
            with self._lock:
                self.tally.round_trips += 1

    def start_counting(self) -> None:
        with self._lock:
            self.tally = Tally()
        self.counting = True

    def stop_counting(self) -> Tally:
        self.counting = False
        with self._lock:
            return self.tally

    # -- plumbing ---------------------------------------------------------------------------
    def start(self) -> int:
        self._thread.start()
        self._ready.wait(10)
        return self.port

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0, limit=1 << 20)
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _open_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.upstream_host.startswith("/"):
            path = f"{self.upstream_host}/.s.PGSQL.{self.upstream_port}"
            return await asyncio.open_unix_connection(path, limit=1 << 20)
        return await asyncio.open_connection(self.upstream_host, self.upstream_port, limit=1 << 20)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await self._open_upstream()
        except OSError:
            writer.close()
            return
        back = asyncio.ensure_future(self._pipe(up_reader, writer))
        try:
            await self._client_to_server(reader, writer, up_writer)
        except (OSError, asyncio.IncompleteReadError):
            pass
        finally:
            up_writer.close()
            with contextlib.suppress(OSError, asyncio.CancelledError):
                await back
            writer.close()

    async def _client_to_server(
        self,
        reader: asyncio.StreamReader,
        client: asyncio.StreamWriter,
        upstream: asyncio.StreamWriter,
    ) -> None:
        # Startup messages have no type byte; SSL and GSS encryption are declined here so that
        # the rest of the conversation can be read (loopback only, nothing to protect).
        while True:
            head = await reader.readexactly(8)
            length, code = struct.unpack("!ii", head)
            rest = await reader.readexactly(length - 8)
            if code in (SSL_REQUEST, GSSENC_REQUEST):
                client.write(b"N")
                await client.drain()
                continue
            upstream.write(head + rest)
            await upstream.drain()
            break
        conn = Connection(self)
        while True:
            head = await reader.readexactly(5)
            kind = head[:1]
            (length,) = struct.unpack("!i", head[1:])
            body = await reader.readexactly(length - 4)
            conn.message(kind, body)
            upstream.write(head + body)
            await upstream.drain()
            if kind == b"X":
                return

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(1 << 16):
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()
