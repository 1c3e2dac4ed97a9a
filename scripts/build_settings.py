"""The settings a build was made with, as one hash: when a seed or a var changes between two
runs, an appended load must rebuild every incremental model (docs/architecture.md
"Incremental builds").

The incremental models recompute only the keys and periods a new load batch touches. A
changed seed (an SLA policy, a holiday, a KPI target) or var (the FCR window, the salt of
customer_key) changes rows no load batch touches, so run_warehouse.py compares the settings of
this run with those of the last good build and, when one differs, runs `dbt build
--full-refresh` instead, naming what changed.

The settings are every seed file, every var of dbt_project.yml with the overrides of --vars,
the pseudonymisation salt (its digest only: the salt itself is never written) and the code (one
digest of the model and macro files: a new version of the project may store other rows or
columns). They are kept beside the build state in <name>.build/settings.json.

    python scripts/build_settings.py [--vars YAML] [--compare FILE]   print the digests
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def parse_vars(text: str | None) -> dict[str, object]:
    """The --vars of a run (a YAML mapping, as dbt takes it); {} when none."""
    if not text:
        return {}
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ValueError(f"--vars is not YAML: {error}") from error
    if not isinstance(value, dict):
        raise ValueError(
            f"--vars must be a YAML mapping, e.g. '{{kpi_min_sample_size: 20}}': {text}"
        )
    return value


def settings_parts(
    salt: str, overrides: dict[str, object] | None = None, root: Path = PROJECT_ROOT
) -> dict[str, str]:
    """A digest per setting: 'seed <file>' for each seed, 'var <name>' for each var (the
    project's value, or the override), 'salt' for the pseudonymisation salt, 'code' for the
    model and macro files."""
    parts = {
        f"seed {path.name}": digest(path.read_bytes())
        for path in sorted((root / "seeds").glob("*.csv"))
    }
    project = yaml.safe_load((root / "dbt_project.yml").read_text(encoding="utf-8"))
    values = {**project.get("vars", {}), **(overrides or {})}
    for name, value in sorted(values.items()):
        if name == "pseudonymisation_salt":
            continue  # a template reading the environment: the salt itself is hashed below
        parts[f"var {name}"] = digest(json.dumps(value, sort_keys=True, default=str).encode())
    parts["salt"] = digest(f"cx-warehouse salt:{salt}".encode())
    parts["code"] = code_digest(root)
    return parts


def code_digest(root: Path = PROJECT_ROOT) -> str:
    """One digest of every model and macro file (path and content): a new version of the
    project may change what the stored incremental tables hold, or their columns."""
    files = sorted(
        path
        for folder in ("models", "macros")
        for path in (root / folder).rglob("*")
        if path.is_file() and path.suffix in {".sql", ".yml"}
    )
    hasher = hashlib.sha256()
    for path in files:
        hasher.update(path.relative_to(root).as_posix().encode() + b"\0")
        hasher.update(path.read_bytes() + b"\0")
    return hasher.hexdigest()[:16]


def settings_hash(parts: dict[str, str]) -> str:
    """One hash of every part: equal hashes, equal settings."""
    return digest(json.dumps(parts, sort_keys=True).encode())


def read(path: Path) -> dict[str, str] | None:
    """The parts recorded by the last good build; None when it recorded none."""
    try:
        return dict(json.loads(path.read_text(encoding="utf-8"))["parts"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(path: Path, parts: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"settings_hash": settings_hash(parts), "parts": parts}
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    temporary.replace(path)


def changed(previous: dict[str, str] | None, current: dict[str, str]) -> list[str]:
    """The names of the parts that differ (added, removed or changed), sorted;
    ['no settings recorded'] when the last build recorded none."""
    if previous is None:
        return ["no settings recorded"]
    names = previous.keys() | current.keys()
    return sorted(name for name in names if previous.get(name) != current.get(name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vars", help="var overrides, a YAML mapping as dbt takes it")
    parser.add_argument("--salt", default="", help="the pseudonymisation salt")
    parser.add_argument("--compare", type=Path, help="a settings.json to compare with")
    args = parser.parse_args(argv)
    parts = settings_parts(args.salt, parse_vars(args.vars))
    for name, value in parts.items():
        print(f"{value}  {name}")
    print(f"{settings_hash(parts)}  settings hash")
    if args.compare:
        print("changed: " + (", ".join(changed(read(args.compare), parts)) or "nothing"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
