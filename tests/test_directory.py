"""etl/directory.py: the federation's set-up, planning and applying changes as batches, undo."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import directory, directory_sources, federation
from etl.batches import undo_batch
from etl.db import connect


def test_setup_from_the_national_table(empty_db: Path) -> None:
    entries = directory_sources.setup_entries("远安县")
    fed = directory.setup(empty_db, name="远安县总工会", area="远安县", entries=entries)
    assert (fed.name, fed.region, fed.level, fed.code, fed.count_word) == ("远安县总工会", "远安县", "区县",
                                                                            "420525000000", "镇街")
    with connect(empty_db, read_only=True) as con:
        assert federation.current(con) == fed
        top = con.execute("SELECT name FROM regions WHERE parent_id IS NULL").fetchall()
        towns = con.execute("SELECT count(*) FROM regions WHERE level = '乡镇街道'").fetchone()[0]
    assert top == [("远安县",)] and towns == 7


def test_plan_refuses_a_second_top_level_region_and_unknown_parents(tmp_db: Path) -> None:
    entries = [directory.Entry("东城街道", "乡镇街道", None, row=2),
               directory.Entry("乙镇", "乡镇街道", "青河区", row=3),
               directory.Entry("丙镇", "乡镇街道", "青禾区", aliases=("白沙",), row=4)]
    with connect(tmp_db, read_only=True) as con:
        p = directory.plan(con, entries)
    assert not p.ok
    assert any("第2行" in m and "没有上级" in m for m in p.problems)
    assert any("第3行" in m and "上级“青河区”不在名录中" in m for m in p.problems)
    assert any("第4行" in m and "别名“白沙”已是“白沙镇”" in m for m in p.problems)
    with pytest.raises(directory.DirectoryError):
        directory.apply(tmp_db, entries)
    with connect(tmp_db, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM regions WHERE name IN ('东城街道', '乙镇', '丙镇')").fetchone()[0] == 0


def test_a_csv_change_is_a_batch_that_undo_takes_back(tmp_db: Path) -> None:
    with connect(tmp_db, read_only=True) as con:
        before = directory.rows(con)
    entries = [directory.Entry("红星村", "村社区", "白沙镇", aliases=("红星",)),
               directory.Entry("新港镇", "乡镇街道", "青禾区", "339901105000",
                               ("新港镇总工会", "新港镇工会", "新港", "港镇"), last_year=2030)]
    s = directory.apply(tmp_db, entries, user="王芳")
    assert (s.added, s.changed) == (1, 1) and "撤销" in s.text
    with connect(tmp_db, read_only=True) as con:
        got = {e.name: e for e in directory.rows(con)}
    assert got["红星村"].parent == "白沙镇" and got["新港镇"].last_year == 2030 and "港镇" in got["新港镇"].aliases
    with connect(tmp_db, read_only=True) as con:  # recorded with who did it (the audit trail)
        assert con.execute("SELECT user_name, action, batch_id FROM audit_log WHERE action = 'directory' "
                           "ORDER BY id DESC LIMIT 1").fetchone() == ("王芳", "directory", s.batch_id)
    assert undo_batch(tmp_db, s.batch_id).regions == 1
    with connect(tmp_db, read_only=True) as con:
        assert directory.rows(con) == before
