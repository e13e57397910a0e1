"""Real browser: upload the sample tally through 数据上传, confirm, and see its figure in a chart."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import people
import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = next((ROOT / "data" / "samples" / "tallies").glob("*.xlsx"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_db: Path, tmp_path: Path):
    port = free_port()
    env = {**os.environ, "UNION_DB": str(tmp_db), "UNION_ARCHIVE": str(tmp_path / "archive")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.address",
         "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stderr.read().decode()[-2000:])
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.mark.browser
@pytest.mark.slow
def test_upload_confirm_and_see_the_figure(server: str, tmp_db: Path, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    from etl.tally import extract_tally_file

    facts = extract_tally_file(SAMPLE).facts
    chengguan = next(f for f in facts if f.region == "城关街道" and f.metric == "union_orgs_total")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        people.ensure(tmp_db, people.FIRST_ADMIN)
        page.goto(f"{server}/upload")
        people.sign_in_here(page, people.FIRST_ADMIN)  # uploading needs an account (viewing does not, locally)
        expect(page.get_by_text(f"已登录：{people.FIRST_ADMIN}")).to_be_visible(timeout=30_000)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(SAMPLE))
        confirm = page.get_by_role("button", name="确认导入")
        expect(confirm).to_be_enabled(timeout=30_000)
        expect(page.get_by_text("识别出的数据")).to_be_visible()
        confirm.click()
        expect(page.get_by_text("已导入批次 1")).to_be_visible(timeout=30_000)
        page.screenshot(path=str(tmp_path / "upload.png"), full_page=True)
        # a fresh session on the 工会组建 page, 上半年 view: the ranking bars carry their values
        page.goto(f"{server}/formation?period=H1")
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg', timeout=30_000)
        bars = page.locator('[data-testid="stPlotlyChart"]').filter(has_text="2025年工会组织总数")
        expect(bars).to_contain_text("城关街道", timeout=30_000)
        expect(bars).to_contain_text(f"{int(chengguan.value)}家")  # 911家: the uploaded cell 2025上半年!B5
        page.screenshot(path=str(tmp_path / "formation.png"), full_page=True)
        browser.close()
