"""`python -m dashboard`: serve the app on the address and port of the settings (etl/settings.py).

The same settings as the command line and the pages: union.toml's [server], or
UNION_SERVER_ADDRESS / UNION_SERVER_PORT. Anything after the command goes to
`streamlit run` as is.

Example:
    UNION_SERVER_ADDRESS=0.0.0.0 UNION_SERVER_PORT=8080 python -m dashboard
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from etl.settings import load


def command(argv: list[str]) -> list[str]:
    cfg = load()
    app = Path(__file__).resolve().parent.parent / "app.py"
    return [sys.executable, "-m", "streamlit", "run", str(app), "--server.address", cfg.server_address,
            "--server.port", str(cfg.server_port), *argv]


def main(argv: list[str] | None = None) -> None:
    cmd = command(sys.argv[1:] if argv is None else argv)
    os.execv(cmd[0], cmd)  # streamlit takes this process over: Ctrl+C and signals reach it directly


if __name__ == "__main__":
    main()
