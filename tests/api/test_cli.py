"""The `hdnd` command as a newcomer meets it: bad configuration is one clear sentence, and
`hdnd serve` on the embedded database serves, stops cleanly and keeps its data."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

HDND = [sys.executable, "-m", "api.cli"]
ROOT = Path(__file__).resolve().parents[2]


def run(
    args: list[str], env: dict[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("HDND_")} | env
    return subprocess.run(
        [*HDND, *args], capture_output=True, text=True, env=full_env, cwd=ROOT, timeout=timeout
    )


def assert_one_sentence(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_unreachable_database_url_is_one_sentence() -> None:
    result = run(["migrate"], {"HDND_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert_one_sentence(result, "HDND_DATABASE_URL")


def test_unwritable_data_dir_is_one_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run(["migrate"], {"HDND_DATA_DIR": str(blocker / "data")})
    assert_one_sentence(result, "HDND_DATA_DIR")


def test_port_in_use_is_one_sentence() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(
            ["serve", "--port", str(port)], {"HDND_DATABASE_URL": "postgresql://x@127.0.0.1:1/x"}
        )
    assert_one_sentence(result, str(port))


def test_invalid_role_is_one_sentence() -> None:
    result = run(
        ["grant", "someone", "KING"], {"HDND_DATABASE_URL": "postgresql://x@127.0.0.1:1/x"}
    )
    assert_one_sentence(result, "KING")


def test_export_schema_prints_sdl() -> None:
    result = run(["export-schema"], {})
    assert result.returncode == 0
    assert "type Query" in result.stdout and "delegateGroups" in result.stdout


def _serve(data_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HDND_")}
    env |= {"HDND_DATA_DIR": str(data_dir), "HDND_PORT": str(port)}
    return subprocess.Popen(
        [*HDND, "serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _wait_ready(process: subprocess.Popen[str], port: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail("hdnd serve did not become ready")


def _stop(process: subprocess.Popen[str]) -> str:
    process.send_signal(signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    return output


def test_serve_embedded_first_run_and_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "hdnd"
    port = free_port()
    query = {"query": "{ delegateGroups { name areas { name } memberCount } }"}

    first = _serve(data_dir, port)
    try:
        _wait_ready(first, port)
        body = httpx.post(f"http://127.0.0.1:{port}/graphql", json=query, timeout=10).json()
        assert len(body["data"]["delegateGroups"]) == 8
    finally:
        output = _stop(first) if first.poll() is None else ""
    assert f"http://127.0.0.1:{port}/graphql" in output
    assert "Token CITIZEN" in output and "Token STAFF" in output
    assert not (data_dir / "pg" / "postmaster.pid").exists(), "the embedded database kept running"

    second = _serve(data_dir, port)
    try:
        _wait_ready(second, port)
        body = httpx.post(f"http://127.0.0.1:{port}/graphql", json=query, timeout=10).json()
        assert len(body["data"]["delegateGroups"]) == 8  # the same data, not loaded twice
    finally:
        output = _stop(second) if second.poll() is None else ""
    assert "Đã nạp dữ liệu mẫu" not in output
