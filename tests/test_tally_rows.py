"""A table's rows kept as lists (etl/tally/rows.py) read back as the Row objects they stand for."""

from __future__ import annotations

import pickle

from etl.tally.rows import Row, Rows


def test_rows_hold_what_was_added_in_order() -> None:
    rows = Rows([Row(2, "data", "白沙镇")])
    rows.extend_run(3, 5, ["x", "x", "x", "data", "total"], ["", "", "", "青石镇", "合计"])
    rows.append(Row(5, "note"))
    assert list(rows) == [Row(2, "data", "白沙镇"), Row(3, "data", "青石镇"), Row(4, "total", "合计"), Row(5, "note")]
    assert len(rows) == 4 and rows[1] == Row(3, "data", "青石镇") and rows[-1].kind == "note"
    assert rows == list(rows) and rows != Rows()


def test_data_gives_the_data_rows_and_their_regions() -> None:
    rows = Rows([Row(1, "blank"), Row(2, "data", "白沙镇"), Row(3, "total", "合计"), Row(4, "data", None)])
    index, region = rows.data()
    assert index.tolist() == [2, 4] and region.tolist() == ["白沙镇", None]
    empty_index, empty_region = Rows().data()
    assert len(empty_index) == 0 and len(empty_region) == 0


def test_rows_survive_pickling() -> None:  # big tallies are analysed in a child process (etl/bounded.py)
    rows = Rows([Row(2, "data", "白沙镇"), Row(3, "note")])
    assert pickle.loads(pickle.dumps(rows)) == rows
