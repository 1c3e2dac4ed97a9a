"""Benchmark the warehouse against DuckDB itself, at two scales.

For N tickets (default 2,000,000) and N / 10 it generates exports (scripts/generate_exports.py),
keeps the last day apart, and measures on the same files:
  - landing: raw rows/s of scripts/load_raw.py beside DuckDB's own read_csv of the same files;
  - full build: `run_warehouse.py` (landing, both quality gates, dbt build) on every day
    but the last, wall time and peak memory (RSS) of the whole process tree;
  - incremental: the last day appended (`run_warehouse.py --append`), wall time and peak memory;
  - engine floor: scripts/benchmark_floor.sql (load + six headline KPIs per month) in DuckDB;
and the ratios full / floor, incremental / full and full(N) / full(N / 10). It writes
`<results>/benchmark.json` and `<results>/benchmark.md` and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

SCRIPTS = Path(__file__).resolve().parent
PROJECT_ROOT = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

import load_raw  # noqa: E402
from raw_contract import load_contract  # noqa: E402

# The column that dates a row of each export: the appended day holds the rows of the last day.
DAY_COLUMNS = {
    "crm_customers": "signed_up_at",
    "crm_subscriptions": "started_at",
    "shop_orders": "ordered_at",
    "helpdesk_tickets": "created_at",
    "helpdesk_ticket_events": "occurred_at",
    "telephony_calls": "offered_at",
    "chat_sessions": "requested_at",
    "self_service_sessions": "started_at",
    "qa_reviews": "reviewed_at",
    "survey_invitations": "sent_at",
    "survey_responses": "responded_at",
    "engagement_events": "occurred_at",
    "product_task_attempts": "started_at",
}


@dataclass
class Scale:
    """Figures measured at one scale."""

    tickets: int
    raw_rows: int = 0
    landing_seconds: float = 0.0
    landing_rows_per_second: float = 0.0
    duckdb_read_csv_seconds: float = 0.0
    duckdb_read_csv_rows_per_second: float = 0.0
    full_build_seconds: float = 0.0
    full_build_peak_rss_mib: float = 0.0
    incremental_rows: int = 0
    incremental_seconds: float = 0.0
    incremental_peak_rss_mib: float = 0.0
    floor_seconds: float = 0.0
    full_build_steps: dict[str, float] = field(default_factory=dict)
    incremental_steps: dict[str, float] = field(default_factory=dict)
    dbt_model_seconds: dict[str, float] = field(default_factory=dict)
    incremental_dbt_model_seconds: dict[str, float] = field(default_factory=dict)
    # what write-audit-publish costs: the working copy of the last build (append), and the
    # copies of the marts to the published DuckDB file and to Parquet
    full_build_publishing: dict[str, float] = field(default_factory=dict)
    incremental_publishing: dict[str, float] = field(default_factory=dict)

    @property
    def landing_vs_read_csv(self) -> float:
        return self.landing_rows_per_second / max(self.duckdb_read_csv_rows_per_second, 1e-9)

    @property
    def full_vs_floor(self) -> float:
        return self.full_build_seconds / max(self.floor_seconds, 1e-9)

    @property
    def incremental_vs_full(self) -> float:
        return self.incremental_seconds / max(self.full_build_seconds, 1e-9)


class TreeMemory:
    """Peak resident memory of a process and all its descendants, sampled from /proc."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _children(self) -> dict[int, list[int]]:
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
        return children

    def _rss(self, pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def sample(self) -> int:
        children = self._children()
        total, stack = 0, [self.pid]
        while stack:
            pid = stack.pop()
            total += self._rss(pid)
            stack.extend(children.get(pid, []))
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self.sample())
            self._stop.wait(self.interval)


def quiet(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute("set enable_progress_bar = false")
    return con


def timed_process(command: list[str], log_path: Path) -> tuple[float, float]:
    """Run a command; return (wall seconds, peak RSS MiB of its process tree)."""
    started = time.perf_counter()
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
        with TreeMemory(process.pid) as memory:
            code = process.wait()
    seconds = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"error: {' '.join(command)} failed (exit {code}); see {log_path}")
    return seconds, memory.peak_bytes / 2**20


def generate(out: Path, tickets: int, seed: int, extra: list[str] | None = None) -> None:
    """Generated exports in out/, reused when a previous run made them with the same figures."""
    marker = out / ".complete"
    if marker.exists() and marker.read_text().strip() == f"{tickets} {seed}":
        print(f"    reusing {out}", flush=True)
        return
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, str(SCRIPTS / "generate_exports.py"), "--out", str(out)]
    command += ["--tickets", str(tickets), "--seed", str(seed), *(extra or [])]
    subprocess.run(command, check=True)
    marker.write_text(f"{tickets} {seed}")


def split_last_day(full: Path, base: Path, day: Path) -> int:
    """Write every row dated before the last day to base/, the last day's rows to day/."""
    for folder in (base, day):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    con = quiet(duckdb.connect())
    cutoff_sql = (
        "select max(try_cast(created_at as timestamptz) at time zone 'UTC')"
        f" from read_csv('{full / 'helpdesk_tickets.csv'}', all_varchar = true)"
    )
    last = con.execute(f"select cast(({cutoff_sql}) as date)").fetchone()[0]  # type: ignore[index]
    day_rows = 0
    for table in load_contract().values():
        source = full / f"{table.name}.csv"
        reader = f"read_csv('{source}', all_varchar = true, header = true)"
        column = DAY_COLUMNS.get(table.name)
        if column is None:
            shutil.copy(source, base / source.name)
            continue
        is_last_day = (
            f"coalesce(try_cast({column} as timestamptz) at time zone 'UTC' >= '{last}', false)"
        )
        for folder, condition in ((base, f"not {is_last_day}"), (day, is_last_day)):
            target = folder / source.name
            con.execute(f"copy (select * from {reader} where {condition}) to '{target}'")
        count = con.execute(f"select count(*) from {reader} where {is_last_day}").fetchone()
        day_rows += int(count[0]) if count else 0
    return day_rows


def duckdb_read_csv(data: Path, db_path: Path) -> tuple[int, float]:
    """DuckDB's own read_csv (type detection on) of every export file into a fresh database."""
    db_path.unlink(missing_ok=True)
    con = quiet(duckdb.connect(str(db_path)))
    rows, started = 0, time.perf_counter()
    for path in sorted(data.glob("*.csv")):
        con.execute(f"create table {path.stem} as select * from read_csv('{path}')")
        count = con.execute(f"select count(*) from {path.stem}").fetchone()
        rows += int(count[0]) if count else 0
    seconds = time.perf_counter() - started
    con.close()
    return rows, seconds


def floor(data: Path) -> float:
    sql = (SCRIPTS / "benchmark_floor.sql").read_text().replace("{data}", str(data))
    con = quiet(duckdb.connect(config={"threads": 2}))
    started = time.perf_counter()
    con.execute(sql)
    con.execute("select count(*) from floor_kpis").fetchone()
    return time.perf_counter() - started


PUBLISHING_FIGURES = {
    "working copy": re.compile(r"working copy of the last build: [\d,.]+ MiB copied in ([\d.]+) s"),
    "DuckDB copy": re.compile(r"DuckDB copy ([\d.]+) s"),
    "Parquet export": re.compile(r"Parquet ([\d.]+) s"),
}


def publishing_timings(log_path: Path) -> dict[str, float]:
    """Seconds of the publishing work of a run_warehouse.py log (the lines of
    scripts/run_warehouse.py that name the working copy and the two copies of the marts)."""
    text = log_path.read_text(encoding="utf-8", errors="replace")
    found = {}
    for name, pattern in PUBLISHING_FIGURES.items():
        match = pattern.search(text)
        if match:
            found[name] = float(match.group(1))
    return found


def step_timings(log_path: Path) -> dict[str, float]:
    """Seconds of each step of a run_warehouse.py log ("==> 2/5 data-quality gate ..." then
    "    (14.4 s)"), keyed by the step's title."""
    steps: dict[str, float] = {}
    title = None
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("==> "):
            title = line[4:].split(" ", 1)[1] if " " in line[4:] else line[4:]
        elif title and line.startswith("    (") and line.endswith(" s)"):
            name = title.split(" (")[0]
            if title.startswith(("landing", "publishing")):
                name = title.split(" ")[0]  # without the paths
            steps[name] = float(line.strip()[1:-3])
            title = None
    return steps


def model_timings(limit: int = 8) -> dict[str, float]:
    """The slowest dbt nodes of the last build (target/run_results.json)."""
    path = PROJECT_ROOT / "target" / "run_results.json"
    if not path.exists():
        return {}
    results = json.loads(path.read_text())["results"]
    timings = {r["unique_id"].split(".")[-1]: round(r["execution_time"], 2) for r in results}
    return dict(sorted(timings.items(), key=lambda item: -item[1])[:limit])


def measure(tickets: int, work: Path, seed: int) -> Scale:
    scale = Scale(tickets=tickets)
    folder = work / f"t{tickets}"
    print(f"\n== {tickets:,} tickets", flush=True)
    print("--> generating exports", flush=True)
    generate(folder / "full", tickets, seed)
    print("--> keeping the last day apart", flush=True)
    scale.incremental_rows = split_last_day(folder / "full", folder / "base", folder / "day")

    print("--> landing vs DuckDB read_csv", flush=True)
    landing_db = folder / "landing.duckdb"
    landing_db.unlink(missing_ok=True)
    started = time.perf_counter()
    results = load_raw.load_directory(folder / "base", landing_db, quiet=True)
    scale.landing_seconds = time.perf_counter() - started
    scale.raw_rows = sum(result.rows for result in results)
    scale.landing_rows_per_second = scale.raw_rows / scale.landing_seconds
    rows, scale.duckdb_read_csv_seconds = duckdb_read_csv(folder / "base", folder / "csv.duckdb")
    scale.duckdb_read_csv_rows_per_second = rows / scale.duckdb_read_csv_seconds
    for path in (landing_db, folder / "csv.duckdb"):
        path.unlink(missing_ok=True)

    print("--> full build", flush=True)
    db = folder / "warehouse" / "warehouse.duckdb"
    shutil.rmtree(db.parent, ignore_errors=True)
    build = [sys.executable, str(SCRIPTS / "run_warehouse.py"), "--db", str(db), "--no-summary"]
    build.append("--demo-salt")  # generated exports: no personal data to protect
    scale.full_build_seconds, scale.full_build_peak_rss_mib = timed_process(
        [*build, "--data", str(folder / "base")], folder / "full_build.log"
    )
    scale.dbt_model_seconds = model_timings()
    scale.full_build_steps = step_timings(folder / "full_build.log")
    scale.full_build_publishing = publishing_timings(folder / "full_build.log")

    print("--> incremental: one more day", flush=True)
    scale.incremental_seconds, scale.incremental_peak_rss_mib = timed_process(
        [*build, "--data", str(folder / "day"), "--append"], folder / "incremental.log"
    )
    scale.incremental_dbt_model_seconds = model_timings()
    scale.incremental_steps = step_timings(folder / "incremental.log")
    scale.incremental_publishing = publishing_timings(folder / "incremental.log")

    print("--> engine floor", flush=True)
    scale.floor_seconds = floor(folder / "base")
    print(json.dumps(asdict(scale), indent=2), flush=True)
    return scale


def markdown(large: Scale, small: Scale | None) -> str:
    scales = [s for s in (small, large) if s is not None]
    header = "| figure | " + " | ".join(f"{s.tickets:,} tickets" for s in scales) + " |"
    lines = [header, "|---|" + "---:|" * len(scales)]

    def row(name: str, values: list[str]) -> None:
        lines.append(f"| {name} | " + " | ".join(values) + " |")

    row("raw rows landed", [f"{s.raw_rows:,}" for s in scales])
    row("landing, rows/s", [f"{s.landing_rows_per_second:,.0f}" for s in scales])
    row("DuckDB read_csv, rows/s", [f"{s.duckdb_read_csv_rows_per_second:,.0f}" for s in scales])
    row("landing / read_csv", [f"{s.landing_vs_read_csv:.2f}" for s in scales])
    row("full build, s", [f"{s.full_build_seconds:.1f}" for s in scales])
    row("full build peak RSS, MiB", [f"{s.full_build_peak_rss_mib:,.0f}" for s in scales])
    row("engine floor, s", [f"{s.floor_seconds:.1f}" for s in scales])
    row("full build / floor", [f"{s.full_vs_floor:.1f}" for s in scales])
    row("appended day, raw rows", [f"{s.incremental_rows:,}" for s in scales])
    row("incremental run, s", [f"{s.incremental_seconds:.1f}" for s in scales])
    row("incremental peak RSS, MiB", [f"{s.incremental_peak_rss_mib:,.0f}" for s in scales])
    row("incremental / full", [f"{s.incremental_vs_full:.1%}" for s in scales])
    for label, attribute in (
        ("full build", "full_build_steps"),
        ("incremental", "incremental_steps"),
    ):
        steps = [getattr(s, attribute) for s in scales]
        for title in steps[-1]:
            row(f"{label}: {title}, s", [f"{step.get(title, 0.0):.1f}" for step in steps])
    for label, attribute, total in (
        ("full build", "full_build_publishing", "full_build_seconds"),
        ("incremental", "incremental_publishing", "incremental_seconds"),
    ):
        for name in PUBLISHING_FIGURES:
            if any(name in getattr(s, attribute) for s in scales):
                row(
                    f"{label}: publishing, {name}, s (share of the run)",
                    [
                        f"{getattr(s, attribute).get(name, 0.0):.1f}"
                        f" ({getattr(s, attribute).get(name, 0.0) / getattr(s, total):.1%})"
                        for s in scales
                    ],
                )
    if small is not None:
        growth = large.full_build_seconds / max(small.full_build_seconds, 1e-9)
        lines.append("")
        lines.append(
            f"Cost growth {small.tickets:,} -> {large.tickets:,} tickets (full build):"
            f" {growth:.1f}x for {large.tickets / small.tickets:.0f}x the data."
        )
    lines.append("")
    lines.append(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores,"
        f" {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB,"
        f" Python {platform.python_version()}, DuckDB {duckdb.__version__}."
    )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=2_000_000, help="large scale (tickets)")
    parser.add_argument("--small-factor", type=int, default=10, help="small scale = tickets / F")
    parser.add_argument("--no-small", action="store_true", help="measure the large scale only")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--work-dir", type=Path, default=Path("/tmp/cx-warehouse-bench"), help="exports, databases"
    )
    parser.add_argument(
        "--results-dir", type=Path, default=PROJECT_ROOT / "bench_results", help="JSON + markdown"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    small = None
    if not args.no_small:
        small = measure(args.tickets // args.small_factor, args.work_dir, args.seed)
    large = measure(args.tickets, args.work_dir, args.seed)
    table = markdown(large, small)
    args.results_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "large": asdict(large),
        "small": asdict(small) if small else None,
        "markdown": table,
    }
    (args.results_dir / "benchmark.json").write_text(json.dumps(payload, indent=2))
    (args.results_dir / "benchmark.md").write_text(table + "\n")
    print("\n" + table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
