"""`uv run python -m bench`: this service against PostGraphile 4.14.1 on one database, with wrk.

See bench/README.md for what is measured and how. In short: seed (or reuse) a database, count the
SQL statements per request of each server through a counting proxy, then start both servers
directly on the database and drive them in turn with wrk (warm-up, then rounds alternating
between the servers; the median round counts), sampling each server's memory.
"""

import argparse
import asyncio
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bench.pgcount import CountingProxy
from bench.queries import M1_INPUT, Pair, Side, pairs
from bench.servers import (
    BENCH,
    JWT_SECRET,
    POSTGRAPHILE,
    BackendCpu,
    MemorySampler,
    Server,
    hdnd_server,
    post,
    postgraphile_server,
)

SEED_MARK = "hdnd bench: seeded with {n} petitions"
DELEGATE_SUB = "bench-delegate"
CODES = 1000  # tracking codes sampled for petitionByTrackingCode
M1_RATE_CEILING = 600  # tokens minted per second of M1 load: fresh accounts up to this rate


@dataclass
class Options:
    database_url: str | None
    petitions: int
    fresh: bool
    duration: int
    warmup: int
    rounds: int
    connections: int
    threads: int
    count: int
    only: list[str]
    output: Path


@dataclass
class Files:
    """What wrk reads: one body per request and side, the codes, the tokens."""

    folder: Path
    codes: list[str]
    delegate_token: str
    fresh_tokens: Path
    count_tokens: list[str]
    bodies: dict[str, Path] = field(default_factory=dict)


def parse(argv: list[str] | None) -> Options:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument(
        "--database-url",
        help="PostgreSQL server whose user may create databases, e.g. "
        "postgresql://postgres@127.0.0.1:5432/postgres; unset: the embedded PostgreSQL "
        "in bench/.pgdata",
    )
    p.add_argument("--petitions", type=int, default=1_000_000, help="default 1,000,000")
    p.add_argument("--fresh", action="store_true", help="seed again even if a seeded one exists")
    p.add_argument("--duration", type=int, default=10, help="seconds per round (default 10)")
    p.add_argument("--warmup", type=int, default=5, help="seconds of warm-up (default 5)")
    p.add_argument("--rounds", type=int, default=3, help="rounds per server (default 3)")
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--count", type=int, default=20, help="requests in the counting pass")
    p.add_argument("--only", default="", help="comma-separated: q1,q2,q3,track,inbox,typename,m1")
    p.add_argument("--output", type=Path, default=BENCH / "results" / "latest.json")
    a = p.parse_args(argv)
    return Options(
        a.database_url,
        a.petitions,
        a.fresh,
        a.duration,
        a.warmup,
        a.rounds,
        a.connections,
        a.threads,
        a.count,
        [s.strip() for s in a.only.split(",") if s.strip()],
        a.output,
    )


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def check_tools() -> None:
    """The bench installs nothing; it says what is missing and how to get it."""
    missing = []
    if shutil.which("wrk") is None:
        missing.append("wrk: sudo apt-get install -y wrk   (Debian/Ubuntu package)")
    if not POSTGRAPHILE.exists():
        missing.append("PostGraphile 4.14.1: (cd bench && npm install)")
    if missing:
        sys.exit("Missing:\n  " + "\n  ".join(missing))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def hdnd(*args: str, url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HDND_")}
    env.update(HDND_DATABASE_URL=url, HDND_JWT_SECRET=JWT_SECRET, HDND_LOG_LEVEL="WARNING")
    subprocess.run(
        [str(Path(sys.executable).parent / "hdnd"), *args], env=env, check=True, stdout=sys.stderr
    )


async def prepare_database(server_url: str, petitions: int, fresh: bool) -> str:
    """The database `hdnd_bench_<N>` on the server: reused when an earlier run finished seeding
    it (a comment on the database says so), else made and seeded with `hdnd seed`."""
    name = f"hdnd_bench_{petitions}"
    mark = SEED_MARK.format(n=petitions)
    admin = await asyncpg.connect(with_database(server_url, "postgres"))
    try:
        comment = await admin.fetchval(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
            name,
        )
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists and comment == mark and not fresh:
            say(f"reusing the seeded database {name}")
            return with_database(server_url, name)
        if exists:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = with_database(server_url, name)
    say(f"seeding {name}: demo directory and {petitions:,} petitions (hdnd seed)")
    hdnd("seed", "--petitions", str(petitions), url=url)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
        await conn.execute(f"COMMENT ON DATABASE \"{name}\" IS '{mark}'")
    finally:
        await conn.close()
    return url


async def facts(url: str) -> tuple[int, int, list[str]]:
    """A serving delegate (id, group id) and a sample of tracking codes."""
    conn = await asyncpg.connect(url)
    try:
        # A delegate of a group other than the one M1's petitions go to, so that the inbox
        # measured (and compared between the servers) does not grow during the run.
        row = await conn.fetchrow(
            "SELECT d.id, d.group_id FROM delegate d WHERE d.served_until IS NULL "
            "AND d.group_id NOT IN (SELECT ga.group_id FROM group_area ga "
            "JOIN administrative_unit u ON u.code = $1 "
            "AND '/' || u.path || '/' LIKE '%/' || ga.unit_code || '/%') ORDER BY d.id LIMIT 1",
            M1_INPUT["communeCode"],
        )
        codes = [
            r[0]
            for r in await conn.fetch(
                "SELECT tracking_code FROM petition TABLESAMPLE SYSTEM (5) LIMIT $1", CODES
            )
        ]
    finally:
        await conn.close()
    return row["id"], row["group_id"], codes


async def created_by(url: str, prefix: str) -> int:
    """Petitions submitted by the bench's fresh accounts of this run."""
    conn = await asyncpg.connect(url)
    try:
        n: int = await conn.fetchval(
            "SELECT count(*) FROM petition p JOIN account a ON a.id = p.submitter_account_id "
            "WHERE a.sub LIKE $1",
            prefix + "%",
        )
    finally:
        await conn.close()
    return n


def mint(subs: list[str]) -> list[str]:
    from api.identity import issue_token
    from api.settings import Settings

    settings = Settings(jwt_secret=JWT_SECRET)
    return [
        issue_token(settings, sub, name="Cử tri thử tải", phone="0901234567", ttl_seconds=6 * 3600)
        for sub in subs
    ]


def body(side: Side) -> bytes:
    return json.dumps(
        {"query": side.query, "variables": side.variables}, ensure_ascii=False
    ).encode()


def fill(raw: bytes, value: str, key: str) -> bytes:
    return raw.replace(b"@VALUE@", value.encode()).replace(b"@KEY@", key.encode())


# -- the counting pass --------------------------------------------------------------------------
def counting_pass(
    server: Server, proxy: CountingProxy, chosen: list[Pair], side_of: str, files: Files, n: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Per request: check the answer, then count statements over `n` sequential requests
    after a warm-up. Returns (counts, normalised answers)."""
    counts: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    tokens = iter(files.count_tokens)
    for pair in chosen:
        side = pair.ours if side_of == "ours" else pair.theirs
        if side is None:
            continue
        raw = body(side)

        def once(i: int, *, side: Side = side, raw: bytes = raw, key: str = pair.key) -> Any:
            token = {"delegate": files.delegate_token, "anonymous": None}.get(side.viewer)
            if side.viewer == "fresh":
                token = next(tokens)
            code = files.codes[i % len(files.codes)]
            status, answer = post(
                server.port, fill(raw, code, f"count-{key}-{i}-{secrets.token_hex(4)}"), token
            )
            if status != 200 or not isinstance(answer, dict) or answer.get("errors"):
                raise RuntimeError(f"{server.name} {key}: HTTP {status}: {str(answer)[:500]}")
            return side.normalise(answer["data"])

        answers[pair.key] = once(0)
        for i in range(1, 4):
            once(i)
        proxy.start_counting()
        for i in range(n):
            once(100 + i)
        tally = proxy.stop_counting()
        counts[pair.key] = {
            "statements_per_request": tally.statements / n,
            "transaction_control_per_request": tally.transaction_control / n,
            "pings_per_request": tally.pings / n,
            "round_trips_per_request": tally.round_trips / n,
            "statements": [
                {"per_request": c / n, "sql": text} for text, c in tally.texts.most_common(6)
            ],
        }
        say(
            f"  {server.name} {pair.key}: {tally.statements / n:.2f} statements, "
            f"{tally.transaction_control / n:.2f} BEGIN/COMMIT, {tally.pings / n:.2f} pings, "
            f"{tally.round_trips / n:.2f} "
            "round trips per request"
        )
    return counts, answers


# -- the wrk rounds -----------------------------------------------------------------------------
def wrk(
    url: str,
    server: Server,
    body_file: Path,
    files: Files,
    side: Side,
    opts: Options,
    seconds: int,
    offset: int,
) -> dict[str, Any]:
    values = files.folder / "codes.txt" if b"@VALUE@" in body_file.read_bytes() else None
    tokens: Path | None = None
    if side.viewer == "delegate":
        tokens = files.folder / "delegate-token.txt"
    elif side.viewer == "fresh":
        tokens = files.fresh_tokens
    argv = [
        "wrk",
        "-t",
        str(opts.threads),
        "-c",
        str(opts.connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(BENCH / "wrk" / "graphql.lua"),
        server.url,
        "--",
        str(body_file),
        str(values or "-"),
        str(tokens or "-"),
        secrets.token_hex(4),
        str(opts.threads),
        str(offset),
    ]
    cpu_before = server.cpu_seconds()
    with BackendCpu(make_url(url).database or "postgres") as backends:
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    cpu = server.cpu_seconds() - cpu_before
    db_cpu = backends.seconds
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    result: dict[str, Any] = json.loads(line[len("BENCH ") :])
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["cpu_ms_per_request"] = cpu * 1000 / max(result["requests"], 1)
    result["db_cpu_ms_per_request"] = db_cpu * 1000 / max(result["requests"], 1)
    return result


def median_round(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    rps = statistics.median(r["rps"] for r in rounds)
    return {
        "rps": rps,
        "p50_ms": statistics.median(r["p50_us"] for r in rounds) / 1000,
        "p99_ms": statistics.median(r["p99_us"] for r in rounds) / 1000,
        "cpu_ms_per_request": statistics.median(r["cpu_ms_per_request"] for r in rounds),
        "db_cpu_ms_per_request": statistics.median(r["db_cpu_ms_per_request"] for r in rounds),
        "errors": sum(
            r["connect_errors"]
            + r["read_errors"]
            + r["write_errors"]
            + r["status_errors"]
            + r["timeouts"]
            for r in rounds
        ),
        "rounds": rounds,
    }


def drive(
    servers: dict[str, Server],
    chosen: list[Pair],
    files: Files,
    opts: Options,
    url: str,
    nonce: str,
) -> dict[str, dict[str, Any]]:
    """Warm-up, then rounds alternating between the servers, so drift on a shared machine
    falls on both alike."""
    results: dict[str, dict[str, Any]] = {}
    offset = 0
    for pair in chosen:
        sides = {"ours": pair.ours, "theirs": pair.theirs}
        present = {k: v for k, v in sides.items() if v is not None}
        per: dict[str, list[dict[str, Any]]] = {k: [] for k in present}
        before = asyncio.run(created_by(url, f"bench-{nonce}-")) if pair.key == "m1" else 0
        completed = 0
        for round_no in range(opts.rounds + 1):
            for k, side in present.items():
                server = servers["hdnd" if k == "ours" else "postgraphile"]
                seconds = opts.warmup if round_no == 0 else opts.duration
                r = wrk(
                    url, server, files.bodies[f"{pair.key}-{k}"], files, side, opts, seconds, offset
                )
                if side.viewer == "fresh":
                    offset += r["requests"] + opts.connections
                    completed += r["requests"]
                if round_no:
                    per[k].append(r)
                    say(
                        f"  {pair.key} {server.name} round {round_no}: {r['rps']:,.0f} req/s, "
                        f"p50 {r['p50_us'] / 1000:.1f} ms, p99 {r['p99_us'] / 1000:.1f} ms"
                    )
        results[pair.key] = {k: median_round(v) for k, v in per.items()}
        if pair.key == "m1":
            made = asyncio.run(created_by(url, f"bench-{nonce}-")) - before
            results[pair.key]["ours"]["petitions_created"] = made
            results[pair.key]["ours"]["requests_completed"] = completed
            results[pair.key]["ours"]["tokens_reused"] = sum(
                r["tokens_reused"] for r in per["ours"]
            )
    return results


# -- output -------------------------------------------------------------------------------------
def table(report: dict[str, Any]) -> str:
    head = (
        "| request | hdnd req/s | p50 ms | p99 ms | CPU ms/req (server + db) | stmts/req "
        "| PostGraphile req/s | p50 ms | p99 ms | CPU ms/req (server + db) | stmts/req "
        "| ratio | same data |\n|---|" + "---:|" * 11 + ":-:|"
    )
    lines = [head]
    for row in report["requests"]:
        o, t = row.get("ours"), row.get("theirs")

        def cells(x: dict[str, Any] | None) -> str:
            if x is None:
                return "— | — | — | — | —"
            stm = x.get("statements_per_request")
            s = "?" if stm is None else f"{stm:.1f}"
            extra = [
                f"+{x[k]:.0f} {word}"
                for k, word in (
                    ("transaction_control_per_request", "tx"),
                    ("pings_per_request", "ping"),
                )
                if x.get(k)
            ]
            if extra:
                s += f" ({', '.join(extra)})"
            cpu = f"{x['cpu_ms_per_request']:.2f} + {x['db_cpu_ms_per_request']:.2f}"
            return f"{x['rps']:,.0f} | {x['p50_ms']:.1f} | {x['p99_ms']:.1f} | {cpu} | {s}"

        ratio = f"{row['ratio']:.2f}" if row.get("ratio") is not None else "—"
        same = {True: "yes", False: "NO", None: "—"}[row.get("same_data")]
        lines.append(f"| {row['label']} | {cells(o)} | {cells(t)} | {ratio} | {same} |")
    mem = report["memory_mb"]
    lines.append("")
    lines.append(
        "Peak RSS during the run: "
        + ", ".join(
            f"{k} {v['peak']:.0f} MB (after the run {v['after']:.0f} MB)" for k, v in mem.items()
        )
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    opts = parse(argv)
    check_tools()
    all_pairs = {p.key: p for p in pairs(0)}
    unknown = set(opts.only) - set(all_pairs)
    if unknown:
        sys.exit(f"unknown requests: {', '.join(sorted(unknown))}")

    embedded = None
    server_url = opts.database_url
    if server_url is None:
        from api.embedded import EmbeddedPostgres

        embedded = EmbeddedPostgres(BENCH / ".pgdata")
        server_url = embedded.start()
        say(f"embedded PostgreSQL in {BENCH / '.pgdata'}")
    try:
        run(opts, server_url)
    finally:
        if embedded is not None:
            embedded.stop()


def run(opts: Options, server_url: str) -> None:
    url = asyncio.run(prepare_database(server_url, opts.petitions, opts.fresh))
    delegate_id, group_id, codes = asyncio.run(facts(url))
    chosen = [p for p in pairs(group_id) if not opts.only or p.key in opts.only]
    from schema.relay import to_global_id

    hdnd(
        "grant",
        DELEGATE_SUB,
        "DELEGATE",
        "--delegate",
        str(to_global_id("Delegate", delegate_id)),
        url=url,
    )
    nonce = secrets.token_hex(3)
    m1_seconds = opts.warmup + opts.rounds * opts.duration
    n_fresh = M1_RATE_CEILING * m1_seconds if any(p.key == "m1" for p in chosen) else 1
    say(f"minting {n_fresh:,} tokens for fresh accounts")

    with tempfile.TemporaryDirectory(prefix="hdnd-bench-") as tmp:
        folder = Path(tmp)
        fresh = folder / "fresh-tokens.txt"
        fresh.write_text("\n".join(mint([f"bench-{nonce}-{i}" for i in range(n_fresh)])) + "\n")
        files = Files(
            folder=folder,
            codes=codes,
            delegate_token=mint([DELEGATE_SUB])[0],
            fresh_tokens=fresh,
            count_tokens=mint(
                [f"bench-count-{nonce}-{i}" for i in range(len(chosen) * (opts.count + 8))]
            ),
        )
        (folder / "codes.txt").write_text("\n".join(codes) + "\n")
        (folder / "delegate-token.txt").write_text(files.delegate_token + "\n")
        for p in chosen:
            for k, side in (("ours", p.ours), ("theirs", p.theirs)):
                if side is not None:
                    files.bodies[f"{p.key}-{k}"] = folder / f"{p.key}-{k}.json"
                    files.bodies[f"{p.key}-{k}"].write_bytes(body(side))
        logs = BENCH / "results"
        logs.mkdir(exist_ok=True)

        # 1. statements per request, through the counting proxy
        proxy = CountingProxy(url)
        proxied = (
            make_url(url)
            .set(host="127.0.0.1", port=proxy.start(), query={})
            .render_as_string(hide_password=False)
        )
        counts: dict[str, dict[str, Any]] = {}
        answers: dict[str, dict[str, Any]] = {}
        for side_of, make in (("ours", hdnd_server), ("theirs", postgraphile_server)):
            server = make(proxied, free_port(), logs / f"{side_of}-counting.log")
            say(f"counting pass: {server.name} through the counting proxy")
            server.start()
            try:
                counts[side_of], answers[side_of] = counting_pass(
                    server, proxy, chosen, side_of, files, opts.count
                )
            finally:
                server.stop()

        # 2. throughput, both servers up, driven in turn
        servers = {
            "hdnd": hdnd_server(url, free_port(), logs / "hdnd.log"),
            "postgraphile": postgraphile_server(url, free_port(), logs / "postgraphile.log"),
        }
        for s in servers.values():
            s.log.unlink(missing_ok=True)
            s.start()
        try:
            idle = {k: s.rss() for k, s in servers.items()}
            say("throughput: " + ", ".join(f"{k} at {s.url}" for k, s in servers.items()))
            with MemorySampler(list(servers.values())) as sampler:
                measured = drive(servers, chosen, files, opts, url, nonce)
            after = {k: s.rss() for k, s in servers.items()}
        finally:
            for s in servers.values():
                s.stop()

    report = build_report(opts, chosen, counts, answers, measured, sampler.peak, idle, after)
    opts.output.parent.mkdir(parents=True, exist_ok=True)
    opts.output.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    print(table(report))
    print(f"\nWritten to {opts.output}")


def build_report(
    opts: Options,
    chosen: list[Pair],
    counts: dict[str, dict[str, Any]],
    answers: dict[str, dict[str, Any]],
    measured: dict[str, dict[str, Any]],
    peak: dict[str, int],
    idle: dict[str, int],
    after: dict[str, int],
) -> dict[str, Any]:
    rows = []
    for p in chosen:
        row: dict[str, Any] = {"key": p.key, "label": p.label, "note": p.note}
        for k in ("ours", "theirs"):
            if k in measured[p.key]:
                row[k] = {**measured[p.key][k], **counts[k].get(p.key, {})}
        if "ours" in row and "theirs" in row:
            row["ratio"] = row["ours"]["rps"] / row["theirs"]["rps"]
            row["same_data"] = answers["ours"][p.key] == answers["theirs"][p.key]
            if not row["same_data"]:
                say(f"{p.key}: the two answers differ")
        rows.append(row)
    mb = 1024 * 1024
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {
            "petitions": opts.petitions,
            "connections": opts.connections,
            "threads": opts.threads,
            "warmup_s": opts.warmup,
            "round_s": opts.duration,
            "rounds": opts.rounds,
            "counting_requests": opts.count,
            "cpus": os.cpu_count(),
            "postgraphile": "4.14.1",
            "hdnd_commit": subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=BENCH
            ).stdout.strip(),
        },
        "requests": rows,
        "memory_mb": {
            k: {"idle": idle[k] / mb, "peak": peak[k] / mb, "after": after[k] / mb} for k in peak
        },
    }
