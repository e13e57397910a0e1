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


# Where a setting sits in the config file: at the top level unless a section lists it (a [server] setting
# without its "server_": server.address). Its environment variable: UNION_ and its name in capitals, unless
# ENV_NAMES names another.
SECTIONS = {
    "server": ("server_address", "server_port", "show_error_details"),
    "accounts": ("view_without_sign_in", "session_idle_minutes", "session_max_hours", "lockout_failures",
                 "lockout_minutes"),
    "limits": ("lock_wait", "read_wait", "tally_max_mb", "report_max_mb", "unzipped_max_mb", "max_cells",
               "max_numbers", "max_sentence", "child_above_mb", "child_above_cells", "parse_memory_mb",
               "parse_seconds", "annotate_max_cells", "annotate_max_xml_mb", "problems_listed", "preview_hours"),
}
ENV_NAMES = {"lock_wait": "UNION_DB_LOCK_WAIT", "read_wait": "UNION_DB_READ_WAIT",
             "preview_hours": "UNION_PREVIEW_TTL_HOURS"}

_NAMES = [f.name for f in fields(Settings)]
_IN_SECTION = {name for names in SECTIONS.values() for name in names}
# Config file key (section.key) → setting; environment variable → setting.
CONFIG = {**{name: name for name in _NAMES if name not in _IN_SECTION},
          **{f"{section}.{name.removeprefix(section + '_')}": name for section, names in SECTIONS.items()
             for name in names}}
ENV = {ENV_NAMES.get(name, f"UNION_{name.upper()}"): name for name in _NAMES}


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


# A setting's type, from its annotation in Settings (Path | None → Path), and how a message names it.
_TYPES = {f.name: {"Path": Path, "float": float, "int": int, "str": str, "bool": _bool}[f.type.split(" |")[0]]
          for f in fields(Settings)}
_KIND_ZH = {Path: "路径", float: "数字", int: "整数", str: "文字", _bool: "true 或 false"}


def _typed(name: str, value: Any, where: str) -> Any:
    try:
        return _TYPES[name](value)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{where} 的值“{value}”无法使用（应为{_KIND_ZH[_TYPES[name]]}）。", item=name) from exc

