"""Write, audit, publish: where a build happens and how its result reaches BI tools.

A warehouse named by its published file, e.g. `warehouse/cx_warehouse.duckdb`, has:

  warehouse/cx_warehouse.duckdb          published: the `marts`, `audit` and `reference` (seeds)
                                         schemas only, the file BI tools open read-only (no raw
                                         or staging data)
  warehouse/cx_warehouse.manifest.json   what was published: when, from which exports, load
                                         batches, row counts, commit, gate results
  warehouse/cx_warehouse_parquet/
      current -> v20261207T101500Z_ab12  pointer (symlink) to the published Parquet version
      v20261207T101500Z_ab12/            one Parquet file per table (marts/, audit/) + manifest
  warehouse/cx_warehouse.build/          private to the data team (raw exports, personal data):
      state.duckdb                       the last good build: every layer, the incremental state
      work/build.duckdb                  the working copy of the run in progress (dbt opens it
                                         through the link target/work of run_warehouse.py)
      failed/<run_id>.duckdb             failed or interrupted builds, kept for inspection
      lock                               held (flock) by the build in progress

A run lands, gates and builds on its working copy (a copy of state.duckdb for --append, a new
file otherwise). Only when every step passed does the working copy become the new state and
are the published files replaced, each with one rename: a reader that holds the old file keeps
reading it; new connections see the new data. A failed step, or a killed process, leaves the
published files and the state untouched; the working copy is kept under failed/.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import duckdb

PUBLISHED_SCHEMAS = ("marts", "audit", "reference")
KEEP_FAILED = 3
WORK_FILE = "build.duckdb"  # the working copy, work/build.duckdb


class BuildBusy(Exception):
    """Another build holds the lock of this warehouse."""


@dataclass(frozen=True)
class Layout:
    """The files of one warehouse, derived from the path of its published DuckDB file."""

    published: Path

    @property
    def manifest(self) -> Path:
        return self.published.with_name(f"{self.published.stem}.manifest.json")

    @property
    def parquet_root(self) -> Path:
        return self.published.with_name(f"{self.published.stem}_parquet")

    @property
    def parquet_current(self) -> Path:
        return self.parquet_root / "current"

    @property
    def build_dir(self) -> Path:
        return self.published.with_name(f"{self.published.stem}.build")

    @property
    def state(self) -> Path:
        return self.build_dir / "state.duckdb"

    @property
    def work_dir(self) -> Path:
        return self.build_dir / "work"

    @property
    def failed_dir(self) -> Path:
        return self.build_dir / "failed"

    @property
    def settings(self) -> Path:
        """The seeds and vars the state was built with (scripts/build_settings.py)."""
        return self.build_dir / "settings.json"

    @property
    def lock_file(self) -> Path:
        return self.build_dir / "lock"


def state_path(published: Path) -> Path:
    """The private full warehouse (every layer) behind a published file."""
    return Layout(published).state


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + f"_{os.getpid()}"


class BuildLock:
    """An exclusive flock on a lock file (the warehouse's, unless another is named), released
    when the holder exits (also on kill -9). The file records who holds it, for the message of
    a second build."""

    def __init__(self, layout: Layout, lock_file: Path | None = None, what: str = "") -> None:
        self.layout = layout
        self.lock_file = lock_file or layout.lock_file
        self.what = what or f"another build of {layout.published}"
        self.handle: IO[str] | None = None

    def acquire(self, wait: bool) -> None:
        self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.lock_file, "a+", encoding="utf-8")  # noqa: SIM115
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            if not wait:
                handle.close()
                raise BuildBusy(
                    f"{self.what} is running ({holder}); "
                    "nothing was changed. Retry when it has finished, or pass --wait."
                ) from None
            print(f"waiting for the build in progress ({holder}) ...", flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC\n")
        handle.flush()
        self.handle = handle

    @property
    def fileno(self) -> int:
        assert self.handle is not None
        return self.handle.fileno()

    def release(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def database_files(path: Path) -> list[Path]:
    """A DuckDB file and its write-ahead log, where present."""
    return [p for p in (path, path.with_name(path.name + ".wal")) if p.exists()]


def keep_failed(layout: Layout, work: Path, run_id: str) -> Path | None:
    """Move a working copy to failed/<run_id>.duckdb for inspection (keeping the newest
    KEEP_FAILED)."""
    if not work.exists():
        return None
    layout.failed_dir.mkdir(parents=True, exist_ok=True)
    kept = layout.failed_dir / f"{run_id}.duckdb"
    for path in database_files(work):
        os.replace(path, kept.with_name(kept.name + path.name.removeprefix(work.name)))
    failed = sorted(layout.failed_dir.glob("*.duckdb"), key=lambda p: p.stat().st_mtime)
    for old in failed[:-KEEP_FAILED]:
        for path in database_files(old):
            path.unlink()
    return kept


def recover_interrupted(layout: Layout) -> list[Path]:
    """Working copies left by a run that was killed: moved to failed/ (the lock is ours, so no
    run is using them)."""
    if not layout.work_dir.is_dir():
        return []
    kept = []
    for work in sorted(layout.work_dir.glob("*.duckdb")):
        stamp = datetime.fromtimestamp(work.stat().st_mtime, UTC).strftime("%Y%m%dT%H%M%SZ")
        path = keep_failed(layout, work, f"{stamp}_interrupted")
        if path is not None:
            kept.append(path)
    for leftover in layout.work_dir.iterdir():  # a lone .wal of a copy that never started
        leftover.unlink()
    return kept


def start_work(layout: Layout, from_state: bool) -> Path:
    """The working copy of this run, work/build.duckdb: a copy of the state (for --append) or a
    new file. Always the same name, so that dbt's path to it never changes (run_warehouse.py
    link_work_dir)."""
    layout.work_dir.mkdir(parents=True, exist_ok=True)
    work = layout.work_dir / WORK_FILE
    for path in database_files(work):
        path.unlink()
    if from_state:
        checkpoint(layout.state)
        shutil.copyfile(layout.state, work)
    return work


def checkpoint(path: Path) -> None:
    """Fold the write-ahead log into the file, so that the file alone is the database."""
    con = duckdb.connect(str(path))
    try:
        con.execute("checkpoint")
    finally:
        con.close()


def promote(layout: Layout, work: Path) -> None:
    """The working copy becomes the state of the next run (one rename)."""
    checkpoint(work)
    os.replace(work, layout.state)


@dataclass
class PublishResult:
    tables: dict[str, int]
    version_dir: Path
    copy_seconds: float
    parquet_seconds: float


def published_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[tuple[str, str]]:
    found = con.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_catalog = ? and table_schema in ('marts', 'audit', 'reference')"
        " order by table_schema, table_name",
        [catalog],
    ).fetchall()
    return [(str(schema), str(name)) for schema, name in found]


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def publish(layout: Layout, manifest: dict[str, object]) -> PublishResult:
    """Copy the marts and audit schemas of the state into a new DuckDB file and a new Parquet
    version, then switch to both with one rename each, and write the manifest."""
    run_id = str(manifest["run_id"])
    layout.published.parent.mkdir(parents=True, exist_ok=True)
    staging_file = layout.published.with_name(f".{layout.published.name}.{run_id}.tmp")
    version_dir = layout.parquet_root / f"v{run_id}"
    for path in database_files(staging_file):
        path.unlink()
    if version_dir.exists():
        shutil.rmtree(version_dir)

    started = time.perf_counter()
    con = duckdb.connect(str(staging_file))
    tables: dict[str, int] = {}
    try:
        con.execute("attach ? as build (read_only)", [str(layout.state)])
        names = published_tables(con, "build")
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema if not exists {schema}")
        for schema, name in names:
            target = f"{quote(schema)}.{quote(name)}"
            con.execute(f"create table {target} as select * from build.{target}")
            count = con.execute(f"select count(*) from {target}").fetchone()
            tables[f"{schema}.{name}"] = int(count[0]) if count else 0
        con.execute("detach build")
        con.execute("checkpoint")
        copy_seconds = time.perf_counter() - started

        started = time.perf_counter()
        for schema, name in names:
            folder = version_dir / schema
            folder.mkdir(parents=True, exist_ok=True)
            con.execute(
                f"copy {quote(schema)}.{quote(name)} to ? (format parquet, compression zstd)",
                [str(folder / f"{name}.parquet")],
            )
        parquet_seconds = time.perf_counter() - started
    finally:
        con.close()

    manifest = {**manifest, "tables": tables}
    write_json(version_dir / "manifest.json", manifest)
    # the switch: Parquet pointer, DuckDB file, manifest; each one rename
    pointer = layout.parquet_root / f".current.{run_id}"
    pointer.unlink(missing_ok=True)
    pointer.symlink_to(version_dir.name)
    os.replace(pointer, layout.parquet_current)
    os.replace(staging_file, layout.published)
    write_json(layout.manifest, manifest)
    prune_versions(layout, version_dir)
    return PublishResult(tables, version_dir, copy_seconds, parquet_seconds)


def prune_versions(layout: Layout, current: Path) -> None:
    """Keep the current Parquet version and the one before it (a reader may still be on it)."""
    versions = sorted(
        (p for p in layout.parquet_root.glob("v*") if p.is_dir() and p != current),
        key=lambda p: p.stat().st_mtime,
    )
    for old in versions[:-1]:
        shutil.rmtree(old)


def write_json(path: Path, payload: dict[str, object]) -> None:
    """Write a JSON file atomically (temporary file, then one rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def git_commit(root: Path) -> str:
    """The commit of the project that built the warehouse ('+dirty' with local changes)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty else "")


def load_batches(path: Path) -> list[dict[str, object]]:
    """The load batches of the build, from the loader's log raw._load_batches: when, from
    where, and per table with files the files, rows landed and unreadable lines."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = con.execute(
            "select load_batch, min(loaded_at), min(data_dir), table_name, files, landed_rows,"
            " rejected_lines from raw._load_batches"
            " group by load_batch, table_name, files, landed_rows, rejected_lines"
            " order by load_batch, table_name"
        ).fetchall()
    finally:
        con.close()
    batches: dict[int, dict[str, object]] = {}
    for batch, loaded_at, data_dir, table, files, landed, rejected in found:
        entry = batches.setdefault(
            int(batch),
            {"load_batch": int(batch), "loaded_at": loaded_at, "data_dir": data_dir, "tables": {}},
        )
        tables = entry["tables"]
        assert isinstance(tables, dict)
        if files:
            tables[str(table)] = {
                "files": list(files),
                "rows": int(landed),
                "unreadable_lines": int(rejected),
            }
    return [batches[key] for key in sorted(batches)]
