"""Build the warehouse from a directory of exports, end to end: write, audit, publish.

Steps, each timed and stopped at the first failure:
  1. land the export files in the `raw` schema of a private working copy (scripts/load_raw.py);
     with --append as a new load batch next to the last good build, so that step 4 is
     incremental;
  2. `dbt source freshness`: an export whose newest row is older than var stale_export_days
     is named in a warning, never a failure (skipped with --skip-validation);
  3. great-expectations gate on the raw layer (scripts/validate_quality.py, suite raw);
  4. one `dbt build`: seeds, models and data tests (unit tests too with --unit-tests);
     an appended load rebuilds every incremental model when a seed or var differs from the
     last build's (scripts/build_settings.py);
  5. great-expectations gate on the marts (suite marts), writing Data Docs;
  6. with --docs, `dbt docs generate`: the docs site in target/ (a failure is a warning);
  7. publish: the working copy becomes the state of the next run, and the `marts` and `audit`
     schemas are copied to the published DuckDB file (--db) and to Parquet, each switched in
     with one rename, with a manifest (scripts/publish.py);
  8. with --report FILE, write the KPI report (scripts/report.py; a failure is a warning: the
     warehouse is published);
  9. print the audit summary and the latest month of every KPI (scripts/kpi_summary.py).

dbt's own output goes to target/run_warehouse_dbt.log (scripts/dbt_progress.py); the terminal
shows a progress line and, after the build, a compact summary with every failing node.
A failure in steps 1-5, or a killed run, leaves the published files byte-identical and keeps
the working copy for inspection. Exit codes: 0 published; 1 rejected input or failed gate;
2 dbt failed; 3 another build of the same warehouse is running.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
PROJECT_ROOT = SCRIPTS.parent
sys.path.insert(0, str(SCRIPTS))

import build_settings  # noqa: E402
import dbt_progress  # noqa: E402
import kpi_summary  # noqa: E402
import load_raw  # noqa: E402
import publish  # noqa: E402
import report  # noqa: E402
import validate_quality  # noqa: E402

TARGET_DIR = PROJECT_ROOT / "target"  # dbt_project.yml target-path
DBT_LOG = TARGET_DIR / "run_warehouse_dbt.log"
WORK_LINK = TARGET_DIR / "work"  # a link to the running build's work folder (link_work_dir)
SALT_VARIABLE = "CX_PSEUDONYMISATION_SALT"
SALT_FILE_VARIABLE = "CX_PSEUDONYMISATION_SALT_FILE"
DEMO_SALT = "cx-warehouse-demo-only"


class StepFailed(Exception):
    """A step failed: the run stops with this exit code; the message is already printed."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def step(title: str) -> float:
    print(f"\n==> {title}", flush=True)
    return time.perf_counter()


def done(started: float) -> None:
    print(f"    ({time.perf_counter() - started:.1f} s)", flush=True)


def _die_with_parent() -> None:
    """In the child: be killed when the build process dies (Linux), so that a kill -9 of the
    build never leaves dbt writing on."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def run(command: list[str], env: dict[str, str], keep_fds: tuple[int, ...] = ()) -> None:
    """Run a command from the project root; raise StepFailed(2) when it fails. `keep_fds` are
    inherited (the build lock: held until the child has exited too)."""
    result = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        check=False,
        pass_fds=keep_fds,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    if result.returncode != 0:
        message = f"`{' '.join(command[:2])}` failed (exit {result.returncode})"
        print(f"error: {message}", file=sys.stderr)
        raise StepFailed(2, message)


def run_dbt_step(
    command: list[str],
    env: dict[str, str],
    target_dir: Path = TARGET_DIR,
    log_path: Path = DBT_LOG,
    keep_fds: tuple[int, ...] = (),
) -> None:
    """Run a dbt command that writes run_results.json (build, docs generate) with its output
    in `log_path`; print the compact summary, and every failing node with its message; raise
    StepFailed(2) when dbt fails. Without run_results.json (dbt stopped before running a node,
    e.g. a parse error) the last lines of dbt's output say why."""
    results_path = target_dir / "run_results.json"
    results_path.unlink(missing_ok=True)  # never summarise an earlier invocation
    code, tail = dbt_progress.run_dbt(
        command, env, PROJECT_ROOT, log_path, keep_fds=keep_fds, preexec_fn=_preexec()
    )
    run_results = _read_json(results_path)
    if run_results is not None:
        print("\n".join(dbt_progress.summary_lines(run_results)), flush=True)
    if code != 0 and (run_results is None or not dbt_progress.failed_nodes(run_results)):
        print("\n".join(f"    | {line}" for line in tail), file=sys.stderr)
    print(f"    full dbt log: {log_path}", flush=True)
    if code != 0:
        message = f"`dbt {command[1]}` failed (exit {code}); full log: {log_path}"
        print(f"error: {message}", file=sys.stderr)
        raise StepFailed(2, message)


def generate_docs(
    env: dict[str, str], dbt_vars: str | None = None, keep_fds: tuple[int, ...] = ()
) -> bool:
    """`dbt docs generate` on the built working copy: the site is target/index.html with
    manifest.json and catalog.json beside it (README "dbt docs"). A failure is a warning: the
    docs describe the build, they do not gate it."""
    command = dbt_command("docs", "generate")
    if dbt_vars:
        command += ["--vars", dbt_vars]
    code, tail = dbt_progress.run_dbt(
        command, env, PROJECT_ROOT, DBT_LOG, keep_fds=keep_fds, preexec_fn=_preexec()
    )
    if code != 0:
        print(
            f"    warning: dbt docs generate failed (exit {code}), the docs site is not"
            f" up to date: {' / '.join(tail[-3:])}; full log: {DBT_LOG}",
            file=sys.stderr,
            flush=True,
        )
        return False
    print(
        f"    docs site: {TARGET_DIR / 'index.html'}"
        f" (serve it: python -m http.server 8080 --directory {TARGET_DIR})",
        flush=True,
    )
    return True


def check_freshness(
    env: dict[str, str],
    dbt_vars: str | None = None,
    output: Path = TARGET_DIR / "sources.json",
    log_path: Path = DBT_LOG,
    keep_fds: tuple[int, ...] = (),
) -> list[str]:
    """`dbt source freshness` on the landed exports: one warning line per stale export (or per
    check that could not run). Never raises: a stale export is worth a warning, not a refusal
    to build (docs/architecture.md "Docs, exposures and freshness")."""
    output.unlink(missing_ok=True)
    command = dbt_command("source", "freshness", "--output", str(output))
    if dbt_vars:
        command += ["--vars", dbt_vars]
    code, tail = dbt_progress.run_dbt(
        command, env, PROJECT_ROOT, log_path, keep_fds=keep_fds, preexec_fn=_preexec()
    )
    sources = _read_json(output)
    if sources is None:
        return [f"warning: dbt source freshness did not run (exit {code}): {' / '.join(tail[-3:])}"]
    return dbt_progress.freshness_lines(sources)


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _preexec() -> Callable[[], None] | None:
    return _die_with_parent if sys.platform == "linux" else None


def link_work_dir(work: Path) -> Path:
    """The path dbt opens the working copy by: target/work/build.duckdb, target/work a link to
    this build's work folder. One path for every build, because dbt parses the whole project
    again whenever the database path of its profile changes (6 s of each run otherwise;
    docs/architecture.md "Write, audit, publish"). Called under the project folder's lock."""
    WORK_LINK.parent.mkdir(parents=True, exist_ok=True)
    link = WORK_LINK.with_name(f".work.{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(work.parent.resolve(), target_is_directory=True)
    os.replace(link, WORK_LINK)
    return WORK_LINK / work.name


def dbt_env(db_path: Path, test_from_batch: int = 0, salt: str | None = None) -> dict[str, str]:
    """The environment of dbt: the database, the profile, the salt and the first load batch
    data tests read (macro get_where_subquery; environment variables, not --vars, so that
    dbt's partial parsing survives from one run to the next)."""
    env = dict(os.environ)
    if salt is not None:
        env[SALT_VARIABLE] = salt
    env["CX_WAREHOUSE_DB"] = os.path.abspath(db_path)  # not resolve(): keep WORK_LINK's path
    env["DBT_PROFILES_DIR"] = str(PROJECT_ROOT)
    env["CX_TEST_FROM_BATCH"] = str(test_from_batch)
    # the build's profile target, even when DBT_TARGET=semantic (mf's) is set in the shell
    env["DBT_TARGET"] = "duckdb"
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def pseudonymisation_salt(demo: bool) -> str:
    """The deployment's secret salt: CX_PSEUDONYMISATION_SALT, or the file named by
    CX_PSEUDONYMISATION_SALT_FILE; the public demo salt only with --demo-salt."""
    salt = os.environ.get(SALT_VARIABLE, "")
    salt_file = os.environ.get(SALT_FILE_VARIABLE, "")
    if not salt and salt_file:
        try:
            salt = Path(salt_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise StepFailed(1, f"cannot read the salt file {salt_file}: {error}") from error
        if not salt:
            raise StepFailed(1, f"the salt file {salt_file} is empty")
    if salt:
        return salt
    if demo:
        print(
            "warning: using the public demo salt for customer_key (--demo-salt): keys can be"
            f" recomputed from customer ids. Set {SALT_VARIABLE} for real data.",
            file=sys.stderr,
        )
        return DEMO_SALT
    raise StepFailed(
        1,
        f"no pseudonymisation salt: set {SALT_VARIABLE} (a secret of this deployment) or"
        f" {SALT_FILE_VARIABLE} (a file outside the repository holding it); --demo-salt uses"
        " a public salt, for the demo and tests only",
    )


def write_kpi_report(published: Path, out: Path) -> None:
    """The static KPI report from the published file (README "KPI report"). A failure is a
    warning: the warehouse is already published; `make report` writes the report again."""
    try:
        size, charts = report.write_report(published, out, progress=False)
    except report.ReportError as error:
        print(f"    warning: the KPI report was not written: {error}", file=sys.stderr)
        return
    print(
        f"    {charts} charts, {size / 1024:,.0f} KiB; open it in a browser:"
        f" {out.resolve().as_uri()}",
        flush=True,
    )


def quality_gate(db_path: Path, suite: str, docs_dir: Path, load_batch: int | None) -> dict:
    """Run a great-expectations suite in this process (GE is imported once for both gates);
    raise StepFailed(1) when it fails."""
    report = validate_quality.validate(db_path, suite, docs_dir, load_batch=load_batch)
    print("\n".join(report.lines()), flush=True)
    result = {"suite": suite, "failures": len(report.failures), "lines": report.lines()}
    if report.failures:
        print(f"error: the {suite} data-quality gate failed", file=sys.stderr)
        raise StepFailed(1, f"the {suite} data-quality gate failed")
    return result


def dbt_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("dbt")), *args, "--project-dir", str(PROJECT_ROOT)]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data", type=Path, required=True, help="directory of export files")
    parser.add_argument(
        "--db",
        type=Path,
        required=True,
        help="the published DuckDB file BI tools open; the build itself happens in\n"
        "<name>.build/ beside it, Parquet copies go to <name>_parquet/current/",
    )
    parser.add_argument(
        "--report",
        type=Path,
        help=f"also write the KPI report to this HTML file (make run: {report.DEFAULT_OUT})",
    )
    parser.add_argument(
        "--docs",
        action="store_true",
        help="also run `dbt docs generate`: the docs site in target/ (make run does)",
    )
    parser.add_argument(
        "--docs-dir",
        type=Path,
        default=PROJECT_ROOT / "target" / "data_docs",
        help="where great-expectations writes Data Docs (default target/data_docs)",
    )
    parser.add_argument(
        "--append",
        action="store_true",
        help="add DATA as a new load batch to the last good build and build incrementally\n"
        "(default: replace everything)",
    )
    parser.add_argument(
        "--allow-missing",
        action="append",
        default=[],
        metavar="TABLE",
        help="a table of the last build that may be absent or header-only this time\n"
        "(repeatable; default: that is an error)",
    )
    parser.add_argument(
        "--full-refresh", action="store_true", help="rebuild incremental models from scratch"
    )
    parser.add_argument(
        "--vars",
        help="dbt var overrides, a YAML mapping (e.g. '{fcr_repeat_contact_window_days: 3}');\n"
        "with --append, a var or seed that differs from the last build's rebuilds in full",
    )
    parser.add_argument(
        "--skip-validation",
        action="store_true",
        help="skip the freshness check and both GE gates (tests, quick builds)",
    )
    parser.add_argument(
        "--unit-tests",
        action="store_true",
        help="also run dbt's unit tests (make test does; a production build skips them)",
    )
    parser.add_argument(
        "--wait",
        action="store_true",
        help="wait for another build of the same warehouse to finish (default: stop, exit 3)",
    )
    parser.add_argument(
        "--demo-salt",
        action="store_true",
        help=f"allow the public demo salt when {SALT_VARIABLE} is not set (demo and tests only)",
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
    layout = publish.Layout(args.db.resolve())
    lock = publish.BuildLock(layout)
    # dbt's target folder, and the link to the working copy in it, serve one build at a time
    project_lock = publish.BuildLock(
        layout, WORK_LINK.with_name(".build.lock"), "another build from this project folder"
    )
    try:
        lock.acquire(wait=args.wait)
        project_lock.acquire(wait=args.wait)
    except publish.BuildBusy as error:
        lock.release()
        print(f"error: {error}", file=sys.stderr)
        return 3
    try:
        return build(args, layout, (lock.fileno, project_lock.fileno))
    except StepFailed as failure:
        print(f"error: {failure}", file=sys.stderr)
        return failure.code
    finally:
        project_lock.release()
        lock.release()


def build(args: argparse.Namespace, layout: publish.Layout, lock_fds: tuple[int, ...]) -> int:
    total = time.perf_counter()
    run_id = publish.new_run_id()
    for kept in publish.recover_interrupted(layout):
        print(f"note: an interrupted build was kept for inspection: {kept}", flush=True)
    salt = pseudonymisation_salt(args.demo_salt)
    try:
        settings = build_settings.settings_parts(salt, build_settings.parse_vars(args.vars))
    except ValueError as error:
        raise StepFailed(1, f"--vars: {error}") from error
    if args.append and not layout.state.exists():
        raise StepFailed(1, f"--append needs an earlier build of {layout.published}; none found")
    started = time.perf_counter()
    work = publish.start_work(layout, from_state=args.append)
    if args.append:
        print(
            f"working copy of the last build: {work.stat().st_size / 2**20:,.0f} MiB copied in"
            f" {time.perf_counter() - started:.1f} s ({work})",
            flush=True,
        )
    gates: dict[str, object] = {"raw": "skipped", "marts": "skipped"}
    DBT_LOG.parent.mkdir(parents=True, exist_ok=True)
    DBT_LOG.write_text("", encoding="utf-8")  # this run's dbt output only
    try:
        started = step(f"1/9 landing {args.data} (working copy {work})")
        tables = list(load_raw.load_contract())
        try:
            loads = load_raw.load_directory(
                args.data,
                work,
                append=args.append,
                allow_missing=tuple(args.allow_missing),
                # a full load starts from a new file: the last build says which tables had rows
                previous=None if args.append else load_raw.previous_rows(layout.state, tables),
            )
        except load_raw.InputError as error:
            print(f"error: the export in {args.data} was rejected:", file=sys.stderr)
            for problem in error.problems:
                print(f"error: {problem}", file=sys.stderr)
            raise StepFailed(1, "rejected input; nothing was built or published") from error
        done(started)
        # an incremental run tests the rows of the batch it adds
        # (docs/architecture.md "Incremental builds")
        new_batch = loads[0].load_batch if args.append and loads else None
        test_from_batch = new_batch if new_batch is not None and not args.full_refresh else 0
        # one environment for every dbt command of the run, so that dbt's partial parse holds
        env = dbt_env(link_work_dir(work), test_from_batch, salt)

        if not args.skip_validation:
            started = step("2/9 freshness of the exports (dbt source freshness)")
            stale = check_freshness(env, args.vars, keep_fds=lock_fds)
            for line in stale:
                print(f"    {line}", file=sys.stderr, flush=True)
            if not stale:
                print("    every export has a row newer than var stale_export_days", flush=True)
            done(started)

        if not args.skip_validation:
            started = step("3/9 data-quality gate on the raw layer")
            # the gate judges the export just delivered: with --append, only the new load batch
            gates["raw"] = quality_gate(work, "raw", args.docs_dir, new_batch)
            done(started)

        started = step("4/9 dbt build (seeds, models, data tests)")
        # A full load replaces the raw layer, so the incremental models must start over too;
        # so must an appended load when a seed or var changed: it rewrites rows no batch touches.
        full_refresh = args.full_refresh or not args.append
        if not full_refresh:
            changes = build_settings.changed(build_settings.read(layout.settings), settings)
            if changes:
                print(
                    f"    settings changed since the last build ({', '.join(changes)}):"
                    " every incremental model is rebuilt (--full-refresh)",
                    flush=True,
                )
                full_refresh = True
        command = ["build", "--full-refresh"] if full_refresh else ["build"]
        if args.vars:
            command += ["--vars", args.vars]
        if not args.unit_tests:
            # unit tests check the SQL, not the data: CI runs them (make test), production skips
            command += ["--exclude-resource-type", "unit_test"]
        run_dbt_step(dbt_command(*command), env, keep_fds=lock_fds)
        done(started)

        if not args.skip_validation:
            started = step("5/9 data-quality gate on the marts")
            gates["marts"] = quality_gate(work, "marts", args.docs_dir, None)
            done(started)

        if args.docs:
            started = step("6/9 dbt docs generate")
            generate_docs(env, args.vars, keep_fds=lock_fds)
            done(started)
    except BaseException:
        kept = publish.keep_failed(layout, work, run_id)
        where = f"The failed build is kept for inspection: {kept}" if kept else "Nothing was built."
        print(
            f"error: nothing was published; {layout.published} and its Parquet copies are"
            f" unchanged. {where}",
            file=sys.stderr,
        )
        raise

    started = step(f"7/9 publishing {layout.published}")
    publish.promote(layout, work)
    build_settings.write(layout.settings, settings)
    manifest = {
        "run_id": run_id,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source_directory": str(args.data.resolve()),
        "mode": "append" if args.append else "full",
        "load_batches": publish.load_batches(layout.state),
        "commit": publish.git_commit(PROJECT_ROOT),
        "settings_hash": build_settings.settings_hash(settings),
        "gates": gates,
        "duckdb_file": str(layout.published),
        "parquet_folder": str(layout.parquet_current),
    }
    result = publish.publish(layout, manifest)
    print(
        f"    {len(result.tables)} tables: DuckDB copy {result.copy_seconds:.1f} s,"
        f" Parquet {result.parquet_seconds:.1f} s -> {result.version_dir}"
    )
    done(started)

    if args.report:
        started = step(f"8/9 KPI report {args.report}")
        write_kpi_report(layout.published, args.report)
        done(started)

    print("\n".join(kpi_summary.audit_lines(layout.published)))
    if not args.no_summary:
        step("9/9 latest month of every KPI (marts.kpi_values, dimension all)")
        print("\n".join(kpi_summary.summary_lines(layout.published)))
    missing = kpi_summary.missing_kpis(layout.published)
    if missing:
        print(f"\nwarning: no kpi_values rows for {', '.join(missing)}", file=sys.stderr)
    print(f"\nwarehouse built and published in {time.perf_counter() - total:.1f} s: {args.db}")
    if missing and args.require_all_kpis:
        print("error: --require-all-kpis and some kpi_ids have no rows", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
