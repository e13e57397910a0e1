"""Debian's chromium as the browser tests drive it: one set of flags and one screenshot folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
# `make screenshots` sets SCREENSHOTS_DIR=docs/screenshots; otherwise they go to a temporary folder.
SHOTS = Path(os.environ.get("SCREENSHOTS_DIR", tempfile.gettempdir() + "/union-screenshots"))
