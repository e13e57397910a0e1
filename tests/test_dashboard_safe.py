"""Text from files shown as written: markdown escaped, links and icons inert (dashboard/safe.py).

What the browser draws is checked in tests/test_reliability.py (no request leaves for the image, the
text reads as written); here, that every character markdown would act on is escaped.
"""

from __future__ import annotations

import pytest

from dashboard.safe import md

CASES = {
    "image": "![x](http://127.0.0.1:9/a.png)镇",
    "link": "[点我](javascript:alert(1))",
    "html": "<img src=x onerror=alert(1)>街道",
    "bold": "**重要** _斜体_ `代码`",
    "colour": ":red[红色] :material/home: $x^2$",
    "heading": "# 标题\n- 列表\n> 引用",
    "bare_url": "见 http://example.com 和 www.example.com",
    "formula": '=HYPERLINK("http://x","点")',
}


SPECIAL = set("\\`*_{}[]()#+-.!|~<>$:&\"'=^")


def unescaped(out: str) -> list[str]:
    """Markdown characters in `out` not preceded by their backslash."""
    bare, i = [], 0
    while i < len(out):
        if out[i] == "\\":
            i += 2
            continue
        if out[i] in SPECIAL:
            bare.append(out[i])
        i += 1
    return bare


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
def test_every_markdown_character_is_escaped(text: str) -> None:
    out = md(text)
    assert unescaped(out) == []
    assert out.replace("\\", "").replace("\u200b", "") == text  # nothing but escapes was added


def test_bare_addresses_and_icons_are_broken_invisibly() -> None:
    assert "://" not in md("http://example.com") and "www." not in md("www.example.com")
    assert ":material/" not in md(":material/home:").replace("\\", "")


def test_plain_chinese_is_unchanged() -> None:
    assert md("白沙镇总工会2024年工作总结") == "白沙镇总工会2024年工作总结"
    assert md(None) == ""
