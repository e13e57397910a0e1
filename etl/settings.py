"""Settings, read once from the environment and a config file, then passed down.

Where each value comes from, the later winning:
1. the defaults below;
2. the config file: `union.toml` in the working folder, or the file $UNION_CONFIG
   names (see union.example.toml);
3. environment variables (UNION_DB, UNION_ARCHIVE, …: ENV below);
4. for one command, its options (`python -m etl --db … ingest --archive …`).

The command line (etl/__main__.py, export/__main__.py) and the dashboard
(app.py) each call `load()` once per run and hand the values to what they
call; nothing else reads the environment. So both archive to the same
folder: UNION_ARCHIVE when set, else the folder `archive` beside the
database.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from etl.errors import UnionError

CONFIG_FILE = "union.toml"


class SettingsError(UnionError):
    """A setting that cannot be used; the message names the setting and where it was given."""


@dataclass(frozen=True)
class Settings:
    db: Path = Path("data/union.duckdb")  # the DuckDB file
    archive: Path | None = None  # original uploads by sha256; None: <folder of db>/archive
    lock_wait: float = 10.0  # seconds a writer waits for another process's lock before saying who holds it
    read_wait: float = 20.0  # seconds a dashboard page waits for a writer
    tally_max_mb: float | None = None  # a bigger tally is refused; None: lexicon/tally_headers.toml's limit
    federation: str | None = None  # overrides in titles the name `python -m etl setup` configured
    server_address: str = "127.0.0.1"  # where `python -m dashboard` serves the app (this machine only)
    server_port: int = 8501
    # How much work one file may cause (etl/limits.py; every refusal quotes the limit it hit).
    report_max_mb: float | None = None  # a bigger report is refused; None: etl/read.py's MAX_BYTES
    unzipped_max_mb: float | None = None  # one .xlsx/.docx decompressed; None: lexicon/tally_headers.toml's
    max_cells: int = 1_000_000  # cells in all sheets of one tally (styled empty cells count)
    max_numbers: int = 2000  # numbers read per report file; the rest is skipped and said so
    max_sentence: int = 2000  # a run of text without 。！？；or a line break longer than this is skipped
    child_above_mb: float = 2.0  # bigger files (and every PDF, .xls) are parsed in a child process
    child_above_cells: int = 200_000  # … and tallies with more cells than this
    parse_memory_mb: float = 1536.0  # the child is stopped when it uses more memory than this
    parse_seconds: float = 120.0  # … or runs longer than this
    annotate_max_cells: int = 200_000  # the annotated original is built only up to this many cells
    annotate_max_xml_mb: float = 40.0  # … and this much sheet XML (openpyxl holds it all in memory)
    problems_listed: int = 20_000  # rows in the 问题清单 sheet at most
    preview_hours: float = 24 * 7  # upload previews never loaded are deleted after this long
    cli_nice: int = 10  # the command line lowers its priority by this much, so page views come first
    backups: Path | None = None  # where `python -m etl backup` writes; None: <folder of db>/backups
    # A page's error in full on screen (dashboard/failures.py): None: only while the server listens on this
    # machine alone, or to a 管理 account; everyone else reads one Chinese line, the details go to the log.
    show_error_details: bool | None = None
    # Accounts (etl/accounts.py, etl/sessions.py). None: viewing without signing in only while the server listens on
    # this machine alone (dashboard/auth.py); a server reachable from the network asks everyone to sign in.
    view_without_sign_in: bool | None = None
    session_idle_minutes: float = 120.0  # a session unused this long ends
    session_max_hours: float = 12.0  # and every session ends this long after sign-in
    lockout_failures: int = 5  # wrong passwords in a row that lock an account
    lockout_minutes: float = 15.0  # for this long

    @property
    def archive_dir(self) -> Path:
        return self.archive if self.archive is not None else self.db.parent / "archive"

    @property
    def backups_dir(self) -> Path:
        return self.backups if self.backups is not None else self.db.parent / "backups"

    def with_db(self, db: Path | str | None) -> Settings:
        """The same settings for another database (a command's --db): an archive not set follows it."""
        return self if db is None else replace(self, db=Path(db))


# Environment variable → setting.
ENV = {
    "UNION_DB": "db",
    "UNION_ARCHIVE": "archive",
    "UNION_DB_LOCK_WAIT": "lock_wait",
    "UNION_DB_READ_WAIT": "read_wait",
    "UNION_TALLY_MAX_MB": "tally_max_mb",
    "UNION_FEDERATION": "federation",
    "UNION_SERVER_ADDRESS": "server_address",
    "UNION_SERVER_PORT": "server_port",
    "UNION_REPORT_MAX_MB": "report_max_mb",
    "UNION_UNZIPPED_MAX_MB": "unzipped_max_mb",
    "UNION_MAX_CELLS": "max_cells",
    "UNION_MAX_NUMBERS": "max_numbers",
    "UNION_MAX_SENTENCE": "max_sentence",
    "UNION_CHILD_ABOVE_MB": "child_above_mb",
    "UNION_CHILD_ABOVE_CELLS": "child_above_cells",
    "UNION_PARSE_MEMORY_MB": "parse_memory_mb",
    "UNION_PARSE_SECONDS": "parse_seconds",
    "UNION_ANNOTATE_MAX_CELLS": "annotate_max_cells",
    "UNION_ANNOTATE_MAX_XML_MB": "annotate_max_xml_mb",
    "UNION_PROBLEMS_LISTED": "problems_listed",
    "UNION_PREVIEW_TTL_HOURS": "preview_hours",
    "UNION_CLI_NICE": "cli_nice",
    "UNION_BACKUPS": "backups",
    "UNION_SHOW_ERROR_DETAILS": "show_error_details",
    "UNION_VIEW_WITHOUT_SIGN_IN": "view_without_sign_in",
    "UNION_SESSION_IDLE_MINUTES": "session_idle_minutes",
    "UNION_SESSION_MAX_HOURS": "session_max_hours",
    "UNION_LOCKOUT_FAILURES": "lockout_failures",
    "UNION_LOCKOUT_MINUTES": "lockout_minutes",
}
# Config file key (section.key) → setting.
CONFIG = {
    "db": "db", "archive": "archive", "federation": "federation",
    "limits.lock_wait": "lock_wait", "limits.read_wait": "read_wait", "limits.tally_max_mb": "tally_max_mb",
    "server.address": "server_address", "server.port": "server_port",
    "backups": "backups", "cli_nice": "cli_nice",
    **{f"limits.{name}": name for name in (
        "report_max_mb", "unzipped_max_mb", "max_cells", "max_numbers", "max_sentence", "child_above_mb",
        "child_above_cells", "parse_memory_mb", "parse_seconds", "annotate_max_cells", "annotate_max_xml_mb",
        "problems_listed", "preview_hours")},
    "server.show_error_details": "show_error_details",
    "accounts.view_without_sign_in": "view_without_sign_in",
    "accounts.session_idle_minutes": "session_idle_minutes", "accounts.session_max_hours": "session_max_hours",
    "accounts.lockout_failures": "lockout_failures", "accounts.lockout_minutes": "lockout_minutes",
}


def _bool(value: Any) -> bool:
    """true/false from a file (a TOML boolean) or the environment (1/0, true/false, yes/no, on/off)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)


_TYPES = {"db": Path, "archive": Path, "lock_wait": float, "read_wait": float, "tally_max_mb": float,
          "federation": str, "server_address": str, "server_port": int, "view_without_sign_in": _bool,
          "show_error_details": _bool,
          "session_idle_minutes": float, "session_max_hours": float, "lockout_failures": int,
          "lockout_minutes": float,
          "report_max_mb": float, "unzipped_max_mb": float, "max_cells": int, "max_numbers": int,
          "max_sentence": int, "child_above_mb": float, "child_above_cells": int, "parse_memory_mb": float,
          "parse_seconds": float, "annotate_max_cells": int, "annotate_max_xml_mb": float, "problems_listed": int,
          "preview_hours": float, "cli_nice": int, "backups": Path}


def load(environ: Mapping[str, str] | None = None, config: Path | str | None = None) -> Settings:
    """Settings from the defaults, the config file and the environment (see the module docstring)."""
    environ = os.environ if environ is None else environ
    path = Path(config or environ.get("UNION_CONFIG") or CONFIG_FILE)
    values: dict[str, Any] = {}
    if path.is_file():
        values.update(_from_file(path))
    elif config or environ.get("UNION_CONFIG"):
        raise SettingsError(f"找不到配置文件 {path}（由 UNION_CONFIG 或参数指定）。", item=str(path))
    for var, name in ENV.items():
        if environ.get(var):
            values[name] = _typed(name, environ[var], f"环境变量 {var}")
    return Settings(**values)


def _from_file(path: Path) -> dict[str, Any]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"配置文件 {path} 无法读取：{exc}", item=str(path)) from exc
    flat = {f"{k}.{kk}" if isinstance(v, dict) else k: vv
            for k, v in raw.items() for kk, vv in (v.items() if isinstance(v, dict) else [(k, v)])}
    unknown = sorted(set(flat) - set(CONFIG))
    if unknown:
        raise SettingsError(f"配置文件 {path} 中有不认识的设置：{'、'.join(unknown)}（可用：{'、'.join(CONFIG)}）。",
                            item=str(path))
    return {CONFIG[k]: _typed(CONFIG[k], v, f"配置文件 {path} 的 {k}") for k, v in flat.items()}


_KIND_ZH = {Path: "路径", float: "数字", int: "整数", str: "文字", _bool: "true 或 false"}


def _typed(name: str, value: Any, where: str) -> Any:
    try:
        return _TYPES[name](value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{where} 的值“{value}”无法使用（应为{_KIND_ZH[_TYPES[name]]}）。", item=name) from exc


assert set(_TYPES) == {f.name for f in fields(Settings)}, "every setting needs a type for the environment"
