"""Smoke test of the benchmark code, and a cross-check: the hand-written engine floor
(scripts/benchmark_floor.sql) and the warehouse agree on every month of the six headline KPIs
for clean generated exports."""

from __future__ import annotations

import os
from pathlib import Path

import benchmark
import duckdb
import pytest
from conftest import build_warehouse

HEADLINE = ("csat", "nps", "ces", "churn_rate", "retention_rate", "fcr_rate")


@pytest.fixture(scope="module")
def clean_exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "full"
    benchmark.generate(out, tickets=1500, seed=7, extra=["--bad-row-rate", "0", "--no-progress"])
    return out


def test_split_keeps_every_row(clean_exports, tmp_path):
    day_rows = benchmark.split_last_day(clean_exports, tmp_path / "base", tmp_path / "day")
    con = duckdb.connect()

    def count(path: Path) -> int:
        return con.execute(
            f"select count(*) from read_csv('{path}', all_varchar = true)"
        ).fetchone()[0]

    for file in clean_exports.glob("*.csv"):
        day = tmp_path / "day" / file.name
        assert count(file) == count(tmp_path / "base" / file.name) + (
            count(day) if day.exists() else 0
        )
    assert day_rows > 0


def test_floor_and_warehouse_agree_on_the_headline_kpis(clean_exports, tmp_path):
    db = build_warehouse(clean_exports, tmp_path / "w.duckdb")
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    con.execute(
        (Path(benchmark.SCRIPTS) / "benchmark_floor.sql")
        .read_text()
        .replace("{data}", str(clean_exports))
    )
    con.execute(f"attach '{db}' as w (read_only)")
    rows = con.execute(
        """
        select floor_kpis.kpi_id, cast(floor_kpis.month as date), floor_kpis.value, kpi_values.value
        from floor_kpis
        full outer join (
            select * from w.marts.kpi_values
            where period_grain = 'month' and dimension = 'all'
              and kpi_id in ('csat', 'nps', 'ces', 'churn_rate', 'retention_rate', 'fcr_rate')
        ) as kpi_values
            on floor_kpis.kpi_id = kpi_values.kpi_id
            and cast(floor_kpis.month as date) = kpi_values.period_start
        where floor_kpis.value is null or kpi_values.value is null
           or abs(floor_kpis.value - kpi_values.value) > 1e-9
        """
    ).fetchall()
    assert rows == []
    kpis = {row[0] for row in con.execute("select distinct kpi_id from floor_kpis").fetchall()}
    assert kpis == set(HEADLINE)


def test_tree_memory_sees_this_process():
    memory = benchmark.TreeMemory(os.getpid())
    assert memory.sample() > 10 * 2**20  # the test process itself holds > 10 MiB


def test_markdown_table_has_every_figure():
    large = benchmark.Scale(
        tickets=1000,
        raw_rows=5000,
        landing_seconds=1,
        landing_rows_per_second=5000,
        duckdb_read_csv_seconds=1,
        duckdb_read_csv_rows_per_second=10000,
        full_build_seconds=50,
        floor_seconds=10,
        incremental_seconds=5,
    )
    small = benchmark.Scale(tickets=100, full_build_seconds=10, floor_seconds=2)
    table = benchmark.markdown(large, small)
    assert "| landing / read_csv | 0.00 | 0.50 |" in table
    assert "| full build / floor | 5.0 | 5.0 |" in table
    assert "| incremental / full | 0.0% | 10.0% |" in table
    assert "5.0x for 10x the data" in table
