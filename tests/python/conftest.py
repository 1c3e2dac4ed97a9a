"""Shared fixtures: build a warehouse from an export directory once per test session."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = PROJECT_ROOT / "tests" / "exports"
sys.path.insert(0, str(PROJECT_ROOT / "scripts"))

import run_warehouse  # noqa: E402


def build_warehouse(data_dir: Path, db_path: Path) -> Path:
    """Land data_dir and run dbt seed + build (with every dbt test) into db_path."""
    exit_code = run_warehouse.main(
        [
            "--data",
            str(data_dir),
            "--db",
            str(db_path),
            "--skip-validation",
            "--no-summary",
            "--demo-salt",
        ]
    )
    assert exit_code == 0
    return db_path


@pytest.fixture(scope="session")
def e2e_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-written fixture exports of tests/exports/e2e, built once."""
    return build_warehouse(FIXTURES / "e2e", tmp_path_factory.mktemp("e2e") / "e2e.duckdb")


def rows(db_path: Path, sql: str) -> list[tuple]:
    """Every row of a query against a warehouse file, opened read-only."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def query() -> Callable[[Path, str], list[tuple]]:
    return rows
