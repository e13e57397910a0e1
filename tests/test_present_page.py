"""AppTest for 汇报模式: real Streamlit runs of app.py against the sample database on disk."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from chromium import CHROMIUM_ARGS
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from export import checks, deck

APP = Path(__file__).resolve().parent.parent / "app.py"


@pytest.fixture
def page(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("UNION_DB", str(sample_db))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("app_pages/present.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _title(at: AppTest) -> str:
    return next(h.proto.body for h in at.get("html") if "slide-title" in h.proto.body)


def _order(at: AppTest) -> list[str]:
    return list(at.session_state["present_order"])


def test_opens_on_the_first_slide_of_the_annual_deck(page: AppTest) -> None:
    assert _order(page) == list(deck.DEFAULT_DECK)
    assert "工会组建：工会组织总数" in _title(page) and "青禾区 · 2019–2024年" in _title(page)
    assert any("第 1 / 10 页" in m.value for m in page.markdown)
    assert len(page.get("plotly_chart")) == 1
    assert page.button(key="present_prev").disabled


def test_next_and_previous(page: AppTest) -> None:
    page.button(key="present_next").click().run()
    assert "工会组建：建会率" in _title(page)
    page.button(key="present_next").click().run()
    assert "会员发展：会员总数与职工总数" in _title(page)
    page.button(key="present_prev").click().run()
    assert "工会组建：建会率" in _title(page)
    assert any("第 2 / 10 页" in m.value for m in page.markdown)


def test_last_slide_disables_next(page: AppTest) -> None:
    for _ in range(12):
        if page.button(key="present_next").disabled:
            break
        page.button(key="present_next").click().run()
    assert page.session_state["present_idx"] == 9
    assert "建会率靠后的镇（街道）" in _title(page)


def test_move_drop_and_reset(page: AppTest) -> None:
    page.button(key="present_down").click().run()
    assert _order(page)[:2] == ["formation_rate", "formation"]
    assert "工会组建：工会组织总数" in _title(page)  # the current slide moved with its button
    page.button(key="present_drop").click().run()
    assert "formation" not in _order(page) and len(_order(page)) == 9
    page.multiselect(key="present_pick").unselect("hardship").run()
    assert "hardship" not in _order(page)
    page.multiselect(key="present_pick").select("members_new").run()
    assert _order(page)[-1] == "members_new"
    page.button(key="present_reset").click().run()
    assert _order(page) == list(deck.DEFAULT_DECK)


def test_full_screen_hides_editing_but_keeps_the_deck(page: AppTest) -> None:
    page.multiselect(key="present_pick").unselect("coverage_map").run()
    page.toggle(key="present_full").set_value(True).run()
    # (the sidebar keeps its filters: app.py draws them on every page; the CSS below hides the sidebar)
    assert not page.main.multiselect and not [b for b in page.button if b.key == "present_drop"]
    assert any("stSidebar" in h.proto.body and "display: none" in h.proto.body for h in page.get("html"))
    page.toggle(key="present_full").set_value(False).run()
    assert "coverage_map" not in _order(page) and len(_order(page)) == 9


def test_notes_show_figures_and_sources(page: AppTest) -> None:
    notes = page.get("text")[0].value
    assert notes.startswith("【图表】工会组建：工会组织总数") and "【来源】" in notes and "2024年 3,887家" in notes


def test_excel_download_is_offered_without_chromium(page: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(checks, "readiness", lambda: checks.Readiness(None, None))
    page.run()
    warnings = " ".join(w.value for w in page.warning)
    assert "未找到 Chromium" in warnings and "中文字体" in warnings
    assert page.button(key="present_make_pptx").disabled and page.button(key="present_make_png").disabled
    assert not page.button(key="present_make_xlsx").disabled
    page.button(key="present_make_xlsx").click().run()
    assert [b.label for b in page.get("download_button")] == ["下载全部数据（Excel）"]


def test_empty_database_says_so(tmp_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNION_DB", str(tmp_db))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("app_pages/present.py").run()
    assert not at.exception
    assert any("还没有可以汇报的数据" in i.value for i in at.info)


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="/usr/bin/chromium missing (make system-deps)")
def test_pptx_of_the_trimmed_deck(page: AppTest) -> None:
    page.multiselect(key="present_pick").unselect("coverage_map").run()
    page.button(key="present_make_pptx").click().run(timeout=180)
    assert not page.exception and not page.error
    _sig, data = page.session_state["present_pptx"]
    prs = Presentation(io.BytesIO(data))
    assert len(prs.slides) == 1 + 9
    assert next(b.label for b in page.get("download_button")) == "下载 PPTX"
    page.button(key="present_make_png").click().run(timeout=120)
    assert page.session_state["present_png"][1][:4] == b"\x89PNG"


# ---------------------------------------------------------------- the real app in Debian's chromium



@pytest.fixture
def served(sample_db: Path):
    """streamlit run app.py on a free loopback port against the sample database."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.address", "127.0.0.1", "--server.port", str(port)],
                            cwd=APP.parent, env={**os.environ, "UNION_DB": str(sample_db)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if urllib.request.urlopen(base + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="/usr/bin/chromium missing (make system-deps)")
def test_in_the_browser_next_and_full_screen(served: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            pg = browser.new_page(viewport={"width": 1600, "height": 1000})
            pg.goto(served + "/")
            pg.get_by_role("link", name="汇报模式").click()
            pg.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=60_000)
            sync_api.expect(pg.locator(".slide-title")).to_have_text("工会组建：工会组织总数")
            pg.get_by_role("button", name="下一页 ▶").click()
            sync_api.expect(pg.locator(".slide-title")).to_have_text("工会组建：建会率", timeout=20_000)
            sync_api.expect(pg.get_by_text("第 2 / 10 页")).to_be_visible()
            pg.get_by_text("全屏演示").click()
            sync_api.expect(pg.locator('[data-testid="stSidebar"]')).to_be_hidden(timeout=20_000)
            sync_api.expect(pg.get_by_text("编排本次汇报")).to_have_count(0)
            sync_api.expect(pg.locator(".slide-title")).to_have_text("工会组建：建会率")
        finally:
            browser.close()
