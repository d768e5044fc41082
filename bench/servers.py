"""The two servers under test as child processes, their readiness, and their memory."""

import contextlib
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
POSTGRAPHILE = BENCH / "node_modules" / ".bin" / "postgraphile"
JWT_SECRET = "bench-only-signing-key-0123456789-abcdefghijklmnop"
POOL_SIZE = 10  # both servers: HDND_DB_POOL_SIZE's default, PostGraphile's --max-pool-size


class Server:
    """One server process listening on 127.0.0.1:port, whose output goes to a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int, log: Path):
        self.name = name
        self.argv = argv
        self.env = env
        self.port = port
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def start(self, timeout: float = 120) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.argv, env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=BENCH.parent
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode}; see {self.log}"
                )
            try:
                status, _ = post(self.port, {"query": "{ __typename }"})
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {timeout:.0f} s; see {self.log}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def rss(self) -> int:
        """Resident memory of the process and its descendants, in bytes (0 once stopped)."""
        if self.proc is None or self.proc.poll() is not None:
            return 0
        return sum(_rss(pid) for pid in _tree(self.proc.pid))

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the process and its descendants."""
        if self.proc is None or self.proc.poll() is not None:
            return 0.0
        return sum(cpu_seconds(pid) for pid in _tree(self.proc.pid))


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process from /proc (0 when it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(c) for c in task.read_text().split())
    return out


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class MemorySampler:
    """Samples each server's RSS every `interval` seconds in a thread; keeps the peak."""

    def __init__(self, servers: list[Server], interval: float = 0.25) -> None:
        self.servers = servers
        self.interval = interval
        self.peak: dict[str, int] = {s.name: 0 for s in servers}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for s in self.servers:
                self.peak[s.name] = max(self.peak[s.name], s.rss())
            self._stop.wait(self.interval)

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def post(port: int, body: dict[str, Any] | bytes, token: str | None = None) -> tuple[int, Any]:
    """One POST /graphql on a new connection; (status, parsed JSON or text)."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", "/graphql", raw, headers)
        resp = conn.getresponse()
        data = resp.read()
    finally:
        conn.close()
    try:
        return resp.status, json.loads(data)
    except ValueError:
        return resp.status, data.decode("utf-8", "replace")


def hdnd_server(database_url: str, port: int, log: Path) -> Server:
    """`hdnd serve` with production settings: no GraphiQL, WARNING logs, a fixed signing key,
    and a rate limit far above what the bench sends (the limiter still runs on each request)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HDND_")}
    env.update(
        HDND_DATABASE_URL=database_url,
        HDND_GRAPHIQL="false",
        HDND_JWT_SECRET=JWT_SECRET,
        HDND_LOG_LEVEL="WARNING",
        HDND_RATE_LIMIT="1000000000",
        HDND_DB_POOL_SIZE=str(POOL_SIZE),
    )
    hdnd = Path(sys.executable).parent / "hdnd"
    argv = [str(hdnd), "serve", "--host", "127.0.0.1", "--port", str(port)]
    return Server("hdnd", argv, env, port, log)


def postgraphile_server(database_url: str, port: int, log: Path) -> Server:
    """PostGraphile 4.14.1 on the same tables with its production flags (no GraphiQL, no query
    log, no schema watching, NODE_ENV=production), one process, a pool as large as ours."""
    env = dict(os.environ, NODE_ENV="production")
    argv = [
        str(POSTGRAPHILE),
        "--connection",
        database_url,
        "--schema",
        "public",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--disable-graphiql",
        "--disable-query-log",
        "--max-pool-size",
        str(POOL_SIZE),
    ]
    return Server("postgraphile", argv, env, port, log)


class BackendCpu:
    """CPU time of the PostgreSQL backends serving one database, while driven: /proc is scanned
    every `interval` seconds for backends whose process title names the database. A backend seen at
    the start counts from its value then, one born later counts whole (connecting is part of the
    cost), one that ends counts up to its last scan. Needs PostgreSQL on this machine."""

    def __init__(self, dbname: str, interval: float = 0.2) -> None:
        self.dbname = dbname
        self.interval = interval
        self.base: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _backends(self) -> list[int]:
        out = []
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                title = (
                    (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                )
            except OSError:
                continue
            # "postgres: [cluster name: ]USER DBNAME HOST(PORT) STATE"
            words = title.split()
            if words[:1] == ["postgres:"] and any(
                w == self.dbname and ("(" in nxt or nxt == "[local]")
                for w, nxt in pairwise(words[2:])
            ):
                out.append(int(proc.name))
        return out

    def _scan(self) -> None:
        for pid in self._backends():
            cpu = cpu_seconds(pid)
            if cpu:
                self.base.setdefault(pid, 0.0)
                self.last[pid] = cpu

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._scan()

    def __enter__(self) -> "BackendCpu":
        for pid in self._backends():
            self.base[pid] = self.last[pid] = cpu_seconds(pid)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._scan()

    @property
    def seconds(self) -> float:
        return sum(self.last[pid] - self.base[pid] for pid in self.last)
