"""Real browser (Debian chromium): 核对稿件 with a pasted and an uploaded draft, the commented .docx downloaded,
a figure's source opened; 起草数字段落 for two scopes, its .docx downloaded. Screenshots go where
test_browser.py puts them (SCREENSHOTS_DIR or a temp folder)."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from chromium import SHOTS, start_server
from docx import Document

from etl.catalog import load_catalog

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DRAFT = ("青禾区总工会2024年工作报告（征求意见稿）\n"
         "截至2024年底，全区共有基层工会组织3,987家，较上年增加199家，增长5.4%；建会率达97.3%，完成年度目标的102.4%。\n"
         "全区共有工会会员26.13万人，职工入会率达97%，较上年提高1.8个百分点。全年新发展会员2.63万人。\n"
         "全年走访慰问困难职工家庭2,403户，发放慰问金386.2万元；其中白沙镇建会率达到96.3%。开展劳动竞赛6场。")
WRONG = {"3,987家", "2.63万人", "96.3%"}


@pytest.fixture(scope="module")
def server(sample_db, tmp_path_factory):
    import os

    archive = tmp_path_factory.mktemp("archive")
    os.environ["UNION_ARCHIVE"] = str(archive)  # inherited by the server process
    try:
        proc, base = start_server(sample_db)
    finally:
        os.environ.pop("UNION_ARCHIVE", None)
    yield base, archive
    proc.terminate()
    proc.wait(timeout=10)



@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1440, "height": 2000}, locale="zh-CN", accept_downloads=True)
    yield ctx.new_page()
    ctx.close()


def _comments(path: Path) -> int:
    return len(Document(io.BytesIO(path.read_bytes())).comments)


def test_check_a_pasted_draft_download_the_comments_and_open_a_source(server, page, tmp_path):
    from playwright.sync_api import expect

    base, _ = server
    page.goto(f"{base}/check_draft")
    page.get_by_label("稿件内容").fill(DRAFT)
    page.get_by_role("button", name="开始核对").click()
    page.wait_for_selector(".draft .fig", timeout=60_000)
    wrong = page.locator(".draft .fig-differs")
    expect(wrong).to_have_count(3)
    assert set(wrong.all_inner_texts()) == WRONG
    expect(page.locator(".draft .fig-match")).to_have_count(9)
    expect(page.locator(".draft .fig-not_checked")).to_have_count(1)
    expect(page.get_by_text("库中为3,887家；建议改为“3,887家”")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "check_draft.png"), full_page=True)

    with page.expect_download() as dl:
        page.get_by_role("button", name="下载带批注的稿件").click()
    saved = tmp_path / dl.value.suggested_filename
    dl.value.save_as(saved)
    assert saved.name == "粘贴的稿件（核对意见）.docx" and _comments(saved) == 3

    with page.context.expect_page() as tab:  # a figure opens its source in a new tab; the check stays
        page.locator(".draft .fig-match").filter(has_text="2,403户").click()
    src = tab.value
    src.wait_for_load_state()
    expect(src.locator("mark").first).to_contain_text("2403户", timeout=30_000)
    # 数据来源's link names the metric as people read it (issue 11 puts labels, not codes, into links).
    query = parse_qs(urlsplit(src.url).query)
    assert query["src_metric"] == [load_catalog()["aid_households"].name_zh]
    expect(page.locator(".draft .fig-differs")).to_have_count(3)


def test_check_an_uploaded_docx(server, page, tmp_path):
    from playwright.sync_api import expect

    base, archive = server
    doc = Document()
    for line in DRAFT.split("\n"):
        doc.add_paragraph(line)
    path = tmp_path / "征求意见稿.docx"
    doc.save(path)
    page.goto(f"{base}/check_draft")
    page.get_by_text("上传文件").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    page.get_by_role("button", name="开始核对").click()
    expect(page.locator(".draft .fig-differs")).to_have_count(3, timeout=60_000)
    with page.expect_download() as dl:
        page.get_by_role("button", name="下载带批注的稿件").click()
    saved = tmp_path / "out.docx"
    dl.value.save_as(saved)
    assert dl.value.suggested_filename == "征求意见稿（核对意见）.docx" and _comments(saved) == 3
    assert list(archive.rglob("*.docx"))


def test_draft_paragraphs_for_two_scopes(server, page, tmp_path):
    from playwright.sync_api import expect

    base, _ = server
    page.goto(f"{base}/draft_paragraphs")
    page.wait_for_selector(".paragraph .fig", timeout=60_000)
    first = page.locator(".paragraph").first
    expect(first).to_contain_text("截至2024年底，全区共有基层工会组织3,887家，较上年增加199家，增长5.4%")
    assert first.locator(".fig").first.get_attribute("href").startswith("sources?src_region=")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "draft_paragraphs.png"), full_page=True)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="地区").click()
    page.get_by_role("option", name="白沙镇").click()
    expect(first).to_contain_text("全镇共有基层工会组织385家", timeout=30_000)
    expect(page.locator('[data-testid="stCode"]')).to_contain_text("一、工会组建")
    with page.expect_download() as dl:
        page.get_by_role("button", name="下载 .docx").click()
    saved = tmp_path / "p.docx"
    dl.value.save_as(saved)
    text = "\n".join(p.text for p in Document(io.BytesIO(saved.read_bytes())).paragraphs)
    assert "全镇共有基层工会组织385家" in text and "数据来源" in text
