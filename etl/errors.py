"""One base for every error this project raises on purpose.

Each subclass lives beside the code that raises it (etl.read.ReadError,
etl.tally.read.TallyReadError, etl.archive.ArchiveError, etl.db.DatabaseBusy,
etl.batches.LoadError, etl.schema's SchemaError here, etl.settings.SettingsError,
etl.tally.upload.UploadRefused, dashboard.actions.ReviewError,
export.render.ExportUnavailable). The message is Chinese, for the person in
front of the screen, and names the item: the file, the batch, the fact, the
migration. `item` carries that name for programs (logs, tests), `code` a
stable machine code where one helps. Anything else that escapes is a bug, and
callers that must not stop (a batch of files) catch `UnionError` to tell the
two apart.
"""

from __future__ import annotations


class UnionError(Exception):
    """An expected failure: `str(exc)` is the Chinese message, `item` the file, batch or fact it is about."""

    def __init__(self, message: str, *, item: str | None = None, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.item = item
        self.code = code


class SchemaError(UnionError):
    """The database cannot be brought to this release's schema (etl/schema.py)."""
