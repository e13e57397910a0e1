"""Streamlit sessions without a browser: the app's own websocket protocol, for load tests.

A browser tab is a websocket to /_stcore/stream that sends BackMsg.rerun_script
(the page to run and the widget values) and receives ForwardMsgs until
`script_finished`. `Session` does the same from asyncio, so twenty sessions
cost the load generator little CPU and the server does exactly the work it
does for twenty people (scripts, queries, charts serialised to protobuf). The
time of a page is from the request to `script_finished`; what a reader would
see as an error (a traceback element, an st.error box) is counted.

    .venv/bin/python bench/sessions.py [--db PATH]   # one session over every page, warm and cold

Only 127.0.0.1 is ever contacted (`start_server` binds there, `Session` refuses other hosts).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
MESSAGE_TIMEOUT = 60.0  # seconds without any message: the run is counted as failed


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def start_server(db: Path, archive: Path | None = None, env: dict[str, str] | None = None,
                 log: Path | None = None):
    """`streamlit run app.py` on 127.0.0.1 and a free port; yields (process, port); always stopped."""
    port = free_port()
    full_env = {**os.environ, "UNION_DB": str(db), "UNION_ARCHIVE": str(archive or db.parent / "archive"),
                **(env or {})}
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.address", HOST, "--server.port", str(port), "--server.fileWatcherType", "none"],
        cwd=ROOT, env=full_env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 40
        while True:
            try:
                if urllib.request.urlopen(f"http://{HOST}:{port}/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("streamlit did not start") from None
                time.sleep(0.3)
        yield proc, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()


@dataclass
class Widget:
    id: str
    kind: str  # element type: selectbox, button, text_input …
    label: str
    options: list[str] = field(default_factory=list)


@dataclass
class Run:
    """One page run as the session saw it."""

    page: str
    seconds: float
    ok: bool  # script_finished arrived
    exceptions: list[str] = field(default_factory=list)  # traceback elements (what must never happen)
    errors: list[str] = field(default_factory=list)  # st.error boxes
    texts: list[str] = field(default_factory=list)  # markdown, alerts, toasts: for assertions
    widgets: dict[str, Widget] = field(default_factory=dict)  # by user key (or label for unkeyed)
    writer: bool = False  # a run that saved something (its messages are the writer's, not a reader's)


class Session:
    """One browser tab's worth of conversation with the server."""

    def __init__(self, port: int, host: str = HOST) -> None:
        if host != HOST:
            raise ValueError("load tests only talk to 127.0.0.1")
        self.url = f"ws://{host}:{port}/_stcore/stream"
        self.ws = None
        self.pages: dict[str, str] = {}  # url path ('' for the default) -> page_script_hash

    async def __aenter__(self) -> Session:
        self.ws = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=30, ping_interval=None)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def run(self, page: str = "", widgets: list | None = None, query: str = "") -> Run:
        """Run `page` (its URL path) with the given WidgetStates; wait for script_finished."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        if page in self.pages:
            state.page_script_hash = self.pages[page]
        else:
            state.page_name = page
        for w in widgets or []:
            state.widget_states.widgets.append(w)
        started = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        run = Run(page, 0.0, False)
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), MESSAGE_TIMEOUT)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "navigation":
                self.pages.update({p.url_pathname: p.page_script_hash for p in fm.navigation.app_pages})
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                self._element(fm.delta.new_element, run)
            elif kind == "script_finished":
                if fm.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun(): the next run follows on the same socket
                run.seconds = time.perf_counter() - started
                run.ok = fm.script_finished != ForwardMsg.FINISHED_WITH_COMPILE_ERROR
                return run

    @staticmethod
    def _element(el, run: Run) -> None:
        kind = el.WhichOneof("type")
        body = getattr(el, kind)
        if kind == "exception":
            run.exceptions.append(f"{body.type}: {body.message}")
        elif kind == "alert":
            run.texts.append(body.body)
            if body.format == 1:
                run.errors.append(body.body)
        elif kind in ("markdown", "toast", "heading"):
            run.texts.append(body.body)
        wid = getattr(body, "id", "") if kind not in ("markdown", "heading", "alert") else ""
        if wid:
            key = wid.split("-", 2)[-1] if wid.startswith("$$ID-") and wid.count("-") >= 2 else ""
            key = "" if key == "None" else key.removeprefix("FormSubmitter:")  # form buttons: '<form>-<label>'
            label = getattr(body, "label", "")
            options = list(getattr(body, "options", [])) if hasattr(body, "options") else []
            run.widgets[key or f"{kind}:{label}"] = Widget(wid, kind, label, options)


def summary(times: list[float]) -> tuple[float, float, float]:
    """Median, 95th percentile and maximum in seconds."""
    if not times:
        return float("nan"), float("nan"), float("nan")
    ts = sorted(times)
    return statistics.median(ts), ts[min(len(ts) - 1, round(0.95 * (len(ts) - 1)))], ts[-1]


# Every page a reader visits, by URL path ('' is 总览): what a viewer who has not signed in may open
# (审核 and 导入记录 need an account since issue 10; the reviewers in bench/load.py sign in).
READER_PAGES = ["", "formation", "membership", "contracts", "hardship", "coverage", "region", "sources", "present"]


def sample_copy(folder: Path) -> Path:
    """A sample database (data/samples ingested) in `folder`, as `make sample-db` builds it."""
    db = folder / "union.duckdb"
    if not db.exists():
        # The same script as `make sample-db`: the federation and its directory first (issue 9), then the samples.
        subprocess.run([sys.executable, "scripts/sample_db.py", str(db)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    return db


async def _tour(port: int, rounds: int) -> list[list[Run]]:
    async with Session(port) as s:
        await s.run("")
        return [[await s.run(p) for p in READER_PAGES] for _ in range(rounds)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", type=Path, help="database to serve (default: a temp copy of the sample database)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "union.duckdb"
        if args.db:
            shutil.copy(args.db, db)
        else:
            sample_copy(Path(tmp))
        with start_server(db) as (_, port):
            runs = asyncio.run(_tour(port, 3))
    print("One session over every page (seconds; 'first' is a cold cache, 'warm' the median of two more):")
    print(f"{'page':<12}{'first':>8}{'warm':>8}  errors")
    for i, page in enumerate(READER_PAGES):
        warm = statistics.median(r[i].seconds for r in runs[1:])
        errs = sum(len(r[i].exceptions) + len(r[i].errors) for r in runs)
        print(f"{page or 'overview':<12}{runs[0][i].seconds:>8.2f}{warm:>8.2f}  {errs}")


if __name__ == "__main__":
    main()
