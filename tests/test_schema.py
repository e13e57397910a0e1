"""Schema migrations: a database made by the first release is upgraded in place and keeps every row.

tests/fixtures/db/release1.duckdb.gz was written by the first release's own
code (tests/fixtures/db/make_release1.py: reports, the sample tally, an undone
batch, a correction, a rejected and an accepted fact, a remembered mapping).
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from pathlib import Path

import duckdb
import pytest

from etl import schema
from etl.accounts import Account
from etl.db import connect
from etl.errors import SchemaError
from etl.model import facts_table_columns

RELEASE_1 = Path(__file__).parent / "fixtures" / "db" / "release1.duckdb.gz"
TABLES = ("batches", "files", "documents", "regions", "region_aliases", "metrics", "batch_superseded",
          "undone_files", "tally_mappings")


def release1(tmp_path: Path) -> Path:
    path = tmp_path / "release1.duckdb"
    with gzip.open(RELEASE_1) as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


# Columns of the first release no release ever wrote (every row NULL), dropped by migration 5 (the directory).
DROPPED = {"regions": ("valid_from", "valid_to")}


def dump(path: Path) -> dict[str, list]:
    """Every row of every table of the first release, in the first release's columns that are kept
    (facts with the first release's columns)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        cols = [c for c, _ in facts_table_columns(1)]
        out = {}
        for t in TABLES:
            kept = [c for (c,) in con.execute(f"SELECT column_name FROM (DESCRIBE {t})").fetchall()
                    if c not in DROPPED.get(t, ())]
            first = RELEASE_1_COLUMNS.get(t, kept)
            out[t] = con.execute(f"SELECT {', '.join(c for c in first if c in kept)} FROM {t} ORDER BY ALL").fetchall()
        out["facts"] = con.execute(f"SELECT {', '.join(cols)} FROM facts ORDER BY id").fetchall()
        return out
    finally:
        con.close()


def _release1_columns() -> dict[str, list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(release1(Path(tmp))), read_only=True)
        try:
            return {t: [c for (c,) in con.execute(f"SELECT column_name FROM (DESCRIBE {t})").fetchall()]
                    for t in TABLES}
        finally:
            con.close()


RELEASE_1_COLUMNS = _release1_columns()


def columns(path: Path) -> dict[str, dict[str, tuple]]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("SELECT table_name, column_name, data_type, column_default, is_nullable "
                           "FROM information_schema.columns").fetchall()
    finally:
        con.close()
    out: dict[str, dict[str, tuple]] = {}
    for table, col, *rest in rows:
        out.setdefault(table, {})[col] = tuple(rest)
    return out


def test_first_release_database_is_upgraded_and_keeps_every_row(tmp_path: Path) -> None:
    path = release1(tmp_path)
    before = dump(path)
    assert len(before["facts"]) == 159 and before["undone_files"] and before["tally_mappings"]
    with duckdb.connect(str(path), read_only=True) as con:  # what migration 5 drops was never written
        assert con.execute("SELECT count(*) FROM regions WHERE valid_from IS NOT NULL OR valid_to IS NOT NULL"
                           ).fetchone()[0] == 0
    with connect(path) as con:
        assert schema.version(con) == schema.LATEST
        assert [r[0] for r in con.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()] == \
            [m.version for m in schema.MIGRATIONS]
        assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(schema.LATEST)
        assert con.execute("SELECT count(*) FROM facts WHERE needs_review").fetchone()[0] == 0
    assert dump(path) == before


def test_reading_an_old_database_upgrades_it_first(tmp_path: Path) -> None:
    """The dashboard opens read-only: it must still see the new columns."""
    path = release1(tmp_path)
    with connect(path, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM facts WHERE NOT needs_review").fetchone()[0] == 159


def test_fresh_and_upgraded_databases_have_the_same_schema(tmp_path: Path) -> None:
    old = release1(tmp_path)
    with connect(old):
        pass
    fresh = tmp_path / "fresh.duckdb"
    with connect(fresh):
        pass
    assert columns(fresh) == columns(old)


def test_upgraded_database_takes_new_loads_and_corrections(tmp_path: Path) -> None:
    from dashboard import actions, queries
    from etl.pipeline import ingest_paths

    path = release1(tmp_path)
    root = Path(__file__).resolve().parent.parent
    summary = ingest_paths([root / "data" / "samples" / "reports" / "白沙镇总工会2022年工作总结.txt"], db_path=path,
                           archive_dir=tmp_path / "archive")
    assert summary.batch_id == 6 and summary.facts > 0
    with connect(path, read_only=True) as con:
        (fact_id,) = con.execute("SELECT min(id) FROM facts WHERE batch_id = 6").fetchone()
        assert fact_id > 159  # the id sequence carried on
    new_id = actions.correct(fact_id, Account(1, "王五", "admin"), value=1.0, path=path)
    assert new_id > fact_id
    assert not queries.regions(path=path).empty


def test_a_database_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.duckdb"
    with connect(path) as con:
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')")
    with pytest.raises(SchemaError, match="较新版本"):
        connect(path).__enter__()


def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "u.duckdb"
    with connect(path):
        pass
    bad = (*schema.MIGRATIONS, schema.Migration(schema.LATEST + 1, "broken", (
        "CREATE TABLE half_done (x INTEGER)", "ALTER TABLE no_such_table ADD COLUMN y INTEGER")))
    con = duckdb.connect(str(path))
    try:
        with pytest.raises(SchemaError, match=f"第 {schema.LATEST + 1} 版（broken）"):
            schema.migrate(con, bad)
        assert schema.version(con) == schema.LATEST
        assert not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'half_done'").fetchone()[0]
    finally:
        con.close()
