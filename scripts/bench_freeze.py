"""Benchmark of a frozen database under load: starts its own embedded PostgreSQL (never a shared
server: its processes are stopped with SIGSTOP), `hdnd serve` on it, eight clients reading, then
freezes the database for 10 s and prints how requests ended during the freeze, how fast /readyz
said 503, and how long after the thaw the service answered normally again.

    uv run python scripts/bench_freeze.py [--freeze 10] [--port P]
"""

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import pgserver
from benchkit import wait_ready

QUERY = "{ delegateGroups { name members { fullName } } petitions(first: 20) { nodes { id } } }"


def server_pids(data_dir: Path) -> list[int]:
    """The postmaster (first line of postmaster.pid) and every process it started."""
    postmaster = int((data_dir / "postmaster.pid").read_text().split()[0])
    pids = [postmaster]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == postmaster:
                pids.append(int(entry.name))
    return pids


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--freeze", type=float, default=10)
    parser.add_argument("--port", type=int, default=8732)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hdnd-freeze-") as folder:
        data_dir = Path(folder) / "pg"
        pg = pgserver.get_server(data_dir, cleanup_mode="stop")
        env = {
            **os.environ,
            "HDND_DATABASE_URL": pg.get_uri(),
            "HDND_PORT": str(args.port),
            "HDND_RATE_LIMIT": "1000000",
            "HDND_LOG_LEVEL": "ERROR",
            "HDND_DATA_DIR": folder,
        }
        serve = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "api.cli", "serve", "--demo", env=env
        )
        base = f"http://127.0.0.1:{args.port}"
        try:
            async with httpx.AsyncClient(base_url=base, timeout=60) as http:
                await wait_ready(http, 60)
                await measure(http, base, data_dir, args.freeze)
        finally:
            serve.terminate()
            await serve.wait()
            pg.cleanup()


async def measure(http: httpx.AsyncClient, base: str, data_dir: Path, freeze: float) -> None:
    results: list[tuple[float, float, str]] = []  # started, seconds, outcome
    stop = asyncio.Event()

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=120) as own:
            while not stop.is_set():
                started = time.monotonic()
                response = await own.post("/graphql", json={"query": QUERY})
                body = response.json()
                codes = sorted({e["extensions"]["code"] for e in body.get("errors", [])})
                outcome = f"{response.status_code} {','.join(codes) or 'ok'}"
                results.append((started, time.monotonic() - started, outcome))

    load = [asyncio.create_task(client()) for _ in range(8)]
    await asyncio.sleep(3)
    pids = server_pids(data_dir)
    frozen_at = time.monotonic()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    ready: list[tuple[float, int]] = []
    while time.monotonic() - frozen_at < freeze:
        started = time.monotonic()
        status = (await http.get("/readyz")).status_code
        ready.append((time.monotonic() - started, status))
        await asyncio.sleep(0.5)
    for pid in pids:
        os.kill(pid, signal.SIGCONT)
    thawed_at = time.monotonic()
    normal_at = None
    while time.monotonic() - thawed_at < 30:
        response = await http.post("/graphql", json={"query": QUERY})
        if response.status_code == 200 and "errors" not in response.json():
            normal_at = time.monotonic()
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(2)
    stop.set()
    await asyncio.gather(*load)
    during = [(s, d, o) for s, d, o in results if frozen_at - 5 <= s < thawed_at]
    print(f"database frozen {freeze:.0f} s under 8 clients")
    print(f"requests started around the freeze: {len(during)}")
    print(f"  longest: {max(d for _, d, _ in during):.2f} s")
    print(f"  median: {statistics.median(d for _, d, _ in during):.2f} s")
    print(f"  outcomes: {dict(Counter(o for _, _, o in during))}")
    print(f"/readyz during the freeze: {[f'{s} in {d:.2f} s' for d, s in ready]}")
    print(
        "normal again "
        + (f"{normal_at - thawed_at:.2f} s after the thaw" if normal_at else "NOT within 30 s")
    )


if __name__ == "__main__":
    asyncio.run(main())
