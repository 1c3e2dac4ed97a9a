"""Land a directory of raw exports in the warehouse's `raw` schema with DuckDB's own readers.

For every table of the raw contract (scripts/raw_contract.py) the loader looks in DATA for
`<table>.csv`, `<table>.csv.gz`, `<table>.parquet`, or a folder `<table>/` of such files, and
(re)creates `raw.<table>` with every contract column as VARCHAR, exactly as exported, plus
lineage columns `_load_batch` (1 for a full load, one more for each `--append`), `_source_file`
and `_row_number`. Typing and validation happen in dbt staging, so a bad value is quarantined
with its reason rather than lost at load time.

Before any table is replaced, the whole directory is checked; every problem found is reported
together, one line each, as an `InputError` (exit 1 from the command line), and nothing is
loaded:
- the directory is missing, or holds no export of any contract table;
- a file looks like a misnamed export (`helpdesk_ticket.csv`, `Helpdesk_Tickets.csv`,
  `helpdesk_tickets.CSV`: a case-insensitive or difflib-close match of a table name);
- a table has two exports (`x.csv` and `x.parquet`, `x.csv` and `x.csv.gz`, a file and `x/`);
- a file lacks a contract column that is not `optional: true` in the source YAML (columns no
  KPI reads), lists a column twice, or cannot be read;
- on a full load, a table that has rows in the database being loaded into is now absent or
  header-only, unless the caller allows it (`--allow-missing TABLE`). On a first load an
  absent or header-only table is created empty, with a warning.
Files that resemble no table, missing optional columns and extra columns are warnings.

CSV files are read with the header's columns given explicitly (no sniffing), every value as
text. A file in which DuckDB finds a malformed line is read again by a line-based parser
(`split_csv_lines`) that keeps each malformed line once in `raw._load_rejects`, with its
physical line number and reason, and lands every other row of the file; clean files never
pass through Python.

- Loading the same directory twice gives the same warehouse (tables are replaced).
- `--append` adds the files as a new load batch (e.g. one more day of exports); dbt's incremental
  models then process that batch only. A table absent from an appended batch adds no rows.
- `raw._load_batches` records every batch: one row per (load_batch, table_name) with the load's
  start (`loaded_at`, UTC), the directory, the files, the rows landed and the lines rejected.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import gzip
import json
import sys
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas

sys.path.insert(0, str(Path(__file__).resolve().parent))
from raw_contract import Table, load_contract  # noqa: E402

RAW_SCHEMA = "raw"
REJECTS_TABLE = f"{RAW_SCHEMA}._load_rejects"
BATCHES_TABLE = f"{RAW_SCHEMA}._load_batches"
SUFFIXES = (".csv", ".csv.gz", ".parquet")
# a quoted field may span at most this many physical lines before its opening line is
# rejected as an unterminated quote
MAX_RECORD_LINES = 100
# rows handed to DuckDB at a time when a file goes through the line-based parser
FLUSH_ROWS = 100_000
# how alike a file name must be to a table name to count as a misnamed export
NAME_SIMILARITY = 0.8

REJECT_COLUMNS = (
    "table_name varchar, source_file varchar, line bigint, error_type varchar,"
    " csv_line varchar, error_message varchar, load_batch integer"
)
BATCH_COLUMNS = (
    "load_batch integer, loaded_at timestamp, data_dir varchar, is_append boolean,"
    " table_name varchar, files varchar[], landed_rows bigint, rejected_lines bigint"
)


class InputError(Exception):
    """Problems with the exports themselves; one line each, all of a directory together."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class ExportFile:
    """One export file of a table, as found before loading."""

    path: Path
    source_file: str  # relative to the export directory
    header: list[str]  # normalised (trimmed, lowercased) column names, in file order
    has_rows: bool

    @property
    def is_parquet(self) -> bool:
        return self.path.name.endswith(".parquet")


@dataclass
class TableLoad:
    """What happened to one table."""

    table: str
    load_batch: int = 1
    files: list[str] = field(default_factory=list)
    rows: int = 0
    rejected_lines: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


@dataclass
class Rejected:
    """One CSV line the line-based parser could not read as a row."""

    line: int
    error_type: str
    csv_line: str
    message: str


# --- finding the files (no database) --------------------------------------------------------------


def export_suffix(name: str) -> str | None:
    """The accepted suffix a file name ends with, exactly (case included)."""
    return next((suffix for suffix in SUFFIXES if name.endswith(suffix)), None)


def resembled_table(name: str, tables: list[str]) -> str | None:
    """The contract table a file or folder name that is not exactly one looks like."""
    stem = name.split(".", 1)[0].strip().lower().replace("-", "_").replace(" ", "_")
    if stem in tables:
        return stem
    close = difflib.get_close_matches(stem, tables, n=1, cutoff=NAME_SIMILARITY)
    return close[0] if close else None


def find_files(data_dir: Path, table: str) -> list[Path]:
    """Export files of one table: `<table>.<suffix>` or every such file in `<table>/`."""
    found = [data_dir / f"{table}{suffix}" for suffix in SUFFIXES]
    files = [path for path in found if path.is_file()]
    folder = data_dir / table
    if folder.is_dir():
        files += sorted(p for p in folder.iterdir() if export_suffix(p.name) and p.is_file())
    return files


def check_names(data_dir: Path, tables: list[str]) -> tuple[list[str], list[str]]:
    """Problems and warnings about the names of the entries of data_dir and its table folders."""
    problems: list[str] = []
    warnings: list[str] = []
    exact = {f"{table}{suffix}" for table in tables for suffix in SUFFIXES}
    for entry in sorted(data_dir.iterdir()):
        if entry.name.startswith(".") or (entry.is_file() and entry.name in exact):
            continue
        if entry.is_dir() and entry.name in tables:
            problems += check_folder(entry, entry.name, warnings)
            continue
        table = resembled_table(entry.name, tables)
        if table is None:
            warnings.append(f"{entry.name} ignored: not an export of any contract table")
        elif entry.is_dir() or export_suffix(entry.name.lower()):
            problems.append(
                f"{table}: {'folder' if entry.is_dir() else 'file'} {entry.name} looks like a"
                f" misnamed {table} export (expected {table}.csv, {table}.csv.gz,"
                f" {table}.parquet or a folder {table}/)"
            )
        elif not find_files(data_dir, table):
            problems.append(
                f"{table}: file {entry.name} is not an accepted export format"
                " (.csv, .csv.gz or .parquet)"
            )
        else:
            warnings.append(f"{entry.name} ignored: not an accepted export format")
    return problems, warnings


def check_folder(folder: Path, table: str, warnings: list[str]) -> list[str]:
    problems = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or (export_suffix(entry.name) and entry.is_file()):
            continue
        name = f"{table}/{entry.name}"
        if entry.is_file() and export_suffix(entry.name.lower()):
            problems.append(
                f"{table}: file {name} has an upper-case extension; rename it to end in"
                " .csv, .csv.gz or .parquet"
            )
        else:
            warnings.append(f"{name} ignored: not an accepted export file")
    return problems


def check_duplicates(data_dir: Path, table: str) -> list[str]:
    """A table delivered twice: two of `<table>.csv`, `.csv.gz`, `.parquet` and `<table>/`."""
    names = [f"{table}{suffix}" for suffix in SUFFIXES if (data_dir / f"{table}{suffix}").is_file()]
    folder = data_dir / table
    if folder.is_dir() and any(export_suffix(path.name) for path in folder.iterdir()):
        names.append(f"{table}/")
    if len(names) < 2:
        return []
    return [f"{table}: {len(names)} exports found ({', '.join(names)}); keep only one"]


def open_lines(path: Path) -> Iterator[bytes]:
    """The physical lines of a CSV file (gzip-compressed or not), line endings included."""
    if path.name.endswith(".gz"):
        with gzip.open(path, "rb") as handle:
            yield from handle
    else:
        with path.open("rb") as handle:
            yield from handle


def csv_header(path: Path) -> tuple[list[str], bool]:
    """The header's column names and whether a non-blank line follows it."""
    lines = open_lines(path)
    first = next(lines, None)
    if first is None:
        return [], False
    header = next(csv.reader([first.decode("utf-8-sig").rstrip("\r\n")], strict=True))
    has_rows = any(line.strip() for line in lines)
    lines.close()
    return header, has_rows


def parquet_header(path: Path) -> tuple[list[str], bool]:
    con = duckdb.connect()
    try:
        described = con.execute("describe select * from read_parquet(?)", [str(path)]).fetchall()
        found = con.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()
    finally:
        con.close()
    return [str(row[0]) for row in described], bool(found and found[0])


def inspect_file(
    data_dir: Path, table: Table, path: Path, warnings: list[str]
) -> tuple[ExportFile | None, list[str]]:
    """Read one file's header; problems: unreadable, a column twice, a needed column missing."""
    source_file = str(path.relative_to(data_dir))
    try:
        names, has_rows = (
            parquet_header(path) if path.name.endswith(".parquet") else csv_header(path)
        )
    except (OSError, UnicodeDecodeError, csv.Error, EOFError, duckdb.Error) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return None, [f"{table.name}: cannot read {source_file}: {reason}"]
    header = [name.strip().lower() for name in names]
    export = ExportFile(path, source_file, header, has_rows)
    if not header:  # a 0-byte file: no header to check, no rows
        return export, []
    problems = [
        f"{table.name}.{name}: column appears {header.count(name)} times in {source_file}"
        for name in sorted(set(header))
        if header.count(name) > 1
    ]
    optional = table.optional_column_names
    if not optional:
        allowed = f"no column of {table.name} is optional"
    else:
        allowed = f"only {', '.join(optional)} {'is' if len(optional) == 1 else 'are'} optional"
    missing = [c for c in table.column_names if c not in header]
    problems += [
        f"{table.name}.{column}: column missing from {source_file} (a KPI needs it; {allowed})"
        for column in missing
        if column not in optional
    ]
    if missing and not problems:
        warnings.append(f"{source_file}: missing optional columns loaded as null: {missing}")
    extra = sorted(set(header) - set(table.column_names))
    if extra:
        warnings.append(f"{source_file}: extra columns ignored: {extra}")
    return export, problems


@dataclass
class Plan:
    """What a directory holds: every table's readable export files, warnings and problems."""

    files: dict[str, list[ExportFile]]
    warnings: dict[str, list[str]]
    general_warnings: list[str]
    problems: list[str]


def plan_directory(data_dir: Path, contract: dict[str, Table]) -> Plan:
    """Find and check every table's export files (names, duplicates, headers) without loading."""
    if not data_dir.is_dir():
        raise InputError([f"export directory {data_dir} does not exist"])
    problems, general = check_names(data_dir, list(contract))
    plans: dict[str, list[ExportFile]] = {}
    warnings: dict[str, list[str]] = {}
    for name, table in contract.items():
        problems += check_duplicates(data_dir, name)
        warnings[name] = []
        plans[name] = []
        for path in find_files(data_dir, name):
            export, file_problems = inspect_file(data_dir, table, path, warnings[name])
            problems += file_problems
            if export is not None:
                plans[name].append(export)
    if not any(plans.values()):
        problems.append(
            f"export directory {data_dir} holds no export of any contract table"
            f" (expected files such as {next(iter(contract))}.csv)"
        )
    return Plan(plans, warnings, general, problems)


# --- checks against the database being loaded into -----------------------------------------------


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def previous_rows(db_path: Path, tables: list[str]) -> dict[str, int]:
    """Rows each raw table holds in the database being loaded into (read-only; none if new)."""
    if not db_path.exists():
        return {}
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return {name: row_count(con, name) for name in tables if table_exists(con, name)}
    finally:
        con.close()


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    found = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
        [RAW_SCHEMA, name],
    ).fetchone()
    return bool(found and found[0])


def row_count(con: duckdb.DuckDBPyConnection, name: str) -> int:
    found = con.execute(f"select count(*) from {RAW_SCHEMA}.{quote(name)}").fetchone()
    return int(found[0]) if found else 0


def check_vanished_tables(
    plan: Plan, data_dir: Path, previous: dict[str, int], allow_missing: set[str], append: bool
) -> list[str]:
    """A full load must not empty a table that had rows, unless the caller allows it (an
    appended batch without a table simply adds no rows to it)."""
    problems = []
    for name, exports in plan.files.items():
        if any(export.has_rows for export in exports):
            continue
        if exports:
            what = ", ".join(export.source_file for export in exports) + " has no rows"
        else:
            what = f"no file for {name} in {data_dir}"
        if append:
            plan.warnings[name].append(f"{what}: no rows added")
        elif previous.get(name) and name not in allow_missing:
            problems.append(
                f"{name}: {what}, but the last load had {previous[name]:,}"
                f" row{'' if previous[name] == 1 else 's'}"
                f" (pass --allow-missing {name} if the table is meant to be empty)"
            )
        else:
            plan.warnings[name].append(f"{what}: loaded as an empty table")
    return problems


# --- landing --------------------------------------------------------------------------------------


def empty_table_sql(table: Table) -> str:
    columns = ", ".join(f"cast(null as varchar) as {quote(c)}" for c in table.column_names)
    return (
        f"select {columns}, cast(null as integer) as _load_batch,"
        " cast(null as varchar) as _source_file,"
        " cast(null as bigint) as _row_number limit 0"
    )


def positions(table: Table, export: ExportFile) -> list[int | None]:
    """For each contract column, its 0-based position in the file (None: not in the file)."""
    return [
        export.header.index(column) if column in export.header else None
        for column in table.column_names
    ]


def reader_sql(export: ExportFile) -> tuple[str, list[object]]:
    """Table function reading one export file, its columns named c1, c2, ... by position.

    The path is a prepared parameter; the header names never reach SQL (a CSV's columns are
    given explicitly, a Parquet file's are renamed by the alias list)."""
    aliases = ", ".join(f"c{i}" for i in range(1, len(export.header) + 1))
    if export.is_parquet:
        return f"read_parquet(?) as export_file({aliases})", [str(export.path)]
    columns = {f"c{i}": "VARCHAR" for i in range(1, len(export.header) + 1)}
    return (
        "read_csv(?, columns = ?, header = true, auto_detect = false, delim = ',',"
        " quote = '\"', escape = '\"', store_rejects = true,"
        " rejects_table = 'reject_errors', rejects_scan = 'reject_scans') as export_file",
        [str(export.path), columns],
    )


def insert_with_duckdb(
    con: duckdb.DuckDBPyConnection, table: Table, export: ExportFile, target: str, batch: int
) -> int:
    """Insert one file's rows (numbered afterwards); return the lines DuckDB rejected."""
    parts = []
    for column, position in zip(table.column_names, positions(table, export), strict=True):
        value = "cast(null as varchar)" if position is None else f"cast(c{position + 1} as varchar)"
        parts.append(f"{value} as {quote(column)}")
    # _row_number is set after the insert from rowid (see number_rows): a row_number() window
    # here would serialise the parallel CSV reader and halve the landing rate
    parts += ["? as _load_batch", "? as _source_file", "cast(null as bigint) as _row_number"]
    reader, parameters = reader_sql(export)
    con.execute(
        f"insert into {target} select {', '.join(parts)} from {reader}",
        [batch, export.source_file, *parameters],
    )
    if export.is_parquet:
        return 0
    found = con.execute("select count(*) from reject_errors").fetchone()
    con.execute("drop table if exists reject_errors")
    con.execute("drop table if exists reject_scans")
    return int(found[0]) if found else 0


def number_rows(con: duckdb.DuckDBPyConnection, target: str) -> None:
    """Set _row_number (1 = the file's first landed row) of the rows just inserted: they are
    the rows without one, inserted by one statement in file order, so their rowids are
    contiguous and in file order."""
    con.execute(
        f"update {target} set _row_number = rowid"
        f" - (select min(rowid) from {target} where _row_number is null) + 1"
        " where _row_number is null"
    )


def split_csv_lines(lines: Iterator[bytes], width: int) -> Iterator[list[str | None] | Rejected]:
    """Rows of `width` values (empty -> None) and rejected lines of a CSV file's data lines.

    `lines` are the physical lines after the header. A quoted field may span lines while the
    record has at most `width` fields and MAX_RECORD_LINES lines; otherwise its opening line
    alone is rejected and reading resumes at the next line. Blank lines are skipped."""
    numbered = enumerate(lines, start=2)
    pending: deque[tuple[int, bytes]] = deque()
    while True:
        first = pending.popleft() if pending else next(numbered, None)
        if first is None:
            return
        number, raw = first
        if not raw.strip(b"\r\n"):
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            shown = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            yield Rejected(number, "INVALID ENCODING", shown, f"not UTF-8: {error.reason}")
            continue
        joined = [first]
        values, problem = split_record(text)
        while problem == "open" and len(values) <= width and len(joined) < MAX_RECORD_LINES:
            following = pending.popleft() if pending else next(numbered, None)
            if following is None:
                break
            joined.append(following)
            try:
                text += following[1].decode("utf-8")
            except UnicodeDecodeError:
                break
            values, problem = split_record(text)
        if problem is None and len(values) == width:
            yield [value or None for value in values]
            continue
        if len(joined) > 1 or problem == "open":
            pending.extendleft(reversed(joined[1:]))
            yield Rejected(
                number,
                "UNTERMINATED QUOTE",
                raw.decode("utf-8").rstrip("\r\n"),
                f"a quoted field opened on this line is not closed within a record of {width}"
                f" fields and {MAX_RECORD_LINES} lines",
            )
        elif problem is not None:
            yield Rejected(number, "UNQUOTED VALUE", text.rstrip("\r\n"), problem)
        else:
            kind = "TOO MANY COLUMNS" if len(values) > width else "MISSING COLUMNS"
            message = f"expected {width} fields (the header's), found {len(values)}"
            yield Rejected(number, kind, text.rstrip("\r\n"), message)


def split_record(text: str) -> tuple[list[str], str | None]:
    """Values of one CSV record and its problem: None, "open" (a quoted field not closed yet,
    values so far) or the csv module's reason."""
    record = text[:-1] if text.endswith("\n") else text
    record = record[:-1] if record.endswith("\r") else record
    try:
        return next(csv.reader([record], strict=True)), None
    except csv.Error as error:
        if "unexpected end of data" in str(error):
            return next(csv.reader([record], strict=False)), "open"
        return [], f"cannot split the line: {error}"


def insert_with_python(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    export: ExportFile,
    target: str,
    batch: int,
) -> list[Rejected]:
    """Land one CSV file through split_csv_lines; return its rejected lines."""
    where = positions(table, export)
    columns = ", ".join(f"cast(c{i} as varchar)" for i in range(len(where)))
    insert = (
        f"insert into {target} select {columns}, ? as _load_batch, ? as _source_file,"
        " _row_number from export_chunk"
    )
    rejected: list[Rejected] = []
    chunk: list[list[str | None]] = []
    landed = 0

    def flush() -> None:
        nonlocal landed
        if not chunk:
            return
        frame = pandas.DataFrame(
            {
                f"c{i}": pandas.Series(
                    [row[p] for row in chunk] if p is not None else None,
                    index=range(len(chunk)),
                    dtype=object,
                )
                for i, p in enumerate(where)
            }
        )
        frame["_row_number"] = range(landed + 1, landed + len(chunk) + 1)
        con.register("export_chunk", frame)
        con.execute(insert, [batch, export.source_file])
        con.unregister("export_chunk")
        landed += len(chunk)
        chunk.clear()

    lines = open_lines(export.path)
    next(lines, None)  # the header
    for item in split_csv_lines(lines, len(export.header)):
        if isinstance(item, Rejected):
            rejected.append(item)
            continue
        chunk.append(item)
        if len(chunk) >= FLUSH_ROWS:
            flush()
    flush()
    return rejected


def load_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    exports: list[ExportFile],
    append: bool,
    batch: int,
) -> TableLoad:
    result = TableLoad(table=table.name, load_batch=batch)
    started = time.perf_counter()
    target = f"{RAW_SCHEMA}.{quote(table.name)}"
    if not append or not table_exists(con, table.name):
        con.execute(f"create or replace table {target} as {empty_table_sql(table)}")
    for export in exports:
        result.files.append(export.source_file)
        if not export.header:  # a 0-byte file
            continue
        try:
            duckdb_rejects = insert_with_duckdb(con, table, export, target, batch)
        except duckdb.Error as error:
            reason = str(error).splitlines()[0]
            raise InputError(
                [f"{table.name}: cannot read {export.source_file}: {reason}"]
            ) from error
        if duckdb_rejects == 0:
            number_rows(con, target)
            continue
        # a malformed line: DuckDB may have joined the lines after it into one bad value, so
        # the file's rows are read again line by line (this delete must not run
        # in a transaction that also created the table)
        con.execute(f"delete from {target} where _row_number is null")
        rejected = insert_with_python(con, table, export, target, batch)
        con.executemany(
            f"insert into {REJECTS_TABLE} values (?, ?, ?, ?, ?, ?, ?)",
            [
                [table.name, export.source_file, r.line, r.error_type, r.csv_line, r.message, batch]
                for r in rejected
            ],
        )
        result.rejected_lines += len(rejected)
    found = con.execute(f"select count(*) from {target} where _load_batch = ?", [batch]).fetchone()
    result.rows = int(found[0]) if found else 0
    result.seconds = time.perf_counter() - started
    return result


def next_batch(con: duckdb.DuckDBPyConnection, contract: dict[str, Table], append: bool) -> int:
    """1 for a full load; for an append, one more than the highest batch already loaded."""
    if not append:
        return 1
    highest = 0
    for name in contract:
        if table_exists(con, name):
            found = con.execute(
                f"select max(_load_batch) from {RAW_SCHEMA}.{quote(name)}"
            ).fetchone()
            highest = max(highest, int(found[0] or 0) if found else 0)
    return highest + 1


def record_batch(
    con: duckdb.DuckDBPyConnection,
    results: list[TableLoad],
    loaded_at: datetime,
    data_dir: Path,
    append: bool,
) -> None:
    con.executemany(
        f"insert into {BATCHES_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            [r.load_batch, loaded_at, str(data_dir.resolve()), append, r.table, r.files, r.rows]
            + [r.rejected_lines]
            for r in results
        ],
    )


def load_directory(
    data_dir: Path,
    db_path: Path,
    append: bool = False,
    quiet: bool = False,
    allow_missing: list[str] | tuple[str, ...] = (),
    previous: dict[str, int] | None = None,
) -> list[TableLoad]:
    """Load every contract table found in data_dir into db_path's raw schema.

    Raises InputError (every problem of the directory, one line each) before any table is
    replaced. `allow_missing`: tables a full load may find absent or header-only although the
    database holds rows for them. `previous`: rows per table of the last load, when the
    database loaded into does not hold them (e.g. a fresh working copy); by default they are
    counted in db_path's raw tables."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    contract = load_contract()
    unknown = [
        f"--allow-missing {name}: not a contract table"
        for name in allow_missing
        if name not in contract
    ]
    if unknown:
        raise InputError(unknown)
    plan = plan_directory(data_dir, contract)
    if previous is None:
        previous = previous_rows(db_path, list(contract))
    problems = plan.problems
    if any(plan.files.values()):  # else the directory's emptiness is the one problem to report
        problems += check_vanished_tables(plan, data_dir, previous, set(allow_missing), append)
    if problems:
        raise InputError(problems)
    if not quiet:
        for warning in plan.general_warnings:
            print(f"warning: {warning}", file=sys.stderr, flush=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    try:
        con.execute("set preserve_insertion_order = true")
        con.execute("set enable_progress_bar = false")
        # no enclosing transaction: in DuckDB 2.0 a delete does not remove rows inserted into a
        # table created in the same transaction (see load_table). A load that fails half-way
        # (rare: every input check ran above) leaves a partial raw layer, which run_warehouse
        # never publishes; the next full load replaces it.
        results = land(con, contract, plan, append, quiet)
        record_batch(con, results, loaded_at, data_dir, append)
    finally:
        con.close()
    return results


def land(
    con: duckdb.DuckDBPyConnection,
    contract: dict[str, Table],
    plan: Plan,
    append: bool,
    quiet: bool,
) -> list[TableLoad]:
    """Create or append to every raw table, raw._load_rejects and raw._load_batches."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    create = "create table if not exists" if append else "create or replace table"
    con.execute(f"{create} {REJECTS_TABLE} ({REJECT_COLUMNS})")
    con.execute(f"{create} {BATCHES_TABLE} ({BATCH_COLUMNS})")
    batch = next_batch(con, contract, append)
    results = []
    for index, table in enumerate(contract.values(), start=1):
        result = load_table(con, table, plan.files[table.name], append, batch)
        result.warnings = plan.warnings[table.name]
        results.append(result)
        if not quiet:
            rate = result.rows / result.seconds if result.seconds > 0 else 0.0
            print(
                f"[{index:2}/{len(contract)}] {table.name:<24} {result.rows:>12,} rows"
                f" {result.rejected_lines:>6,} rejected lines  {result.seconds:6.1f} s"
                f"  ({rate:,.0f} rows/s)",
                flush=True,
            )
            for warning in result.warnings:
                print(f"    warning: {warning}", file=sys.stderr, flush=True)
    return results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="directory of export files")
    parser.add_argument("--db", type=Path, required=True, help="DuckDB database file")
    parser.add_argument(
        "--append",
        action="store_true",
        help="append to the raw tables instead of replacing them (for an extra day of exports)",
    )
    parser.add_argument(
        "--allow-missing",
        action="append",
        default=[],
        metavar="TABLE",
        help="a table that may be absent or header-only although the database holds rows"
        " for it (repeatable)",
    )
    parser.add_argument("--summary-json", type=Path, help="write per-table figures as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        results = load_directory(
            args.data, args.db, append=args.append, allow_missing=args.allow_missing
        )
    except InputError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    total_rows = sum(r.rows for r in results)
    total_rejects = sum(r.rejected_lines for r in results)
    print(
        f"loaded {total_rows:,} rows into {args.db} in {seconds:.1f} s"
        f" ({total_rows / seconds if seconds else 0:,.0f} rows/s);"
        f" {total_rejects:,} unreadable lines kept in {REJECTS_TABLE}"
    )
    if args.summary_json:
        payload = {"seconds": seconds, "tables": [asdict(r) for r in results]}
        args.summary_json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
