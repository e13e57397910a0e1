"""One writer or many readers per file inside a process (etl/gate.py), and etl.db.connect passing it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import duckdb
import pytest

from etl import db
from etl.gate import Gate, GateError, GateTimeout


def _in_thread(fn):
    """fn() in another thread (the gate is per thread); its result or the exception it raised."""
    out = []

    def run() -> None:
        try:
            out.append(fn())
        except Exception as exc:
            out.append(exc)

    t = threading.Thread(target=run)
    t.start()
    t.join(5)
    return out[0]


def _enter(ctx) -> str:
    with ctx:
        return "in"


def test_readers_share_and_a_writer_waits_for_them() -> None:
    g = Gate()
    with g.read(1), g.read(1):  # re-entrant in one thread
        assert _in_thread(lambda: _enter(g.read(0.2))) == "in"
        blocked = _in_thread(lambda: _enter(g.write(0.2)))
        assert isinstance(blocked, GateTimeout) and "正在读取数据" in blocked.holder
    assert _in_thread(lambda: _enter(g.write(0.2))) == "in"


def test_a_waiting_writer_stops_new_readers_so_it_is_not_starved() -> None:
    g = Gate()
    order: list[str] = []
    release = threading.Event()

    def writer() -> None:
        with g.write(5):
            order.append("writer in")
            release.wait(5)

    first = threading.Event()
    done = threading.Event()

    def reader() -> None:
        with g.read(5):
            first.set()
            done.wait(5)

    r = threading.Thread(target=reader)
    r.start()
    first.wait(2)
    w = threading.Thread(target=writer)
    w.start()
    time.sleep(0.1)  # the writer is waiting for the reader now
    late = threading.Thread(target=lambda: order.append(
        "late reader in" if _enter_or_timeout(g.read(0.4)) else "late reader waited"))
    late.start()
    time.sleep(0.1)
    done.set()  # the first reader leaves: the writer goes before the late reader
    late.join(2)
    release.set()
    w.join(2)
    r.join(2)
    assert order == ["writer in", "late reader waited"]


def _enter_or_timeout(ctx) -> bool:
    try:
        with ctx:
            return True
    except GateTimeout:
        return False


def test_a_reader_asking_to_write_is_refused_at_once() -> None:
    g = Gate()
    with g.read(1), pytest.raises(GateError), g.write(5):
        pass


def test_the_writer_may_read_and_write_again_inside() -> None:
    g = Gate()
    with g.write(1, "导入"), g.write(1), g.read(1):
        assert "导入" in g.holder()


def test_timeout_names_the_holder() -> None:
    g = Gate()
    with g.write(1, "审核保存"):
        blocked = _in_thread(lambda: _enter(g.read(0.1)))
    assert isinstance(blocked, GateTimeout) and "审核保存" in blocked.holder and "进程" in blocked.holder


def test_readers_and_writers_in_one_process_never_collide(tmp_db: Path) -> None:
    """What crashed the dashboard: read-only connections open while a page writes (DuckDB 2.0: 'different
    configuration'). Through etl.db.connect every thread gets in, in turn."""
    errors: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                with db.connect(tmp_db, read_only=True, wait=10) as con:
                    con.execute("SELECT count(*) FROM metrics").fetchone()
            except Exception as exc:
                errors.append(repr(exc))

    def write(n: int) -> None:
        for i in range(n):
            try:
                with db.transaction(tmp_db, wait=10, what="测试写入") as con:
                    con.execute("INSERT INTO meta VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                [f"k{threading.get_ident()}", str(i)])
            except Exception as exc:
                errors.append(repr(exc))

    readers = [threading.Thread(target=read) for _ in range(6)]
    writers = [threading.Thread(target=write, args=(15,)) for _ in range(2)]
    for t in readers + writers:
        t.start()
    for t in writers:
        t.join(60)
    stop.set()
    for t in readers:
        t.join(10)
    assert errors == []
    with duckdb.connect(str(tmp_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM meta WHERE key LIKE 'k%'").fetchone()[0] == 2


def test_without_the_gate_duckdb_refuses_and_that_counts_as_busy(tmp_db: Path) -> None:
    """The error the gate prevents is one etl.db treats as busy (retried, then a Chinese message)."""
    ro = duckdb.connect(str(tmp_db), read_only=True)
    try:
        with pytest.raises(db.DatabaseBusy, match="本程序"):
            db.open_db(tmp_db, wait=0.2)
    finally:
        ro.close()


def test_every_app_write_path_beside_page_readers(sample_db_copy: Path, tmp_path: Path) -> None:
    """In one process, as in the Streamlit server: review saves, a mapping save, an upload commit and an undo
    run while reader threads build snapshots and read the file. Nothing fails, every write lands."""
    from tally_books import xlsx

    from dashboard import actions, queries
    from etl.accounts import Account
    from etl.batches import undo_batch
    from etl.regions import ADD, Choice
    from etl.tally.store import load_mappings, save_mapping
    from etl.tally.upload import commit, prepare

    path = sample_db_copy
    queue = queries.review_queue(path=path)
    ids = [int(i) for i in queue["id"]][:6]
    errors: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                queries.trend(["members_total"], [1], 2019, 2024, ["FY"], path=path)
                queries.sources(2, "members_total", 2023, "FY", path=path)
                queries.review_queue(path=path)
            except Exception as exc:
                errors.append(f"read: {exc!r}")

    def write() -> None:
        try:
            for i in ids:
                actions.accept(i, Account(1, "审核员", "admin"), path=path)
            save_mapping(path, "k" * 16, ["地区", "会员"], {"B": "members_total"})
            rows = [["地区", "年份", "会员总数(人)"], ["测试镇", 2030, 123]]
            name, data = "新表.xlsx", xlsx({"Sheet1": {"rows": rows}})
            summary = commit(prepare(data, name, db_path=path, archive_dir=tmp_path / "archive"), db_path=path,
                             archive_dir=tmp_path / "archive",
                             region_choices={"测试镇": Choice(ADD, "青禾区")})  # a new town, under the area
            undo_batch(path, summary.batch_id)
        except Exception as exc:
            errors.append(f"write: {exc!r}")

    readers = [threading.Thread(target=read) for _ in range(6)]
    for t in readers:
        t.start()
    writer = threading.Thread(target=write)
    writer.start()
    writer.join(120)
    stop.set()
    for t in readers:
        t.join(30)
    assert errors == []
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM facts WHERE reviewed_by = '审核员'").fetchone()[0] == len(ids)
        assert con.execute("SELECT count(*) FROM batches WHERE status = 'undone'").fetchone()[0] == 1
    assert "k" * 16 in load_mappings(path)
