"""Can this machine export pictures? Chromium draws the PNGs, a CJK font draws the Chinese.

Without chromium kaleido cannot render at all; without a CJK font it renders
every Chinese character as an empty box while all text-based tests still pass.
Both are system packages (`make system-deps`), so the app checks for them and
says so in Chinese instead of failing half-way through an export.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK", "Noto Serif CJK", "Source Han", "WenQuanYi",
                "Droid Sans Fallback", "AR PL")
INSTALL_HINT = "请由管理员运行 make system-deps（安装 chromium 与 fonts-noto-cjk）后重启看板。"


@dataclass(frozen=True)
class Readiness:
    """What the export found; `problems` are Chinese sentences for the page."""

    chromium: str | None
    cjk_font: str | None

    @property
    def problems(self) -> list[str]:
        out = []
        if not self.chromium:
            out.append("未找到 Chromium 浏览器，无法把图表生成为图片（PNG/PPTX）。" + INSTALL_HINT)
        if not self.cjk_font:
            out.append("未找到中文字体（如 Noto Sans CJK），导出图片中的汉字会显示为方框。" + INSTALL_HINT)
        return out

    @property
    def ok(self) -> bool:
        return not self.problems


def find_chromium(candidates: Sequence[str] = CHROMIUM_CANDIDATES,
                  names: Sequence[str] = ("chromium", "chromium-browser")) -> str | None:
    """Path of a chromium kaleido can drive: $BROWSER_PATH first (kaleido honours it), then the usual places."""
    env = os.environ.get("BROWSER_PATH")
    paths = ([env] if env else []) + list(candidates) + [shutil.which(n) or "" for n in names]
    for path in paths:
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def find_cjk_font(fc_list: Sequence[str] = ("fc-list", ":lang=zh", "family")) -> str | None:
    """The first installed font family that covers Chinese, as fontconfig (which chromium uses) sees it."""
    try:
        out = subprocess.run(list(fc_list), capture_output=True, text=True, timeout=20, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    families = [f.strip() for line in out.splitlines() for f in line.split(",") if f.strip()]
    for wanted in CJK_FAMILIES:
        for fam in families:
            if fam.startswith(wanted):
                return fam
    return families[0] if families else None


@cache
def readiness() -> Readiness:
    """Checked once per process: installing system packages needs a restart anyway."""
    return Readiness(find_chromium(), find_cjk_font())
