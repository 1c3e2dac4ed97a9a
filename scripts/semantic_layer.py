"""The MetricFlow semantic layer: write the semantic manifest `mf` reads, and query it.

`mf` (dbt-metricflow) reads `target/semantic_manifest.json` and connects through the dbt
profile. A build's own manifest names the database of its working copy
(`cx_warehouse.build/work/<run_id>.duckdb`), which is gone once the build is published. So the
project is parsed once more for the profile's `semantic` target: an in-memory DuckDB that
attaches the published file read-only as `cx_warehouse`. The manifest then names
"cx_warehouse"."marts"."<table>", whatever file CX_WAREHOUSE_DB points at, and `mf` never locks
or writes the file BI tools read (docs/architecture.md "Semantic layer").

  python scripts/semantic_layer.py            write target/semantic_manifest.json
  DBT_TARGET=semantic mf query --metrics csat --group-by metric_time__month
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SEMANTIC_TARGET = "semantic"
MANIFEST_NAME = "semantic_manifest.json"
DEFAULT_DB = PROJECT_ROOT / "warehouse" / "cx_warehouse.duckdb"


class SemanticLayerError(Exception):
    """dbt parse or mf failed; the message holds the command's output."""


def semantic_env(published: Path) -> dict[str, str]:
    """The environment of `dbt parse` and `mf` for the semantic target on a published file."""
    env = dict(os.environ)
    env["CX_WAREHOUSE_DB"] = str(published.resolve())
    env["DBT_PROFILES_DIR"] = str(PROJECT_ROOT)
    env["DBT_TARGET"] = SEMANTIC_TARGET
    env.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    return env


def tool(name: str) -> str:
    """A command of this virtualenv (dbt, mf)."""
    return str(Path(sys.executable).with_name(name))


def run(command: list[str], env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SemanticLayerError(
            f"`{' '.join(command[:3])}` failed (exit {result.returncode}):\n"
            f"{result.stdout[-4000:]}{result.stderr[-4000:]}"
        )
    return result.stdout


def write_semantic_manifest(out_dir: Path, published: Path = DEFAULT_DB) -> Path:
    """Parse the project for the semantic target and put its semantic_manifest.json in out_dir.
    The parse writes to out_dir/semantic_parse/ (its own partial-parsing state, kept for the next
    run): the build's target/manifest.json and partial-parsing state stay as they are."""
    parse_dir = out_dir / "semantic_parse"
    command = [tool("dbt"), "parse", "--target", SEMANTIC_TARGET, "--target-path", str(parse_dir)]
    run([*command, "--project-dir", str(PROJECT_ROOT)], semantic_env(published), PROJECT_ROOT)
    written = out_dir / MANIFEST_NAME
    shutil.copyfile(parse_dir / MANIFEST_NAME, written)
    return written


def mf_query(
    project_dir: Path, published: Path, metrics: list[str], group_by: str
) -> list[dict[str, str]]:
    """Rows of `mf query --metrics ... --group-by ...` (as the CSV mf writes: unrounded values,
    '' for null), run in project_dir (a dbt project whose target/ holds the semantic manifest)."""
    with tempfile.TemporaryDirectory(prefix="mf_query_") as scratch:
        out = Path(scratch) / "result.csv"
        command = [
            tool("mf"),
            "query",
            "--metrics",
            ",".join(metrics),
            "--group-by",
            group_by,
            "--order",
            group_by,
            "--csv",
            str(out),
        ]
        env = semantic_env(published)
        env["DBT_PROJECT_DIR"] = str(project_dir)
        output = run(command, env, project_dir)
        if not out.exists():  # mf writes no file for an empty result
            raise SemanticLayerError(f"mf query returned no rows:\n{output[-4000:]}")
        with out.open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help="the published DuckDB file mf reads"
    )
    parser.add_argument(
        "--out", type=Path, default=PROJECT_ROOT / "target", help="where to write the manifest"
    )
    args = parser.parse_args(argv)
    try:
        written = write_semantic_manifest(args.out, args.db)
    except SemanticLayerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"semantic manifest: {written} (mf reads {args.db} with DBT_TARGET={SEMANTIC_TARGET})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
