"""Parsing in a child process with a memory cap and a time limit (etl/sandbox.py)."""

from __future__ import annotations

import time

import pytest

from etl import sandbox
from etl.limits import Refused


def grow(mb: int, seconds: float = 0.0) -> int:
    """Allocate `mb` MB (touching every page), then sleep: a stand-in for a parser on a heavy file."""
    blocks = [bytearray(1 << 20) for _ in range(mb)]
    time.sleep(seconds)
    return len(blocks)


def refuse() -> None:
    raise Refused("超过上限", "too_large")


def crash() -> None:
    raise KeyError("xl/workbook.xml")


def test_the_result_comes_back() -> None:
    out = sandbox.Outcome()
    assert sandbox.run(grow, 10, what="a.xlsx", outcome=out) == 10
    assert out.seconds < 30


def test_a_child_over_its_memory_cap_is_stopped() -> None:
    out = sandbox.Outcome()
    with pytest.raises(Refused) as exc:
        sandbox.run(grow, 600, 5, what="重表.xlsx", memory_mb=200, seconds=30, outcome=out)
    assert exc.value.code == "memory_limit" and "200 MB" in exc.value.message and "重表.xlsx" in exc.value.message
    assert 200 < out.peak_mb < 600 and out.seconds < 10


def test_a_child_over_its_time_limit_is_stopped() -> None:
    started = time.monotonic()
    with pytest.raises(Refused) as exc:
        sandbox.run(grow, 1, 30, what="慢.xlsx", seconds=0.5)
    assert exc.value.code == "time_limit" and "0.5 秒" in exc.value.message
    assert time.monotonic() - started < 10


def test_a_refusal_in_the_child_keeps_its_message() -> None:
    with pytest.raises(Refused, match="超过上限"):
        sandbox.run(refuse, what="x")


def test_a_crash_in_the_child_is_a_chinese_problem() -> None:
    with pytest.raises(Refused) as exc:
        sandbox.run(crash, what="坏.xlsx")
    assert exc.value.code == "extract_crash" and "KeyError" in exc.value.message and "原文件已存档" in exc.value.message
