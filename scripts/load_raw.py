"""Land a directory of raw exports in the warehouse's `raw` schema with DuckDB's own readers.

For every table of the raw contract (scripts/raw_contract.py) the loader looks in DATA for
`<table>.csv`, `<table>.csv.gz`, `<table>.parquet`, or a folder `<table>/` of such files, and
(re)creates `raw.<table>` with every contract column as VARCHAR, exactly as exported, plus
lineage columns `_load_batch` (1 for a full load, one more for each `--append`), `_source_file`
and `_row_number`. Typing and validation happen in dbt staging,
so a bad value is quarantined with its reason rather than lost at load time.

- A table whose file is absent is created empty, with a warning: its KPIs simply have no rows.
- A contract column missing from a file is loaded as null, with a warning; extra columns are
  ignored, with a warning.
- A CSV line that cannot be split into the header's columns is not dropped: DuckDB's reject
  store captures it and the loader copies it to `raw._load_rejects` with its reason.
- Loading the same directory twice gives the same warehouse (tables are replaced).
- `--append` adds the files as a new load batch (e.g. one more day of exports); dbt's incremental
  models then process that batch only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from raw_contract import Table, load_contract  # noqa: E402

RAW_SCHEMA = "raw"
REJECTS_TABLE = f"{RAW_SCHEMA}._load_rejects"
SUFFIXES = (".csv", ".csv.gz", ".parquet")


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


def find_files(data_dir: Path, table: str) -> list[Path]:
    """Export files of one table: `<table>.<suffix>` or every such file in `<table>/`."""
    files = [data_dir / f"{table}{suffix}" for suffix in SUFFIXES]
    found = [path for path in files if path.is_file()]
    folder = data_dir / table
    if folder.is_dir():
        found += sorted(
            path for path in folder.iterdir() if path.name.endswith(SUFFIXES) and path.is_file()
        )
    return found


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def reader_sql(path: Path) -> str:
    """DuckDB table function reading one export file with every value as text."""
    if path.name.endswith(".parquet"):
        return f"read_parquet({literal(str(path))})"
    return (
        f"read_csv({literal(str(path))}, header = true, all_varchar = true, delim = ',',"
        " quote = '\"', escape = '\"', store_rejects = true,"
        " rejects_table = 'reject_errors', rejects_scan = 'reject_scans')"
    )


def file_columns(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, str]:
    """Map normalised (trimmed, lowercased) header names to the file's own names."""
    described = con.execute(f"describe select * from {reader_sql(path)}").fetchall()
    return {str(row[0]).strip().lower(): str(row[0]) for row in described}


def select_sql(
    table: Table, path: Path, columns: dict[str, str], source_file: str, batch: int
) -> str:
    parts = []
    for column in table.column_names:
        if column in columns:
            parts.append(f"cast({quote(columns[column])} as varchar) as {quote(column)}")
        else:
            parts.append(f"cast(null as varchar) as {quote(column)}")
    parts.append(f"{batch} as _load_batch")
    parts.append(f"{literal(source_file)} as _source_file")
    # numbered after the insert from rowid (see number_rows): a row_number() window here would
    # serialise the parallel CSV reader and halve the landing rate
    parts.append("cast(null as bigint) as _row_number")
    return f"select {', '.join(parts)} from {reader_sql(path)}"


def empty_table_sql(table: Table) -> str:
    columns = ", ".join(f"cast(null as varchar) as {quote(c)}" for c in table.column_names)
    return (
        f"select {columns}, cast(null as integer) as _load_batch,"
        " cast(null as varchar) as _source_file,"
        " cast(null as bigint) as _row_number limit 0"
    )


def copy_rejects(con: duckdb.DuckDBPyConnection, table: str, source_file: str, batch: int) -> int:
    """Append DuckDB's rejected CSV lines of the last scan to raw._load_rejects."""
    exists = con.execute(
        "select count(*) from duckdb_tables() where table_name = 'reject_errors'"
    ).fetchone()
    if not exists or exists[0] == 0:
        return 0
    con.execute(
        f"""
        insert into {REJECTS_TABLE}
        select {literal(table)}, {literal(source_file)}, line, cast(error_type as varchar),
               csv_line, error_message, {batch}
        from reject_errors
        """
    )
    count = con.execute("select count(*) from reject_errors").fetchone()
    con.execute("drop table if exists reject_errors")
    con.execute("drop table if exists reject_scans")
    return int(count[0]) if count else 0


def load_table(
    con: duckdb.DuckDBPyConnection, data_dir: Path, table: Table, append: bool, batch: int
) -> TableLoad:
    result = TableLoad(table=table.name, load_batch=batch)
    started = time.perf_counter()
    target = f"{RAW_SCHEMA}.{quote(table.name)}"
    files = find_files(data_dir, table.name)
    if not append or not table_exists(con, table.name):
        con.execute(f"create or replace table {target} as {empty_table_sql(table)}")
    if not files:
        result.warnings.append(f"no file for {table.name} in {data_dir}: loaded as an empty table")
    for path in files:
        source_file = str(path.relative_to(data_dir))
        result.files.append(source_file)
        try:
            columns = file_columns(con, path)
        except duckdb.Error as error:
            reason = str(error).splitlines()[0]
            raise SystemExit(f"error: cannot read {path} as {table.name}: {reason}") from error
        missing = [c for c in table.column_names if c not in columns]
        extra = sorted(set(columns) - set(table.column_names))
        if missing:
            result.warnings.append(f"{source_file}: missing columns loaded as null: {missing}")
        if extra:
            result.warnings.append(f"{source_file}: extra columns ignored: {extra}")
        insert = select_sql(table, path, columns, source_file, batch)
        first_rowid = row_count(con, target)
        con.execute(f"insert into {target} {insert}")
        number_rows(con, target, first_rowid)
        result.rejected_lines += copy_rejects(con, table.name, source_file, batch)
    count = con.execute(f"select count(*) from {target}").fetchone()
    result.rows = int(count[0]) if count else 0
    result.seconds = time.perf_counter() - started
    return result


def row_count(con: duckdb.DuckDBPyConnection, target: str) -> int:
    found = con.execute(f"select count(*) from {target}").fetchone()
    return int(found[0]) if found else 0


def number_rows(con: duckdb.DuckDBPyConnection, target: str, first_rowid: int) -> None:
    """Set _row_number (1 = the file's first data row) of the rows just inserted. The raw
    tables are only ever created and appended to, and insertion order is preserved, so the
    rowids of a file's rows are contiguous and in file order."""
    con.execute(
        f"update {target} set _row_number = rowid - {first_rowid} + 1 where _row_number is null"
    )


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
        [RAW_SCHEMA, table],
    ).fetchone()
    return bool(found and found[0])


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


class InputError(Exception):
    """An export that cannot be loaded as delivered (one line per problem)."""


def load_directory(
    data_dir: Path,
    db_path: Path,
    append: bool = False,
    quiet: bool = False,
    allow_missing: tuple[str, ...] = (),
    previous: Path | None = None,
) -> list[TableLoad]:
    """Load every contract table found in data_dir into db_path's raw schema."""
    if not data_dir.is_dir():
        raise SystemExit(f"error: export directory {data_dir} does not exist")
    contract = load_contract()
    db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path))
    con.execute("set preserve_insertion_order = true")
    con.execute("set enable_progress_bar = false")
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    reject_columns = (
        "table_name varchar, source_file varchar, line bigint, error_type varchar,"
        " csv_line varchar, error_message varchar, load_batch integer"
    )
    if append:
        con.execute(f"create table if not exists {REJECTS_TABLE} ({reject_columns})")
    else:
        con.execute(f"create or replace table {REJECTS_TABLE} ({reject_columns})")
    batch = next_batch(con, contract, append)
    results = []
    for index, table in enumerate(contract.values(), start=1):
        result = load_table(con, data_dir, table, append, batch)
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
    con.close()
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
    parser.add_argument("--summary-json", type=Path, help="write per-table figures as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    results = load_directory(args.data, args.db, append=args.append)
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
