"""One settings object: defaults < union.toml < environment < a command's options; the CLI and the app agree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from etl.archive import find_archived, sha256_of
from etl.settings import Settings, SettingsError, load

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
REPORT = next((ROOT / "data" / "samples" / "reports").glob("云溪乡总工会2020年工作总结.txt"))


def test_defaults_without_file_or_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no union.toml here
    s = load({})
    assert s == Settings()
    assert s.archive_dir == Path("data/archive")


def test_file_then_environment_win(tmp_path: Path) -> None:
    conf = tmp_path / "union.toml"
    conf.write_text('db = "a/u.duckdb"\nfederation = "青禾区总工会"\n[server]\nport = 9000\n[limits]\nlock_wait = 3\n',
                    encoding="utf-8")
    s = load({"UNION_SERVER_PORT": "9100"}, config=conf)
    assert (s.db, s.federation, s.server_port, s.lock_wait) == (Path("a/u.duckdb"), "青禾区总工会", 9100, 3.0)
    assert s.archive_dir == Path("a/archive")  # beside the database unless set
    moved = load({"UNION_ARCHIVE": "/srv/archive"}, config=conf).with_db("b/x.duckdb")
    assert moved.archive_dir == Path("/srv/archive")
    assert load({"UNION_CONFIG": str(conf)}).db == Path("a/u.duckdb")


@pytest.mark.parametrize(("text", "env", "words"), [
    ("dbb = 'x'\n", {}, "不认识的设置：dbb"),
    ("[limits]\nlock_wait = 'soon'\n", {}, "lock_wait 的值“soon”"),
    ("", {"UNION_SERVER_PORT": "eighty"}, "环境变量 UNION_SERVER_PORT"),
], ids=["unknown-key", "bad-number-in-file", "bad-number-in-environment"])
def test_bad_settings_are_named(tmp_path: Path, text: str, env: dict, words: str) -> None:
    conf = tmp_path / "union.toml"
    conf.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=words):
        load(env, config=conf)


def test_command_line_archives_where_the_pages_do(tmp_path: Path) -> None:
    """UNION_ARCHIVE is honoured by `python -m etl ingest` as by the upload pages (it was ignored before)."""
    from scripts.sample_db import set_up

    archive, db = tmp_path / "shared-archive", tmp_path / "u.duckdb"
    set_up(db)  # the sample federation: the report's town is in its directory
    env = {**os.environ, "UNION_ARCHIVE": str(archive)}
    r = subprocess.run([PY, "-m", "etl", "--db", str(db), "ingest", str(REPORT)], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert find_archived(sha256_of(REPORT.read_bytes()), archive) is not None
    assert not (tmp_path / "archive").exists()


def test_dashboard_is_served_where_the_settings_say(monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard.__main__ import command

    monkeypatch.setenv("UNION_SERVER_ADDRESS", "0.0.0.0")
    monkeypatch.setenv("UNION_SERVER_PORT", "8600")
    cmd = command(["--server.headless", "true"])
    assert cmd[cmd.index("--server.address") + 1] == "0.0.0.0" and cmd[cmd.index("--server.port") + 1] == "8600"
    assert cmd[-2:] == ["--server.headless", "true"] and cmd[4].endswith("app.py")


def test_the_example_config_lists_every_setting_and_loads() -> None:
    example = ROOT / "union.example.toml"
    s = load({}, config=example)
    assert s.federation == "青禾区总工会" and s.db == Path("data/union.duckdb") and s.tally_max_mb == 50
    from etl.settings import CONFIG

    text = example.read_text(encoding="utf-8")
    assert all(key.split(".")[-1] in text for key in CONFIG)
