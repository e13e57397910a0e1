"""Remembered column mappings: a user's correction applies to the next file with the same headers.

Keyed by the hash of the normalised header row (layout.Table.key), so a town
that sends the same home-made sheet every half-year confirms its columns once.
The table (tally_mappings) is part of the schema (etl/schema.py); every access
opens and closes its own connection.
"""

from __future__ import annotations

import json
from pathlib import Path

from etl import db
from etl.audit import Actor, actor_of, record


def load_mappings(db_path: Path | str) -> dict[str, dict[str, str]]:
    """All remembered mappings; empty when the database does not exist yet."""
    if not Path(db_path).exists():
        return {}
    with db.connect(db_path, read_only=True) as con:
        rows = con.execute("SELECT header_key, mapping FROM tally_mappings").fetchall()
    return {key: json.loads(m) for key, m in rows}


def save_mapping(db_path: Path | str, key: str, headers: list[str], mapping: dict[str, str],
                 user: str | Actor | None = None) -> None:
    """Remember (or forget, with an empty mapping) the corrections for one header row; recorded in the trail."""
    with db.transaction(db_path, what="保存列映射") as con:
        row = con.execute("SELECT mapping FROM tally_mappings WHERE header_key = ?", [key]).fetchone()
        before = json.loads(row[0]) if row else None
        if (before or {}) == (mapping or {}):
            return
        con.execute("DELETE FROM tally_mappings WHERE header_key = ?", [key])
        if mapping:
            con.execute("INSERT INTO tally_mappings (header_key, headers, mapping) VALUES (?, ?, ?)",
                        [key, " | ".join(headers), json.dumps(mapping, ensure_ascii=False, sort_keys=True)])
        shown = "、".join(f"{col}列→{choice}" for col, choice in sorted((mapping or {}).items())) or "恢复自动识别"
        record(con, actor_of(user), "mapping", f"修改列对应（表头：{' | '.join(headers)[:80]}）：{shown}",
               target=key, before=before, after=mapping or None)
