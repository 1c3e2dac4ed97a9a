"""Build the warehouse from a directory of exports, end to end.

Steps, each timed and stopped at the first failure:
  1. land the export files in the `raw` schema (scripts/load_raw.py); with --append as a new
     load batch next to what is there (e.g. one more day), so that step 3 is incremental;
  2. great-expectations gate on the raw layer (scripts/validate_quality.py, suite raw);
  3. one `dbt build`: seeds, models and data tests (unit tests too with --unit-tests);
  4. great-expectations gate on the marts (suite marts), writing Data Docs;
  5. print the latest month of every KPI (scripts/kpi_summary.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
PROJECT_ROOT = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

import kpi_summary  # noqa: E402
import load_raw  # noqa: E402
import validate_quality  # noqa: E402


def step(title: str) -> float:
    print(f"\n==> {title}", flush=True)
    return time.perf_counter()


def done(started: float) -> None:
    print(f"    ({time.perf_counter() - started:.1f} s)", flush=True)


def run(command: list[str], env: dict[str, str]) -> None:
    """Run a command from the project root; exit with its code when it fails."""
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=False)
    if result.returncode != 0:
        print(f"error: `{' '.join(command)}` failed (exit {result.returncode})", file=sys.stderr)
        raise SystemExit(result.returncode)


def dbt_env(db_path: Path, test_from_batch: int = 0) -> dict[str, str]:
    """The environment of dbt: the database, the profile and the first load batch data tests
    read (macro get_where_subquery; an environment variable, not a --vars, so that dbt's
    partial parsing survives from one run to the next)."""
    env = dict(os.environ)
    env["CX_WAREHOUSE_DB"] = str(db_path.resolve())
    env["DBT_PROFILES_DIR"] = str(PROJECT_ROOT)
    env["CX_TEST_FROM_BATCH"] = str(test_from_batch)
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def quality_gate(db_path: Path, suite: str, docs_dir: Path, load_batch: int | None) -> None:
    """Run a great-expectations suite in this process (GE is imported once for both gates);
    exit with 1 when it fails."""
    report = validate_quality.validate(db_path, suite, docs_dir, load_batch=load_batch)
    print("\n".join(report.lines()), flush=True)
    if report.failures:
        print(f"error: the {suite} data-quality gate failed", file=sys.stderr)
        raise SystemExit(1)


def dbt_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("dbt")), *args, "--project-dir", str(PROJECT_ROOT)]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="directory of export files")
    parser.add_argument("--db", type=Path, required=True, help="DuckDB database file to build")
    parser.add_argument(
        "--docs-dir",
        type=Path,
        default=PROJECT_ROOT / "target" / "data_docs",
        help="where great-expectations writes Data Docs (default target/data_docs)",
    )
    parser.add_argument(
        "--append",
        action="store_true",
        help="add DATA as a new load batch and build incrementally (default: replace everything)",
    )
    parser.add_argument(
        "--full-refresh", action="store_true", help="rebuild incremental models from scratch"
    )
    parser.add_argument("--skip-validation", action="store_true", help="skip both GE gates")
    parser.add_argument(
        "--unit-tests",
        action="store_true",
        help="also run dbt's unit tests (make test does; a production build skips them)",
    )
    parser.add_argument("--no-summary", action="store_true", help="do not print the KPI summary")
    parser.add_argument(
        "--require-all-kpis",
        action="store_true",
        help="fail when a kpi_id of seed kpi_definitions has no row in kpi_values",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    total = time.perf_counter()

    started = step(f"1/5 landing {args.data} in {args.db}")
    loads = load_raw.load_directory(args.data, args.db, append=args.append)
    done(started)
    # an incremental run tests the rows of the batch it adds (DECISIONLOG "Incremental builds")
    new_batch = loads[0].load_batch if args.append and loads else None

    if not args.skip_validation:
        started = step("2/5 data-quality gate on the raw layer")
        # the gate judges the export just delivered: with --append, only the new load batch
        quality_gate(args.db, "raw", args.docs_dir, new_batch)
        done(started)

    started = step("3/5 dbt build (seeds, models, data tests)")
    # A full load replaces the raw layer, so the incremental models must start over too.
    full_refresh = args.full_refresh or not args.append
    build = ["build", "--full-refresh"] if full_refresh else ["build"]
    if not args.unit_tests:
        # unit tests check the SQL, not the data: CI runs them (make test), production skips them
        build += ["--exclude-resource-type", "unit_test"]
    test_from_batch = new_batch if new_batch is not None and not args.full_refresh else 0
    run(dbt_command(*build), dbt_env(args.db, test_from_batch))
    done(started)

    if not args.skip_validation:
        started = step("4/5 data-quality gate on the marts")
        quality_gate(args.db, "marts", args.docs_dir, None)
        done(started)

    if not args.no_summary:
        step("5/5 latest month of every KPI (marts.kpi_values, dimension all)")
        print("\n".join(kpi_summary.summary_lines(args.db)))
    missing = kpi_summary.missing_kpis(args.db)
    if missing:
        print(f"\nwarning: no kpi_values rows for {', '.join(missing)}", file=sys.stderr)
    print(f"\nwarehouse built in {time.perf_counter() - total:.1f} s: {args.db}")
    if missing and args.require_all_kpis:
        print("error: --require-all-kpis and some kpi_ids have no rows", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
