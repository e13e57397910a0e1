"""System checks for picture export: chromium and a CJK font, with Chinese messages when missing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from export import checks


def test_missing_chromium_is_found_missing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    assert checks.find_chromium([str(tmp_path / "chromium")], names=()) is None


def test_browser_path_env_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "my-chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(fake))
    assert checks.find_chromium([], names=()) == str(fake)


def test_not_executable_is_not_a_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    fake = tmp_path / "chromium"
    fake.write_text("not a program")
    assert checks.find_chromium([str(fake)], names=()) is None


@pytest.mark.parametrize(("listing", "expected"), [
    ("Noto Sans CJK JP,Noto Sans CJK JP Regular\nNoto Sans CJK SC,Noto Sans CJK SC Regular\n", "Noto Sans CJK SC"),
    ("WenQuanYi Micro Hei,文泉驿微米黑\n", "WenQuanYi Micro Hei"),
    ("Some Other Chinese Font\n", "Some Other Chinese Font"),
    ("", None),
], ids=["思源黑体优先", "文泉驿", "其他中文字体", "没有中文字体"])
def test_cjk_font_from_fontconfig_listing(listing: str, expected: str | None) -> None:
    assert checks.find_cjk_font(["printf", "%s", listing]) == expected


def test_missing_fc_list_means_no_font() -> None:
    assert checks.find_cjk_font(["/nonexistent/fc-list"]) is None


@pytest.mark.parametrize(("chromium", "font", "words"), [
    (None, "Noto Sans CJK SC", ["Chromium", "make system-deps"]),
    ("/usr/bin/chromium", None, ["中文字体", "方框", "make system-deps"]),
    (None, None, ["Chromium", "中文字体"]),
], ids=["缺浏览器", "缺中文字体", "都缺"])
def test_problems_are_clear_chinese(chromium: str | None, font: str | None, words: list[str]) -> None:
    r = checks.Readiness(chromium, font)
    text = "".join(r.problems)
    assert not r.ok
    for w in words:
        assert w in text


def test_ready_has_no_problems() -> None:
    assert checks.Readiness("/usr/bin/chromium", "Noto Sans CJK SC").problems == []


@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="/usr/bin/chromium missing (make system-deps)")
def test_this_machine_is_ready() -> None:
    r = checks.readiness()
    assert r.ok, r.problems
