"""The production image: pinned dependencies with hashes and no addresses, a non-root user whose
start command needs no home and no embedded PostgreSQL, and a compose file of the right shape.

Docker itself cannot build here (no image registry), so the image's start command is run as the
image runs it: the code on PYTHONPATH, HOME pointing nowhere, `pgserver` made unimportable.
"""

import json
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest
import yaml

from tests.api.test_cli import free_port

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
REQUIREMENTS = ROOT / "requirements" / "production.txt"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    rows = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            rows.append((word.upper(), rest.strip()))
    return rows


def _pins(text: str) -> dict[str, str]:
    """name -> version of every `name==version` requirement line."""
    found = re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", text, flags=re.MULTILINE)
    return {name.lower().replace("_", "-"): version for name, version in found}


def test_production_requirements_are_pinned_with_hashes_and_no_addresses() -> None:
    text = REQUIREMENTS.read_text()
    assert "://" not in text, "no download address may be committed"
    blocks = [b for b in re.split(r"\n(?=[A-Za-z0-9])", text) if not b.startswith("#")]
    assert blocks
    for block in blocks:
        assert re.match(r"^[A-Za-z0-9_.\-]+==", block), block
        assert "--hash=sha256:" in block, f"no hash for {block.splitlines()[0]}"
    pins = _pins(text)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for requirement in project["project"]["dependencies"]:
        name, _, version = requirement.partition("==")
        assert pins.get(name.lower().replace("_", "-")) == version, (
            f"{requirement} differs in requirements/production.txt: run the export in Dockerfile"
        )
    for absent in ("pgserver", "pytest", "mypy", "ruff"):
        assert absent not in pins, f"{absent} does not belong in the production image"


def test_dockerfile_runs_as_a_user_with_a_home_from_hashed_requirements() -> None:
    rows = _instructions()
    runs = " ".join(args for word, args in rows if word == "RUN")
    assert "--require-hashes" in runs and "requirements.txt" in runs
    assert "uv sync" not in runs and "pgserver" not in runs
    useradd = next(args for word, args in rows if word == "RUN" and "useradd" in args)
    assert "--create-home" in useradd or "-m " in useradd
    users = [args for word, args in rows if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    env = " ".join(args for word, args in rows if word == "ENV")
    assert "HOME=/home/" in env
    copies = " ".join(args for word, args in rows if word == "COPY")
    assert "tests" not in copies and ".hdnd" not in copies
    cmd = json.loads(next(args for word, args in reversed(rows) if word == "CMD"))
    assert "uv" not in cmd, "uv run wants a writable cache; the image runs python directly"


def test_image_start_command_serves_without_home_or_embedded_database(
    db_url: str, tmp_path: Path
) -> None:
    cmd = json.loads(next(args for word, args in reversed(_instructions()) if word == "CMD"))
    assert cmd[0] == "python"
    # What the image lacks: a home, and pgserver (a stand-in that refuses to import).
    blocker = tmp_path / "no-embedded"
    (blocker / "pgserver").mkdir(parents=True)
    (blocker / "pgserver" / "__init__.py").write_text(
        "raise ImportError('pgserver is not in the production image')\n"
    )
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HDND_", "UV_", "XDG_"))}
    env |= {
        "HOME": "/nonexistent",
        "PYTHONPATH": f"{blocker}{os.pathsep}{ROOT}",
        "HDND_DATABASE_URL": db_url,
        "HDND_JWT_SECRET": "image-test-secret-0123456789-abcdefghij",
        "HDND_DATA_DIR": str(tmp_path / "data"),
        "HDND_HOST": "127.0.0.1",
        "HDND_PORT": str(port),
        "HDND_GRAPHIQL": "false",
    }
    process = subprocess.Popen(
        [sys.executable, *cmd[1:]],
        cwd=tmp_path,  # not the repository: the image's code comes from PYTHONPATH
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(
                    f"the start command exited: {process.stdout.read() if process.stdout else ''}"
                )
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the start command never became ready"
            time.sleep(0.3)
        body = httpx.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": "{ delegateGroups { name } }"},
            timeout=10,
        ).json()
        assert len(body["data"]["delegateGroups"]) == 8
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises the signal it was stopped with.
    assert process.returncode in (0, -signal.SIGTERM), output
    assert "Application shutdown complete" in output
    assert "Traceback" not in output
    assert not Path("/nonexistent").exists()


def test_compose_file_structure() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "api"}
    db = services["db"]
    assert db["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    api = services["api"]
    assert api["build"] == "."
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    env = api["environment"]
    assert (
        env["HDND_DATABASE_URL"].startswith("postgresql://")
        and "@db:5432/" in env["HDND_DATABASE_URL"]
    )
    assert ":?" in env["HDND_JWT_SECRET"], "the signing key must be required, never defaulted"
    assert env["HDND_GRAPHIQL"] == "false"
    exposed = next(args for word, args in _instructions() if word == "EXPOSE")
    assert api["ports"] == [f"{exposed}:{exposed}"]
    assert set(compose["volumes"]) == {"pgdata"}
