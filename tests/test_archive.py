"""Content-addressed archive: written once, atomically, never overwritten."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from etl.archive import ArchiveError, archive_bytes, find_archived, read_archived, sha256_of

REPORT = "城关街道总工会2015年上半年工作总结\n全街道共有基层工会组织120家。\n".encode()


@pytest.mark.parametrize(
    ("name", "suffix"),
    [("报告.txt", ".txt"), ("统计表.XLSX", ".xlsx"), ("无扩展名", ""), ("奇怪.扩展名", "")],
    ids=["txt", "upper-xlsx", "no-ext", "chinese-ext"],
)
def test_path_is_sha256_with_original_suffix(tmp_path: Path, name: str, suffix: str) -> None:
    sha = hashlib.sha256(REPORT).hexdigest()
    path = archive_bytes(REPORT, name, tmp_path)
    assert path == tmp_path / sha[:2] / f"{sha}{suffix}"
    assert path.read_bytes() == REPORT
    assert find_archived(sha, tmp_path) == path


def test_same_bytes_twice_share_one_entry_and_are_not_rewritten(tmp_path: Path) -> None:
    first = archive_bytes(REPORT, "a.txt", tmp_path)
    mtime = first.stat().st_mtime_ns
    second = archive_bytes(REPORT, "b.docx", tmp_path)  # another name, same content
    assert second == first
    assert first.stat().st_mtime_ns == mtime
    assert [p.name for p in first.parent.iterdir()] == [first.name]  # no temp files left


def test_different_bytes_different_entries(tmp_path: Path) -> None:
    a = archive_bytes(REPORT, "a.txt", tmp_path)
    b = archive_bytes(REPORT + b"x", "a.txt", tmp_path)
    assert a != b and a.read_bytes() != b.read_bytes()


def test_archive_and_read_back(tmp_path: Path) -> None:
    archive_bytes(REPORT, "报告.txt", tmp_path / "archive")
    assert read_archived(sha256_of(REPORT), tmp_path / "archive") == REPORT


def test_tampered_archive_is_detected(tmp_path: Path) -> None:
    path = archive_bytes(REPORT, "a.txt", tmp_path)
    path.write_bytes(REPORT[:-3] + b"!!!")
    with pytest.raises(ArchiveError, match="校验值不符"):
        read_archived(sha256_of(REPORT), tmp_path)
    with pytest.raises(ArchiveError, match="大小不一致"):
        archive_bytes(REPORT + b"more", "a.txt", tmp_path, sha256=sha256_of(REPORT))


def test_missing_entry_says_so(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError, match="找不到"):
        read_archived("0" * 64, tmp_path)


def test_concurrent_writers_of_same_bytes(tmp_path: Path) -> None:
    data = os.urandom(2_000_000)
    results: list[Path] = []
    threads = [threading.Thread(target=lambda: results.append(archive_bytes(data, "x.bin", tmp_path)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1
    assert results[0].read_bytes() == data
    assert len(list(results[0].parent.iterdir())) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_unwritable_archive_gives_chinese_error(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        with pytest.raises(ArchiveError, match="无法把文件"):
            archive_bytes(REPORT, "a.txt", ro)
    finally:
        ro.chmod(0o700)


def test_archive_dir_that_is_a_file_gives_chinese_error(tmp_path: Path) -> None:
    blocker = tmp_path / "archive"
    blocker.write_text("not a folder")
    with pytest.raises(ArchiveError, match=r"无法把文件 a\.txt 存入归档目录"):
        archive_bytes(REPORT, "a.txt", blocker)


def test_previews_expire_and_loaded_files_stay(tmp_path: Path) -> None:
    """Upload previews live in archive/previews/ and go after their time; the archive proper is never swept."""
    import time

    from etl.archive import archive_preview, expire_previews, preview_dir

    kept = archive_bytes(REPORT, "loaded.txt", tmp_path)
    old = archive_preview(b"looked at, never loaded", "a.xlsx", tmp_path)
    new = archive_preview(b"looked at just now", "b.xlsx", tmp_path)
    os.utime(old, (time.time() - 3 * 3600, time.time() - 3 * 3600))
    assert old.parent.parent == preview_dir(tmp_path)
    assert expire_previews(tmp_path, max_age_hours=2) == [old]
    assert not old.exists() and new.exists() and kept.exists()
    assert expire_previews(tmp_path, max_age_hours=0, now=time.time() + 60) == [new]
    assert kept.exists()


def test_sending_a_preview_again_starts_its_time_over(tmp_path: Path) -> None:
    import time

    from etl.archive import archive_preview, expire_previews

    p = archive_preview(b"x", "a.csv", tmp_path)
    os.utime(p, (time.time() - 10 * 3600, time.time() - 10 * 3600))
    archive_preview(b"x", "a.csv", tmp_path)
    assert expire_previews(tmp_path, max_age_hours=2) == []
