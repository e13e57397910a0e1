"""Content-addressed archive of every original file, written before parsing.

The promise to the people who upload is "nothing is lost": whatever happens in
extraction or loading, the bytes they sent are kept under their sha256 and can
be re-read later (a better extractor, an audit). A file is written once,
atomically (temp file in the same folder, fsync, then a hard link that fails
if the name exists), and never overwritten; the same bytes sent twice share
one archive entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from etl.errors import UnionError


class ArchiveError(UnionError):
    """The archive could not keep a file; the message says why, in Chinese, and names it."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _suffix(name: str | None) -> str:
    """Lower-case extension of the original name, kept so an archived file opens in the right program."""
    suffix = Path(name or "").suffix.lower()
    return suffix if suffix.isascii() and 1 < len(suffix) <= 8 and suffix[1:].isalnum() else ""


def find_archived(sha256: str, archive_dir: Path | str) -> Path | None:
    """The archived file with this sha256, whatever its extension, or None."""
    folder = Path(archive_dir) / sha256[:2]
    if not folder.is_dir():
        return None
    for p in sorted(folder.glob(f"{sha256}*")):
        if p.name == sha256 or p.name.startswith(sha256 + "."):
            return p
    return None


def archive_bytes(data: bytes, name: str | None, archive_dir: Path | str, sha256: str | None = None) -> Path:
    """Store `data` under archive_dir/<sha[:2]>/<sha><ext> unless already there; return its path.

    Safe when two processes archive the same bytes at once: the loser's link
    fails with FileExistsError and it returns the winner's (identical) file.
    """
    sha = sha256 or sha256_of(data)
    existing = find_archived(sha, archive_dir)
    if existing is not None:
        if existing.stat().st_size != len(data):
            raise ArchiveError(f"归档文件 {existing} 与原文件大小不一致，归档可能已损坏，请联系管理员检查。")
        return existing
    folder = Path(archive_dir) / sha[:2]
    target = folder / f"{sha}{_suffix(name)}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):
                os.link(tmp, target)  # atomic and never replaces an existing name
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
    except OSError as exc:
        raise ArchiveError(f"无法把文件 {name or sha[:12]} 存入归档目录 {archive_dir}：{exc.strerror or exc}。"
                           "文件未导入，请检查磁盘空间和目录权限后重试。") from exc
    return target


def read_archived(sha256: str, archive_dir: Path | str) -> bytes:
    """The original bytes, checked against their hash."""
    path = find_archived(sha256, archive_dir)
    if path is None:
        raise ArchiveError(f"归档中找不到文件 {sha256[:12]}…（目录 {archive_dir}）。")
    data = path.read_bytes()
    if sha256_of(data) != sha256:
        raise ArchiveError(f"归档文件 {path} 的内容与记录的校验值不符，可能已被改动。")
    return data


# ---- upload previews ------------------------------------------------------------------------------------------------
# A page upload is archived before it is parsed, but many are only looked at and never loaded
# (5 files, 158 MB in one measured session). They go to <archive>/previews/ instead, in the same
# layout; loading a file archives it in the archive proper (etl.load does), and previews older
# than limits().preview_hours are deleted by `expire_previews`.

PREVIEWS = "previews"


def preview_dir(archive_dir: Path | str) -> Path:
    return Path(archive_dir) / PREVIEWS


def archive_preview(data: bytes, name: str | None, archive_dir: Path | str) -> Path:
    """Keep an uploaded file that is being looked at (not loaded yet); its mtime says when it was last sent."""
    path = archive_bytes(data, name, preview_dir(archive_dir))
    with contextlib.suppress(OSError):
        os.utime(path)  # sent again: its time starts over
    return path


def expire_previews(archive_dir: Path | str, max_age_hours: float | None = None,
                    now: float | None = None) -> list[Path]:
    """Delete previews older than `max_age_hours` (default limits().preview_hours); returns what was deleted.

    A preview that was loaded has its own copy in the archive proper, so nothing referenced is lost.
    """
    import time

    from etl.limits import limits

    folder = preview_dir(archive_dir)
    if not folder.is_dir():
        return []
    hours = limits().preview_hours if max_age_hours is None else max_age_hours
    cutoff = (time.time() if now is None else now) - hours * 3600
    gone = []
    for p in folder.glob("*/*"):
        with contextlib.suppress(FileNotFoundError):
            if p.is_file() and p.stat().st_mtime < cutoff:
                p.unlink()
                gone.append(p)
    return gone
