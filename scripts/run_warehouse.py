"""Build the warehouse from a directory of exports, end to end.

Steps, each timed and stopped at the first failure:
  1. land the export files in the `raw` schema (scripts/load_raw.py); with --append as a new
     load batch next to what is there (e.g. one more day), so that step 3 is incremental;
  2. great-expectations gate on the raw layer (scripts/validate_quality.py --suite raw);
  3. `dbt seed` and `dbt build` (models, data tests and unit tests);
  4. great-expectations gate on the marts (--suite marts), writing Data Docs;
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


def dbt_env(db_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CX_WAREHOUSE_DB"] = str(db_path.resolve())
    env["DBT_PROFILES_DIR"] = str(PROJECT_ROOT)
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


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
    parser.add_argument("--no-summary", action="store_true", help="do not print the KPI summary")
    parser.add_argument(
        "--require-all-kpis",
        action="store_true",
        help="fail when a kpi_id of seed kpi_definitions has no row in kpi_values",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = dbt_env(args.db)
    python = sys.executable
    total = time.perf_counter()

    started = step(f"1/5 landing {args.data} in {args.db}")
    loads = load_raw.load_directory(args.data, args.db, append=args.append)
    done(started)

    validate = [python, str(SCRIPTS / "validate_quality.py"), "--db", str(args.db)]
    docs = ["--docs-dir", str(args.docs_dir)]
    if not args.skip_validation:
        started = step("2/5 data-quality gate on the raw layer")
        # the gate judges the export just delivered: with --append, only the new load batch
        scope = ["--load-batch", str(loads[0].load_batch)] if args.append and loads else []
        run([*validate, "--suite", "raw", *scope, *docs], env)
        done(started)

    started = step("3/5 dbt seed + dbt build")
    run(dbt_command("seed", "--quiet", "--full-refresh"), env)
    # A full load replaces the raw layer, so the incremental models must start over too.
    full_refresh = args.full_refresh or not args.append
    build = ["build", "--full-refresh"] if full_refresh else ["build"]
    if args.append and not args.full_refresh and loads:
        # an incremental run tests the rows of the batch it adds (DECISIONLOG "Incremental builds")
        build += ["--vars", f"{{test_from_batch: {loads[0].load_batch}}}"]
    run(dbt_command(*build), env)
    done(started)

    if not args.skip_validation:
        started = step("4/5 data-quality gate on the marts")
        run([*validate, "--suite", "marts", *docs], env)
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
