"""Ingest: expand paths → archive bytes → extract → load, each stage callable alone.

`ingest_paths` only chains the stages. Reading and extraction run before the
database is opened for writing, so the write lock is held for the short
write phase only, and a reader that blows up on one file becomes a Chinese
problem on that file instead of a crash of the batch.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from etl import db
from etl.archive import ArchiveError, archive_bytes, sha256_of
from etl.audit import Actor
from etl.batches import FileOutcome, LoadSummary
from etl.bounded import extract, failed
from etl.errors import UnionError
from etl.limits import Inspection, Refused, check_size, inspect
from etl.load import load_files
from etl.model import ExtractedFile
from etl.read import is_tally
from etl.regions import Choice

log = logging.getLogger(__name__)

# Files a folder may hold that are not inputs: notes, code, gold annotations.
SKIP_SUFFIXES = (".md", ".py", ".jsonl", ".pyc", ".toml", ".json")
SKIP_PREFIXES = ("README", "readme", "~$", ".")


def _skipped_in_folder(path: Path, root: Path) -> bool:
    rel = path.relative_to(root)
    if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
        return True
    return path.name.startswith(SKIP_PREFIXES) or path.suffix.lower() in SKIP_SUFFIXES


def expand_paths(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Files named directly, plus the input files under each folder (recursive, sorted by path).

    A missing path is yielded as is, so the load reports it by name.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and not _skipped_in_folder(p, path))
        else:
            yield path


def extract_path(path: Path | str, data: bytes | None = None, inspection: Inspection | None = None, *,
                 max_mb: float | None = None, region: str | None = None) -> ExtractedFile:
    """Dispatch one file to its extractor with bounded work; any failure becomes an error Problem (never raises).

    `data` is the file's bytes when the caller has read them already (the ingest reads each file once, so
    what is archived is what is extracted). `max_mb`: the size limit for tallies (settings.tally_max_mb;
    default the lexicon's). `region`: the reporting body of a report, as its sender names it (the text's
    guess otherwise).
    """
    path = Path(path)
    kind = "tally" if is_tally(path) else "report"
    if data is None:
        got = _read(path)
        if isinstance(got, ExtractedFile):
            return got
        data = got
    try:
        return extract(path, data, inspection, max_mb=max_mb, region=region)
    except UnionError as exc:  # ours (ReadError, TallyReadError …): a Chinese message that names the file
        return failed(path, str(exc), data, "read_error", kind)
    except Exception as exc:  # a bug: one bad file must not stop the batch
        log.debug("extractor failed on %s:\n%s", path, traceback.format_exc())
        message = f"读取或解析时出错（{type(exc).__name__}: {exc}）。原文件已存档，请把它发给管理员检查。"
        return failed(path, message, data, "extract_crash", kind)


def _read(path: Path) -> bytes | ExtractedFile:
    """The file's bytes after its size passed the limit (checked before reading), or a failed ExtractedFile."""
    if not path.exists():
        return failed(path, f"找不到文件或文件夹：{path}。请检查路径。", code="not_found")
    try:
        check_size(path.name, path.stat().st_size)
        return path.read_bytes()
    except Refused as exc:
        return failed(path, exc.message, code=exc.code)  # not read, not archived (etl.load skips the code)
    except OSError as exc:
        return failed(path, f"无法读取文件 {path}：{exc.strerror or exc}。", code="unreadable")


def read_and_archive(path: Path, archive_dir: Path | str) -> tuple[bytes, str, Inspection] | ExtractedFile:
    """(bytes, sha256, inspection) after the bytes passed the limits and are safe in the archive, or a failure.

    A file over a size, decompressed-size or cell limit is refused before it is read whole or archived.
    """
    data = _read(path)
    if isinstance(data, ExtractedFile):
        return data
    try:
        insp = inspect(data, path.name)
    except Refused as exc:
        return failed(path, exc.message, data, code=exc.code)  # kept out of the archive
    sha = sha256_of(data)
    try:
        archive_bytes(data, path.name, archive_dir, sha256=sha)
    except ArchiveError as exc:
        return failed(path, str(exc), data, code="archive_failed")
    return data, sha, insp


def _held_shas(db_path: Path | str) -> dict[str, int]:
    """sha256 → batch id of files in active batches, to skip extracting them (load re-checks under the lock)."""
    if not Path(db_path).exists():
        return {}
    try:
        with db.connect(db_path, read_only=True, wait=0.2) as con:  # an older release's file is upgraded first
            return dict(con.execute(
                "SELECT f.sha256, min(f.batch_id) FROM files f JOIN batches b ON b.id = f.batch_id "
                "WHERE b.status = 'loaded' GROUP BY f.sha256").fetchall())
    except db.DatabaseBusy:  # archive and extract anyway; the write phase waits for the lock
        return {}


def ingest_paths(paths: Iterable[Path | str], *, db_path: Path | str, archive_dir: Path | str,
                 user: str | Actor | None = None, note: str | None = None, wait: float | None = None,
                 max_mb: float | None = None, region: str | None = None,
                 confirmed_by: str | None = None, region_choices: Mapping[str, Choice] | None = None,
                 new_regions_under: str | None = None, received_on: dt.date | None = None) -> LoadSummary:
    """Load files and folders as one batch: archive first, extract outside the lock, write in one transaction.

    `region` names the reporting body of every report (the sender's word beats the text's guess);
    `confirmed_by` loads every figure as checked by that person; `region_choices` and
    `new_regions_under` decide names the directory lacks, `received_on` dates the material
    (see load.load_files).
    """
    held = _held_shas(db_path)
    extracted: list[ExtractedFile] = []
    order: list[ExtractedFile | FileOutcome] = []  # input order, for the summary
    for path in expand_paths(paths):
        got = read_and_archive(path, archive_dir)
        if isinstance(got, ExtractedFile):
            f = got
        elif got[1] in held:  # already loaded: no need to parse it again
            order.append(FileOutcome(path.name, got[1], "tally" if is_tally(path) else "report", "skipped",
                                     f"内容与批次 {held[got[1]]} 中已导入的文件相同，未重复导入。"))
            continue
        else:
            f = extract_path(path, got[0], got[2], max_mb=max_mb, region=region)
        extracted.append(f)
        order.append(f)
    summary = load_files(db_path, extracted, archive_dir=archive_dir, user=user, note=note, wait=wait,
                         confirmed_by=confirmed_by, region_choices=region_choices,
                         new_regions_under=new_regions_under, received_on=received_on)
    by_input = iter(summary.files)
    summary.files = [o if isinstance(o, FileOutcome) else next(by_input) for o in order]
    return summary

