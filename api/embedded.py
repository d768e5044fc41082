"""The embedded PostgreSQL (the `pgserver` wheel) for a newcomer's machine."""

import warnings
from pathlib import Path
from typing import Any


class EmbeddedDatabaseError(RuntimeError):
    """The embedded server could not start; the message says why and what to do instead."""


HINT = (
    "Hãy đặt HDND_DATABASE_URL=postgresql://user:pass@host:5432/dbname để dùng một máy chủ "
    "PostgreSQL có sẵn."
)


class EmbeddedPostgres:
    """A PostgreSQL 16 server whose files live in `data_dir/pg`; stopped by `stop()`."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir.resolve() / "pg"
        self._server: Any = None

    def start(self) -> str:
        """Start (or reuse) the server and return its URL."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            probe = self.folder / ".write-test"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise EmbeddedDatabaseError(
                f"Không ghi được vào thư mục dữ liệu {self.folder} ({exc.strerror}); "
                "đặt HDND_DATA_DIR sang một thư mục ghi được."
            ) from exc
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR
                import pgserver
        except ImportError as exc:  # wheels exist for CPython 3.10–3.12 only
            raise EmbeddedDatabaseError(
                "Gói pgserver (PostgreSQL nhúng) không cài được cho phiên bản Python này. " + HINT
            ) from exc
        try:
            self._server = pgserver.get_server(self.folder, cleanup_mode="stop")  # type: ignore[attr-defined]
        except Exception as exc:  # pgserver raises plain exceptions with its log attached
            raise EmbeddedDatabaseError(
                f"Không khởi động được PostgreSQL nhúng trong {self.folder}. {HINT}"
            ) from exc
        uri: str = self._server.get_uri()
        return uri

    def stop(self) -> None:
        """Stop the server cleanly (its data stays for the next start)."""
        if self._server is not None:
            try:
                self._server.cleanup()
            finally:
                self._server = None
