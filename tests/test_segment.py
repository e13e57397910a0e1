"""etl/segment.py: document boundaries in glued files, titles, template placeholders."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from etl.normalize import normalize
from etl.read import read_report
from etl.segment import Segment, find_placeholders, split_documents

FIXTURES = Path(__file__).parent / "fixtures" / "reports"


def _split(path: Path) -> tuple[str, list[Segment]]:
    norm = normalize(read_report(path).text)
    return norm.text, split_documents(norm)


def _assert_cover(text: str, segs: list[Segment]) -> None:
    """Segments are numbered, contiguous, cover the text, and start at a line start."""
    assert [s.index for s in segs] == list(range(len(segs)))
    assert segs[0].start == 0 and segs[-1].end == len(text)
    for a, b in itertools.pairwise(segs):
        assert a.end == b.start
        assert text[b.start - 1] == "\n", text[b.start - 20 : b.start + 20]


def _seed(shared_dir: Path, prefix: str) -> Path:
    return next((shared_dir / "seeds").glob(f"{prefix}_*.txt"))


def test_glued_seed_003_splits_into_about_twenty_documents(shared_dir: Path) -> None:
    text, segs = _split(_seed(shared_dir, "003"))
    _assert_cover(text, segs)
    assert 12 <= len(segs) <= 24
    openings = [text[s.start : s.end].lstrip()[:20] for s in segs]
    # The 000 report (Simplified, XX年) comes first; then a district report, speeches, plans.
    assert openings[0].startswith("XX年上半年,xx镇总工会")
    expected_starts = (
        "上半年,区总工会主要围绕", "各位委员、同志们:", "各位基层工会干部:", "各位领导,同志们:",
        "工会工作会议讲话稿范文", "今年以来,在县委和上级工会", "各位代表、同志们:", "xx年度,学校工会工作",
    )  # fmt: skip
    for expected in expected_starts:
        assert any(o.startswith(expected) for o in openings), expected
    titles = [s.title for s in segs]
    assert "工会工作会议讲话稿范文(一)" in titles
    assert "工会女职工工作总结" in titles  # from the lead-in "下面是工会女职工工作总结,…"
    # "下半年工作要点:" and "下半年工作打算:" restart numbering inside one report: no split there.
    for s in segs:
        body = text[s.start : s.end]
        if "下半年工作打算:" in body:
            assert "一、以厂务公开为抓手" in body and "一、营造氛围" in body


def test_first_document_of_003_ends_before_the_district_report(shared_dir: Path) -> None:
    text, segs = _split(_seed(shared_dir, "003"))
    first = text[segs[0].start : segs[0].end]
    assert "全镇建立厂务公开和职代会制度2658家" in first
    assert "创模" not in first


@pytest.mark.parametrize(
    ("prefix", "title", "is_template", "some_placeholders"),
    [
        pytest.param("000", "总工会上半年工作情况总结范本", True, ("xx镇",), id="000-traditional-ruby-related-links"),
        pytest.param("001", "2022年度X总工会上半年工作总结和下半年工作思路", True, ("X街道", "X家", "X余名"),
                     id="001-template-lead-in"),
        pytest.param("002", "区工会2014年工作总结", False, (), id="002-one-line-boilerplate"),
    ],
)  # fmt: skip
def test_single_document_seeds(shared_dir: Path, prefix: str, title: str, is_template: bool, some_placeholders) -> None:
    text, segs = _split(_seed(shared_dir, prefix))
    assert len(segs) == 1
    _assert_cover(text, segs)
    assert segs[0].title == title
    assert segs[0].is_template is is_template
    assert set(some_placeholders) <= set(segs[0].placeholders)


def test_every_dev_page_is_one_document(shared_dir: Path) -> None:
    """Page chrome, datelines, tables as 'label | value' lines and signatures never split a page."""
    paths = sorted((shared_dir / "eval" / "dev" / "docs").glob("*.txt"))
    assert len(paths) == 30
    split = {p.name: len(_split(p)[1]) for p in paths}
    assert split == dict.fromkeys(split, 1)


@pytest.mark.parametrize(
    ("name", "titles", "first_words"),
    [
        pytest.param("glued_two_titled.txt", ["河西街道总工会2023年上半年工作总结", "河西街道总工会2023年工作总结"],
                     ["河西街道总工会2023年上半年", "河西街道总工会2023年工作总结"], id="two-titled-with-signatures"),
        pytest.param("glued_report_speech.txt", ["", ""], ["今年以来,在镇党委", "各位代表、同志们:"],
                     id="report-then-speech-after-thanks"),
        pytest.param("single_with_chrome.txt", ["石桥镇总工会2022年上半年工作总结"], ["当前位置:首页"],
                     id="chrome-plan-list-and-related-links-stay-one"),
        pytest.param("plain_report.txt", ["柳林镇总工会2021年工作总结"], ["柳林镇总工会2021年"], id="plain-report"),
        pytest.param("yearly_paragraphs.txt", ["金田县总工会第五次代表大会工作报告"], ["金田县总工会第五次"],
                     id="sections-opening-with-year-and-leadership-stay-one"),
    ],
)  # fmt: skip
def test_synthetic_files(name: str, titles: list[str], first_words: list[str]) -> None:
    text, segs = _split(FIXTURES / name)
    _assert_cover(text, segs)
    assert [s.title for s in segs] == titles
    assert [text[s.start : s.end].startswith(w) for s, w in zip(segs, first_words, strict=True)] == [True] * len(segs)


def test_glued_documents_keep_their_own_figures() -> None:
    text, segs = _split(FIXTURES / "glued_two_titled.txt")
    h1, fy = (text[s.start : s.end] for s in segs)
    assert "126家" in h1 and "126家" not in fy
    assert "133家" in fy and "133家" not in h1
    assert "2023年7月10日" in h1  # the signature and date close the first report


def test_segment_offsets_map_back_to_the_original(shared_dir: Path) -> None:
    """Segments are in cleaned offsets; NormText.span gives the original slice (Traditional, with ruby)."""
    original = read_report(_seed(shared_dir, "000")).text
    norm = normalize(original)
    (seg,) = split_documents(norm)
    s, e = norm.span(seg.start, seg.end)
    assert (s, e) == (0, len(original))
    assert original.startswith("總工會(huì )上半年工作情況總結范本")


def test_template_fixture_and_masked_year() -> None:
    _, segs = _split(FIXTURES / "masked_year.txt")
    assert segs[0].is_template and segs[0].placeholders == ("20xx年",)
    _, segs = _split(FIXTURES / "plain_report.txt")
    assert not segs[0].is_template and segs[0].placeholders == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("xx镇总工会上半年工作总结", ("xx镇",), id="xx镇"),
        pytest.param("XX县总工会召开全委会", ("XX县",), id="XX县"),
        pytest.param("我辖区共新建工会X家,共发展会员X余名。", ("X家", "X余名"), id="X家-X余名"),
        pytest.param("20xx年上半年工作总结", ("20xx年",), id="20xx年"),
        pytest.param("XX年公司工会按照市总工会安排", ("XX年",), id="XX年"),
        pytest.param("总结201*年工会工作", ("201*年",), id="201*年"),
        pytest.param("**街道总工会成立大会", ("**街道",), id="**街道"),
        pytest.param("××公司工会主席", ("××公司",), id="××公司"),
        pytest.param("○○镇工会", ("○○",), id="○○"),
        pytest.param("某某同志担任工会主席", ("某某",), id="某某"),
        pytest.param("区总X届X次全会精神", ("X届", "X次"), id="X届X次"),
        pytest.param("X新亚医疗科技股份有限公司", ("X新",), id="X-glued-to-name"),
        pytest.param("受表彰单位: (xx)医药科技公司", ("(xx)",), id="(xx)"),
    ],
)
def test_placeholders_found(text: str, expected: tuple[str, ...]) -> None:
    assert find_placeholders(normalize(text).text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("二〇〇八年工会工作总结", id="chinese-zeros-in-a-year"),
        pytest.param("组织职工进行X光体检", id="X光"),
        pytest.param("用Excel表格汇总数据,开展EBA培训", id="latin-words"),
        pytest.param("举办3x3篮球赛", id="3x3"),
        pytest.param("2015年全镇共有工会组织3021家", id="real-year"),
        pytest.param("**重点工作**:加强组建", id="markdown-bold"),
        pytest.param("全镇工会会员总数79801人,比去年增长5%", id="plain-figures"),
    ],
)
def test_no_false_placeholders(text: str) -> None:
    assert find_placeholders(normalize(text).text) == ()


@pytest.mark.parametrize("text", ["", "   \n\n", "工会"], ids=["empty", "blank-lines", "two-characters"])
def test_degenerate_text_gives_one_segment(text: str) -> None:
    segs = split_documents(normalize(text))
    assert len(segs) == 1 and (segs[0].start, segs[0].end) == (0, len(text))


def test_tiny_trailing_chrome_joins_the_document_before(tmp_path: Path) -> None:
    """A tag list after the body ("群众团体 年终总结 …") is not a document of its own."""
    body = "柳林镇总工会2021年工作总结\n" + "全镇共建立基层工会组织102家,会员总数7350人。" * 8 + "\n"
    text = body + "相关推荐:\n年终总结 工作总结 个人总结\n"
    segs = split_documents(normalize(text))
    assert len(segs) == 1


def test_windowed_placeholder_search_equals_a_full_scan(shared_dir: Path) -> None:
    """find_placeholders only searches around marker characters; it must find what a full scan finds."""
    from etl.segment import rules

    dev = shared_dir / "eval" / "dev" / "docs"
    paths = [*sorted((shared_dir / "seeds").glob("*.txt")), *sorted(dev.glob("*.txt")), *sorted(FIXTURES.glob("*.txt"))]
    flagged = 0
    for p in paths:
        text = normalize(read_report(p).text).text
        full = tuple(dict.fromkeys(m.group(0) for m in rules().placeholder.finditer(text)))
        assert find_placeholders(text) == full, p.name
        flagged += bool(full)
    assert flagged >= 5
