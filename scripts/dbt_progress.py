"""Run dbt quietly and say what it did: a progress line, a compact summary, stale exports.

run_warehouse.py runs every dbt command through `run_dbt`: dbt's own output goes to one log
file (its path is printed), the terminal shows a single progress line (`[ 37/512] model
kpi_values`) and, after `dbt build`, the summary of target/run_results.json
(`summary_lines`): nodes per type, how many passed, warned, failed or were skipped, the five
slowest models and, for every failing node, its name and message. After `dbt source freshness`,
`freshness_lines` names every stale export from target/sources.json, as a warning.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# `12 of 520 OK created sql table model marts.kpi_values ... [OK in 0.50s]`
PROGRESS = re.compile(r"\b(\d+) of (\d+) (START|OK|PASS|WARN|ERROR|FAIL|SKIP)\b\s*(.*)")
FAILED = {"error", "fail", "runtime error"}
NOUNS = {"test": "data test", "unit_test": "unit test"}  # others: the resource type
TAIL_LINES = 15


@dataclass(frozen=True)
class NodeResult:
    unique_id: str
    status: str
    seconds: float
    message: str

    @property
    def resource_type(self) -> str:
        return self.unique_id.split(".")[0]

    @property
    def name(self) -> str:
        """`model.cx_warehouse.kpi_values` -> `kpi_values`; a unit test keeps its model too
        (`unit_test.cx_warehouse.kpi_values.one_row` -> `kpi_values.one_row`)."""
        parts = self.unique_id.split(".")
        if self.resource_type == "test" and len(parts) > 3:
            return parts[2]  # the test's name; the last part is a hash
        return ".".join(parts[2:])


def node_results(run_results: dict) -> list[NodeResult]:
    return [
        NodeResult(
            unique_id=result["unique_id"],
            status=str(result.get("status", "")),
            seconds=float(result.get("execution_time") or 0.0),
            message=str(result.get("message") or ""),
        )
        for result in run_results.get("results", [])
    ]


def failed_nodes(run_results: dict) -> list[NodeResult]:
    return [result for result in node_results(run_results) if result.status in FAILED]


def summary_lines(run_results: dict, slowest: int = 5) -> list[str]:
    """The compact summary of a dbt invocation's run_results.json."""
    results = node_results(run_results)
    types = Counter(result.resource_type for result in results)
    statuses = Counter(result.status for result in results)
    passed = statuses["success"] + statuses["pass"]
    failed = sum(statuses[status] for status in FAILED)
    counted = ", ".join(
        f"{count} {NOUNS.get(kind, kind)}{'' if count == 1 else 's'}"
        for kind, count in sorted(types.items())
    )
    elapsed = float(run_results.get("elapsed_time") or 0.0)
    lines = [
        f"    dbt: {counted or 'no nodes'} in {elapsed:.1f} s",
        f"    passed {passed}, warned {statuses['warn']}, failed {failed},"
        f" skipped {statuses['skipped']}",
    ]
    models = sorted(
        (result for result in results if result.resource_type == "model"),
        key=lambda result: (-result.seconds, result.name),
    )[:slowest]
    if models:
        lines.append(
            "    slowest models: "
            + ", ".join(f"{model.name} {model.seconds:.1f} s" for model in models)
        )
    for result in results:
        if result.status == "warn":
            lines.append(f"    WARN {result.resource_type} {result.name}: {result.message}")
    for result in failed_nodes(run_results):
        message = result.message.strip().splitlines() or ["(no message)"]
        lines.append(f"    {result.status.upper()} {result.resource_type} {result.name}:")
        lines += [f"        {line.strip()}" for line in message[:TAIL_LINES]]
    return lines


def freshness_lines(sources: dict) -> list[str]:
    """One warning per export whose freshness is not `pass`, from dbt's sources.json: the
    table, its newest row and age, and the threshold; a check that could not run says why."""
    lines = []
    for result in sources.get("results", []):
        # source.cx_warehouse.helpdesk.helpdesk_tickets -> raw table helpdesk_tickets
        table = result["unique_id"].split(".")[-1]
        status = result.get("status")
        if status == "pass":
            continue
        if status == "runtime error":
            error = str(result.get("error") or result.get("message") or "unknown error")
            lines.append(f"warning: could not check the freshness of raw.{table}: {error}")
            continue
        warn_after = (result.get("criteria") or {}).get("warn_after") or {}
        threshold = f"{warn_after.get('count')} {warn_after.get('period')}s"
        newest = _newest(result.get("max_loaded_at"))
        if newest is None:
            lines.append(
                f"warning: stale export raw.{table}: no dated row at all"
                f" (stale after {threshold}, var stale_export_days)"
            )
            continue
        days = float(result.get("max_loaded_at_time_ago_in_s") or 0.0) / 86400
        lines.append(
            f"warning: stale export raw.{table}: newest row {newest:%Y-%m-%d %H:%M} UTC,"
            f" {days:.1f} days old (stale after {threshold}, var stale_export_days)"
        )
    return lines


def _newest(value: str | None) -> datetime | None:
    """dbt writes an empty table's newest row as year 1 ("infinitely long ago")."""
    if not value:
        return None
    newest = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return None if newest.year == 1 else newest


def run_dbt(
    command: Sequence[str],
    env: dict[str, str],
    cwd: Path,
    log_path: Path,
    keep_fds: tuple[int, ...] = (),
    preexec_fn: Callable[[], None] | None = None,
    show_progress: bool | None = None,
) -> tuple[int, list[str]]:
    """Run a dbt command with its output appended to `log_path`; on a terminal, keep one
    progress line up to date. Returns the exit code and the last lines of the output (what a
    failure without run_results.json, e.g. a parse error, prints)."""
    if show_progress is None:
        show_progress = sys.stdout.isatty()
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("a", encoding="utf-8") as log:
        log.write(f"\n$ {' '.join(command)}\n")
        log.flush()
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env={**env, "DBT_USE_COLORS": "false"},  # plain text in the log and the parser
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            pass_fds=keep_fds,
            preexec_fn=preexec_fn,
        )
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            if line.strip():
                tail.append(line.rstrip())
            match = PROGRESS.search(line)
            if show_progress and match:
                done, total, _, rest = match.groups()
                node = re.sub(r"\s*\.{2,}.*$", "", rest)[:60]  # drop dbt's dot leader
                print(f"\r    [{int(done):>4}/{total}] {node:<60}", end="", flush=True)
        code = process.wait()
    if show_progress:
        print("\r" + " " * 80 + "\r", end="", flush=True)
    return code, list(tail)
