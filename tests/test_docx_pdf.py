"""etl/docx_pdf.py, through read_report: .docx paragraphs and tables in order, a text PDF with wraps undone."""

from __future__ import annotations

import io
from pathlib import Path

from etl.read import read_report

FIXTURES = Path(__file__).parent / "fixtures" / "reports"


def test_docx_paragraphs_and_tables_in_document_order(tmp_path: Path) -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph("柳林镇总工会2021年工作总结")
    doc.add_paragraph("全年工作取得新成效，主要指标如下：")
    table = doc.add_table(rows=3, cols=2)
    for row, (label, value) in zip(table.rows, [("指标", "数值"), ("基层工会组织", "102家"), ("会员总数", "7350人")],
                                   strict=True):  # fmt: skip
        row.cells[0].text = label
        row.cells[1].text = value
    merged = doc.add_table(rows=1, cols=3)
    merged.rows[0].cells[0].merge(merged.rows[0].cells[1])
    merged.rows[0].cells[0].text = "集体合同企业"
    merged.rows[0].cells[2].text = "64家"
    doc.add_paragraph("全年累计帮扶困难职工48户。")
    buf = io.BytesIO()
    doc.save(buf)
    path = tmp_path / "年报.docx"
    path.write_bytes(buf.getvalue())

    r = read_report(path)
    assert r.fmt == "docx"
    assert r.text.split("\n") == [
        "柳林镇总工会2021年工作总结",
        "全年工作取得新成效，主要指标如下：",
        "指标 | 数值",
        "基层工会组织 | 102家",
        "会员总数 | 7350人",
        "集体合同企业 | 64家",
        "全年累计帮扶困难职工48户。",
    ]


def test_text_pdf_fixture(tmp_path: Path) -> None:
    """text_report.pdf was printed once from plain_report.txt with chromium --print-to-pdf (Noto Sans CJK)."""
    r = read_report(FIXTURES / "text_report.pdf")
    assert r.fmt == "pdf"
    # Radical code points (⼯) are mapped back and the PDF's line wraps undone.
    assert "⼯" not in r.text
    assert "全年工作取得新成效。" in r.text
    assert "全镇共建立基层工会组织102家，会员总数7350人，职工入会率92.5%。全年签订集体合同企业64家" in r.text
    assert r.text.split("\n")[0] == "柳林镇总工会2021年工作总结"
