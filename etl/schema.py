"""The database schema as numbered migrations, applied whenever a database is opened.

A database remembers which migrations it has run (table `schema_migrations`;
a first-release database, which predates that table, is recognised by
meta.schema_version = 1). Opening it for writing runs the missing ones in
order, each in its own transaction; opening it read-only first has a writer
bring it up to date (etl/db.py). So a database made by any earlier release
is upgraded in place and keeps every row.

How to add a migration (README: "How to add a column / a migration"):
1. Append `Migration(N, "what it adds", steps)` to MIGRATIONS with the next
   number. A step is SQL text or a function taking the connection.
2. A new facts column is a FactField in etl/model.py with `since=N`; its
   migration's step is `add_fact_columns(N)`.
3. Never edit a migration that has shipped: databases that ran it will not
   run it again. Fix forward with a new one.
tests/test_schema.py upgrades a first-release database (tests/fixtures/db)
and checks that a fresh database and an upgraded one end up the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import duckdb

from etl.errors import SchemaError
from etl.model import FACT_FIELDS, facts_table_columns

Step = str | Callable[[duckdb.DuckDBPyConnection], None]


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    steps: tuple[Step, ...]


def create_facts(version: int) -> Step:
    """CREATE TABLE facts with the columns of schema `version` (etl/model.py: FACT_FIELDS, since ≤ version)."""
    cols = ",\n    ".join(f"{name} {sql}" for name, sql in facts_table_columns(version))
    return f"CREATE TABLE IF NOT EXISTS facts (\n    {cols}\n);"


def add_fact_columns(version: int) -> Step:
    """ALTER TABLE facts ADD COLUMN for every FactField added by migration `version`."""

    def step(con: duckdb.DuckDBPyConnection) -> None:
        for f in FACT_FIELDS:
            if f.since == version and f.sql:
                con.execute(f"ALTER TABLE facts ADD COLUMN {f.stored_as} {f.sql}")

    return step


RELEASE_1 = """
CREATE SEQUENCE IF NOT EXISTS batch_seq START 1;
CREATE SEQUENCE IF NOT EXISTS fact_seq START 1;
CREATE SEQUENCE IF NOT EXISTS region_seq START 1;

CREATE TABLE IF NOT EXISTS meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR
);

-- One row per ingest; undone batches stay listed (status = 'undone').
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY DEFAULT nextval('batch_seq'),
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    kind VARCHAR NOT NULL,              -- 'report' | 'tally' | 'mixed' | 'correction'
    status VARCHAR NOT NULL DEFAULT 'loaded',  -- 'loaded' | 'undone'
    undone_at TIMESTAMP,
    user_name VARCHAR,
    note VARCHAR
);

-- Every file that was loaded; its bytes sit in the archive under sha256.
CREATE TABLE IF NOT EXISTS files (
    sha256 VARCHAR NOT NULL,
    batch_id INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    size BIGINT NOT NULL,
    kind VARCHAR NOT NULL,              -- 'report' | 'tally'
    encoding VARCHAR,
    archive_path VARCHAR NOT NULL,
    text VARCHAR,                       -- decoded original text (reports), offsets index into it
    PRIMARY KEY (sha256, batch_id)
);

-- One report inside a file (files may glue several together).
CREATE TABLE IF NOT EXISTS documents (
    doc_id VARCHAR NOT NULL,            -- '<sha256[:16]>:<segment>'
    batch_id INTEGER NOT NULL,
    file_sha VARCHAR NOT NULL,
    segment INTEGER NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset INTEGER NOT NULL,
    title VARCHAR,
    region VARCHAR,
    year INTEGER,
    period VARCHAR,
    is_template BOOLEAN NOT NULL DEFAULT false,
    duplicate_of VARCHAR,               -- doc_id of an earlier copy of the same report
    fingerprint UBIGINT[],
    PRIMARY KEY (doc_id, batch_id)
);

CREATE TABLE IF NOT EXISTS regions (
    id INTEGER PRIMARY KEY DEFAULT nextval('region_seq'),
    name VARCHAR NOT NULL UNIQUE,
    level VARCHAR,                      -- 区县 | 乡镇街道 | 企业 | 村社区 | 其他
    parent_id INTEGER,
    code VARCHAR,                       -- 行政区划代码, optional
    valid_from DATE,
    valid_to DATE,
    successor_id INTEGER                -- set when merged into / renamed to another region
);

CREATE TABLE IF NOT EXISTS region_aliases (
    alias VARCHAR PRIMARY KEY,
    region_id INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS metrics (
    code VARCHAR PRIMARY KEY,
    category VARCHAR NOT NULL,
    name_zh VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,              -- 'stock' | 'flow'
    meaning VARCHAR
);
"""

# Made on first use by the first release (so a database of that release may lack them).
SIDE_TABLES = """
-- Which batch superseded which facts, so undo can restore them: one batch may replace
-- many facts, and a fact may be superseded, restored, superseded again.
CREATE TABLE IF NOT EXISTS batch_superseded (
    batch_id INTEGER NOT NULL,
    fact_id BIGINT NOT NULL,
    PRIMARY KEY (batch_id, fact_id)
);
-- Files of undone batches (their files rows are deleted): history still names them,
-- and the archive path lets someone load them again.
CREATE TABLE IF NOT EXISTS undone_files (
    batch_id INTEGER NOT NULL,
    sha256 VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    archive_path VARCHAR,
    PRIMARY KEY (sha256, batch_id)
);
-- A user's column-mapping corrections, applied to the next tally with the same headers.
CREATE TABLE IF NOT EXISTS tally_mappings (
    header_key VARCHAR PRIMARY KEY,     -- etl.tally.layout.Table.key
    headers VARCHAR NOT NULL,           -- the header texts, for people reading the table
    mapping VARCHAR NOT NULL,           -- JSON: column letter -> role or metric code
    updated_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);
"""

DIRECTORY = """
-- The regions' years of existence replace the never-used dates; a rename or merge ends a region
-- (last_year) and names its successor_id, which begins the year after (first_year).
ALTER TABLE regions DROP COLUMN valid_from;
ALTER TABLE regions DROP COLUMN valid_to;
ALTER TABLE regions ADD COLUMN first_year INTEGER;   -- first year it exists (NULL: always has)
ALTER TABLE regions ADD COLUMN last_year INTEGER;    -- last year it exists (NULL: still does)
ALTER TABLE regions ADD COLUMN created_batch INTEGER;  -- the batch that added it (undo removes it); NULL: set-up
ALTER TABLE region_aliases ADD COLUMN batch_id INTEGER;  -- the batch that added the alias (undo removes it)
ALTER TABLE batches ADD COLUMN received_on DATE;     -- when the material arrived (late or on time); NULL: unknown

-- The federation this database belongs to: one row, set once (first-run set-up or `python -m etl setup`).
-- Titles (pages, the deck's cover, file names) use its name, never whatever regions exist.
CREATE TABLE IF NOT EXISTS federation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name VARCHAR NOT NULL,              -- 青禾区总工会
    level VARCHAR NOT NULL,             -- the level of its area: 地市 | 区县 | 乡镇街道
    region_id INTEGER NOT NULL,         -- its area, the root of the directory
    since DATE NOT NULL,                -- deadlines from this day on are tracked (late / on time)
    configured_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    configured_by VARCHAR
);

-- A region as it was before a directory batch changed it, so undoing the batch puts it back.
CREATE TABLE IF NOT EXISTS region_history (
    batch_id INTEGER NOT NULL,
    region_id INTEGER NOT NULL,
    name VARCHAR NOT NULL,
    level VARCHAR,
    parent_id INTEGER,
    code VARCHAR,
    first_year INTEGER,
    last_year INTEGER,
    successor_id INTEGER,
    PRIMARY KEY (batch_id, region_id)
);

-- 不适用: a unit marked as not expected to report a metric (NULL: every metric) for a year and period
-- (NULL: both). Revoking keeps the row, with who and when.
CREATE SEQUENCE IF NOT EXISTS exemption_seq START 1;
CREATE TABLE IF NOT EXISTS reporting_exemptions (
    id INTEGER PRIMARY KEY DEFAULT nextval('exemption_seq'),
    region_id INTEGER NOT NULL,
    metric VARCHAR,
    year INTEGER NOT NULL,
    period VARCHAR,
    reason VARCHAR,
    created_by VARCHAR,
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp,
    revoked_by VARCHAR,
    revoked_at TIMESTAMP
);
"""

# Accounts, their sessions and the audit trail (etl/accounts.py, etl/sessions.py, etl/audit.py).
ACCOUNTS = """
CREATE SEQUENCE IF NOT EXISTS user_seq START 1;
CREATE SEQUENCE IF NOT EXISTS audit_seq START 1;
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY DEFAULT nextval('user_seq'),
    name VARCHAR NOT NULL UNIQUE,       -- the sign-in name, shown wherever the trail says who did what
    role VARCHAR NOT NULL,              -- a key of etl/lexicon/roles.toml: view | fill | review | admin
    password_hash VARCHAR NOT NULL,     -- argon2id, never the password
    active BOOLEAN NOT NULL DEFAULT true,
    failed_count INTEGER NOT NULL DEFAULT 0,   -- wrong passwords since the last success or lock
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    password_changed_at TIMESTAMP NOT NULL,
    last_sign_in TIMESTAMP
);
-- The regions a scoped role may write for; each includes every region below it (regions.parent_id).
CREATE TABLE IF NOT EXISTS user_regions (
    user_id INTEGER NOT NULL,
    region_id INTEGER NOT NULL,
    PRIMARY KEY (user_id, region_id)
);
-- Signed-in sessions: the browser's session holds a random token, the database its sha256.
CREATE TABLE IF NOT EXISTS sessions (
    token_hash VARCHAR PRIMARY KEY,
    user_id INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    ended_why VARCHAR                   -- signed_out | idle | too_long | account_changed
);
-- Every write, by whom, when, what it changed (JSON before and after) and in which batch.
CREATE TABLE IF NOT EXISTS audit_log (
    id BIGINT PRIMARY KEY DEFAULT nextval('audit_seq'),
    done_at TIMESTAMP NOT NULL,
    user_name VARCHAR NOT NULL,
    via VARCHAR NOT NULL,               -- web | cli
    action VARCHAR NOT NULL,            -- a key of etl.audit.ACTION_ZH
    batch_id INTEGER,
    fact_id BIGINT,
    region_id INTEGER,                  -- the figure a record about one fact is about, kept after undo deletes it
    metric VARCHAR,
    year INTEGER,
    period VARCHAR,
    target VARCHAR,                     -- anything else it is about: an account, a mapping's headers
    before VARCHAR,
    after VARCHAR,
    summary VARCHAR NOT NULL            -- one Chinese sentence
);
"""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "first release: batches, files, documents, regions, metrics, facts", (RELEASE_1, create_facts(1))),
    Migration(2, "tables the first release made on first use: batch_superseded, undone_files, tally_mappings",
              (SIDE_TABLES,)),
    Migration(3, "facts.needs_review: a fact its extractor asks a person to confirm", (add_fact_columns(3),)),
    Migration(4, "accounts, sessions and the audit trail", (ACCOUNTS,)),
    Migration(5, "the directory: the federation, regions' years and creating batch, alias batches, region history, "
                 "reporting exemptions, batches.received_on", (DIRECTORY,)),
)
LATEST = MIGRATIONS[-1].version

_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp
)
"""


def version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version of an open database: 0 when it has no tables of ours yet."""
    try:  # checked on every open: the common case first
        return int(con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])
    except duckdb.CatalogException:
        pass
    try:  # the first release kept only meta.schema_version
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except duckdb.CatalogException:
        return 0
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
    """Run the migrations the database has not run yet, in order; returns their numbers."""
    start = version(con)
    if start > migrations[-1].version:
        raise SchemaError(f"数据库是较新版本的程序建立的（第 {start} 版，本程序只认识到第 "
                          f"{migrations[-1].version} 版）。请升级本程序后再使用这个数据库。", item=f"schema {start}")
    con.execute(_LEDGER)
    ran_before = [(m.version, m.name) for m in migrations if m.version <= start]
    if ran_before:  # a first-release database: its ledger starts now
        con.executemany("INSERT INTO schema_migrations (version, name) VALUES (?, ?) ON CONFLICT DO NOTHING",
                        ran_before)
    done = []
    for m in migrations:
        if m.version <= start:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            for step in m.steps:
                step(con) if callable(step) else con.execute(step)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [m.version, m.name])
            con.execute("INSERT INTO meta VALUES ('schema_version', ?) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [str(m.version)])
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise SchemaError(f"数据库升级到第 {m.version} 版（{m.name}）时出错：{exc}。数据库保持原样，"
                              "请把这条消息发给管理员。", item=f"migration {m.version}") from exc
        con.execute("COMMIT")
        done.append(m.version)
    return done
