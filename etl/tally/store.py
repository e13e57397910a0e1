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


def load_mappings(db_path: Path | str) -> dict[str, dict[str, str]]:
    """All remembered mappings; empty when the database does not exist yet."""
    if not Path(db_path).exists():
        return {}
    with db.connect(db_path, read_only=True) as con:
        rows = con.execute("SELECT header_key, mapping FROM tally_mappings").fetchall()
    return {key: json.loads(m) for key, m in rows}


def save_mapping(db_path: Path | str, key: str, headers: list[str], mapping: dict[str, str]) -> None:
    """Remember (or forget, with an empty mapping) the corrections for one header row."""
    with db.transaction(db_path, what="保存列映射") as con:
        if not mapping:
            con.execute("DELETE FROM tally_mappings WHERE header_key = ?", [key])
            return
        con.execute("DELETE FROM tally_mappings WHERE header_key = ?", [key])
        con.execute("INSERT INTO tally_mappings (header_key, headers, mapping) VALUES (?, ?, ?)",
                    [key, " | ".join(headers), json.dumps(mapping, ensure_ascii=False, sort_keys=True)])
