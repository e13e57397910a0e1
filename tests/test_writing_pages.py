"""The 核对稿件 and 起草数字段落 pages under AppTest on the sample database."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from streamlit.testing.v1 import AppTest

from dashboard import db

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
DRAFT = ("青禾区总工会2024年工作报告\n截至2024年底，全区共有基层工会组织3,900家，较上年增加199家；"
         "建会率达97.3%。其中白沙镇建会率达到95.2%。<b>开展</b>劳动竞赛6场。")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def app(sample_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("UNION_DB", str(sample_db))
    monkeypatch.setenv("UNION_ARCHIVE", str(tmp_path / "archive"))
    db.forget()
    return AppTest.from_file(APP, default_timeout=90).run()


def test_check_a_pasted_draft(app: AppTest) -> None:
    at = app.switch_page("app_pages/check_draft.py").run()
    assert not at.exception
    at.text_area(key="draft_text").set_value(DRAFT).run()
    at.button(key="draft_go").click().run()
    assert not at.exception, [e.message for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"数字": "5", "一致": "2", "不一致": "2", "库中无此数据": "0", "未核对": "1"}
    problems = [m.value for m in at.markdown if m.value.startswith(":red[")]
    assert any("“3,900家”" in p for p in problems) and any("白沙镇" in p for p in problems)
    html = next(m.value for m in at.markdown if 'class="draft"' in m.value)
    assert "&lt;b&gt;开展&lt;/b&gt;" in html and "<b>" not in html  # the draft is shown as text
    assert html.count("fig-differs") == 2 and "sources?src_region=" in html
    at.button(key="draft_src_0").click().run()  # 查看来源 of the first wrong figure
    assert not at.exception, [e.message for e in at.exception]
    assert at.title[0].value == "数据来源" and at.query_params["src_metric"] == "工会组织总数"


def test_upload_a_docx_and_download_the_comments(app: AppTest, tmp_path: Path) -> None:
    src = Document()
    for line in DRAFT.split("\n"):
        src.add_paragraph(line)
    buf = io.BytesIO()
    src.save(buf)
    at = app.switch_page("app_pages/check_draft.py").run()
    at.radio(key="draft_source").set_value("上传文件").run()
    at.file_uploader(key="draft_file").upload("征求意见稿.docx", buf.getvalue(), DOCX).run()
    at.button(key="draft_go").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert {m.label: m.value for m in at.metric}["不一致"] == "2"
    assert list((tmp_path / "archive").rglob("*.docx"))  # archived before it was read
    assert "2 处批注" in at.get("download_button")[0].proto.label


def test_an_unreadable_upload_says_why(app: AppTest) -> None:
    at = app.switch_page("app_pages/check_draft.py").run()
    at.radio(key="draft_source").set_value("上传文件").run()
    at.file_uploader(key="draft_file").upload("稿件.docx", b"not a zip", DOCX).run()
    at.button(key="draft_go").click().run()
    assert not at.exception
    assert at.error and "不是有效的 .docx" in at.error[0].value


def test_draft_paragraphs_page(app: AppTest) -> None:
    at = app.switch_page("app_pages/draft_paragraphs.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert [s.value for s in at.subheader][:4] == ["一、工会组建", "二、会员发展", "三、集体合同", "四、困难帮扶"]
    assert at.code[0].value.startswith("一、工会组建\n截至2024年底，全区共有基层工会组织3,887家")
    at.selectbox(key="para_region").set_value("白沙镇").run()
    at.radio(key="para_period").set_value("上半年").run()
    assert "截至2024年6月底，全镇" in at.code[0].value  # the year chosen stays
    assert 2025 in at.selectbox(key="para_year").options or "2025年" in at.selectbox(key="para_year").options
    at.selectbox(key="para_year").set_value(2025).run()
    assert "截至2025年6月底，全镇" in at.code[0].value


def test_both_pages_on_an_empty_database(tmp_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNION_DB", str(tmp_db))
    monkeypatch.setenv("UNION_ARCHIVE", str(tmp_path / "archive"))
    db.forget()
    at = AppTest.from_file(APP, default_timeout=90).run()
    at = at.switch_page("app_pages/draft_paragraphs.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert "还没有数据" in at.info[0].value
    at = at.switch_page("app_pages/check_draft.py").run()
    at.text_area(key="draft_text").set_value("截至2024年底，全区共有基层工会组织3,887家。").run()
    at.button(key="draft_go").click().run()
    assert not at.exception, [e.message for e in at.exception]
    counts = {m.label: m.value for m in at.metric}
    assert counts["数字"] == "1" and counts["一致"] == counts["不一致"] == "0"  # nothing to check it against
