"""The KPI summary names the kpi_ids of the catalog that have no row in kpi_values."""

from __future__ import annotations

import duckdb
import kpi_summary


def make_warehouse(path, present: list[str]) -> None:
    con = duckdb.connect(str(path))
    con.execute("create schema reference; create schema marts")
    con.execute("create table reference.kpi_definitions (kpi_id varchar)")
    con.execute("insert into reference.kpi_definitions values ('csat'), ('nps'), ('backlog')")
    con.execute(
        "create table marts.kpi_values (kpi_id varchar, period_grain varchar, period_start date,"
        " dimension varchar, value double, denominator double, ci_low double, ci_high double,"
        " is_low_sample boolean, target_value double, is_target_met boolean, change double)"
    )
    for kpi_id in present:
        con.execute(
            "insert into marts.kpi_values values"
            " (?, 'month', date '2024-03-01', 'all', 1, 1, null, null, true, null, null, null)",
            [kpi_id],
        )
    con.close()


def test_missing_kpis_are_named(tmp_path):
    db = tmp_path / "w.duckdb"
    make_warehouse(db, ["csat"])
    assert kpi_summary.missing_kpis(db) == ["backlog", "nps"]


def test_require_all_kpis_fails_only_when_one_is_missing(tmp_path, capsys):
    partial = tmp_path / "partial.duckdb"
    make_warehouse(partial, ["csat", "nps"])
    assert kpi_summary.main(["--db", str(partial)]) == 0
    assert kpi_summary.main(["--db", str(partial), "--require-all-kpis"]) == 1
    assert "no kpi_values rows for backlog" in capsys.readouterr().err

    complete = tmp_path / "complete.duckdb"
    make_warehouse(complete, ["csat", "nps", "backlog"])
    assert kpi_summary.main(["--db", str(complete), "--require-all-kpis"]) == 0
