"""etl/federation.py: the configured federation of a database, and the settings' name for it."""

from __future__ import annotations

from pathlib import Path

from etl import federation


def test_federation_name_from_settings_overrides_titles(tmp_db: Path) -> None:
    assert federation.federation(tmp_db).name == "青禾区总工会"
    assert federation.federation(tmp_db, name="青禾区总工会（筹）").name == "青禾区总工会（筹）"
    assert federation.federation(tmp_db.parent / "none.duckdb") is None
