"""Debian's chromium as the browser tests drive it: one set of flags and one screenshot folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# `make screenshots` sets SCREENSHOTS_DIR=docs/screenshots; otherwise they go to a temporary folder.
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR", tempfile.gettempdir() + "/union-screenshots"))

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A port nobody listens on now (the server binds it a moment later)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, archive: Path | None = None, **env: str) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free local port with UNION_DB=db (and UNION_ARCHIVE, other settings as
    UNION_* keywords); returns (process, base URL) once the server answers its health check."""
    port = free_port()
    env = {**os.environ, "UNION_DB": str(db), **({"UNION_ARCHIVE": str(archive)} if archive else {}), **env}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.address",
         "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read() == b"ok":
                return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    pytest.fail("streamlit did not start: " + proc.stderr.read().decode()[-2000:])
