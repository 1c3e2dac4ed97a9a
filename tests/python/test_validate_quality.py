"""Tests of scripts/validate_quality.py on tiny DuckDB files built by hand."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest

SCRIPTS_DIR = Path(__file__).resolve().parents[2] / "scripts"
sys.path.insert(0, str(SCRIPTS_DIR))

import validate_quality as vq  # noqa: E402
from raw_contract import Column, Table, load_contract  # noqa: E402

Rows = list[dict[str, Any]]
ROWS_PER_TABLE = 50


# ------------------------------------------------------------------------------------------
# Raw layer builders
# ------------------------------------------------------------------------------------------
def raw_value(column: Column, i: int) -> str | None:
    """A valid exported value; enums in odd case and padded now and then, as exports are."""
    if column.type == "enum":
        value = column.values[i % len(column.values)]
        return f"  {value.upper()} " if i % 3 == 0 else value
    if not column.required and i % 4 == 3:
        return "" if i % 8 == 3 else None
    return {
        "id": f"X-{i:06d}",
        "text": f"text {i}",
        "timestamp": ("2024-03-01T09:15:00Z", "2024-03-01 09:15:00+01:00", "2024-03-01")[i % 3],
        "boolean": ("true", "FALSE", "1", "no")[i % 4],
        "integer": str(i),
        "decimal": f"{i}.50",
    }[column.type]


def raw_rows(table: Table, n: int = ROWS_PER_TABLE) -> Rows:
    return [{column.name: raw_value(column, i) for column in table.columns} for i in range(n)]


def write_raw(path: Path, tables: dict[str, Rows | pd.DataFrame]) -> Path:
    """raw.<table> as VARCHAR columns plus _source_file and _row_number, like the loader."""
    contract = load_contract()
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists raw").fetchall()
        catalog = con.execute("select current_database()").fetchall()[0][0]
        for name, rows in tables.items():
            frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
            if frame.empty:
                frame = pd.DataFrame(columns=contract[name].column_names)
            frame = frame.astype("object")
            if "_load_batch" not in frame.columns:
                frame["_load_batch"] = "1"
            frame["_source_file"] = f"{name}.csv"
            frame["_row_number"] = range(1, len(frame) + 1)
            con.register("incoming", frame)
            casts = ", ".join(
                f'cast("{c}" as varchar) as "{c}"' for c in frame.columns if c != "_row_number"
            )
            con.execute(
                f'create table "{catalog}".raw.{name} as '
                f"select {casts}, cast(_row_number as bigint) as _row_number from incoming"
            )
            con.unregister("incoming")
    return path


def clean_raw_tables() -> dict[str, Rows | pd.DataFrame]:
    return {name: raw_rows(table) for name, table in load_contract().items()}


@pytest.fixture
def raw_db(tmp_path: Path) -> Callable[..., Path]:
    """Build a raw layer: the clean one, with some tables replaced (a DataFrame/rows) or
    dropped (None)."""

    def build(**changes: Rows | pd.DataFrame | None) -> Path:
        tables = clean_raw_tables()
        for name, rows in changes.items():
            if rows is None:
                tables.pop(name)
            else:
                tables[name] = rows
        return write_raw(tmp_path / "raw.duckdb", tables)

    return build


def tickets(n: int = 40) -> pd.DataFrame:
    return pd.DataFrame(raw_rows(load_contract()["helpdesk_tickets"], n))


def fail(target: str, expectation: str, detail: str) -> str:
    """The expected failure line."""
    return f"FAIL {target} {expectation}: {detail}"


def lines(report: vq.Report) -> list[str]:
    return [str(failure) for failure in report.failures]


def status(report: vq.Report, schema: str, table: str) -> str:
    (result,) = [r for r in report.tables if (r.schema, r.table) == (schema, table)]
    return result.status


# ------------------------------------------------------------------------------------------
# Raw suite
# ------------------------------------------------------------------------------------------
def test_clean_raw_layer_passes_with_missing_and_empty_tables_as_warnings(
    raw_db: Callable[..., Path],
) -> None:
    one_bad_row = tickets(200)
    one_bad_row.loc[7, "channel"] = "fax"  # a single bad row is staging's job, not the gate's
    one_bad_row.loc[8, "created_at"] = "yesterday"
    one_bad_row.loc[9, "ticket_id"] = one_bad_row.loc[10, "ticket_id"]  # a re-delivered row
    db = raw_db(shop_orders=None, qa_reviews=[], helpdesk_tickets=one_bad_row)

    report = vq.validate(db, "raw", docs_dir=None, max_rows=1000)

    assert report.failures == []
    assert status(report, "raw", "helpdesk_tickets") == "PASS"
    assert status(report, "raw", "shop_orders") == "WARN"
    assert status(report, "raw", "qa_reviews") == "WARN"
    assert report.count("PASS") == len(load_contract()) - 2
    assert "WARN raw.shop_orders: table missing (no export delivered), skipped" in report.lines()
    assert any(line.startswith("WARN raw.qa_reviews: table is empty") for line in report.lines())
    assert vq.main(["--db", str(db), "--suite", "raw", "--docs-dir", str(db.parent / "d")]) == 0


def test_raw_table_without_a_contract_column_fails(raw_db: Callable[..., Path]) -> None:
    db = raw_db(helpdesk_tickets=tickets().drop(columns=["priority"]))

    report = vq.validate(db, "raw", docs_dir=None, max_rows=1000)

    assert lines(report) == [
        "FAIL raw.helpdesk_tickets.priority expect_table_columns_to_match_set: missing ['priority']"
    ]
    assert report.failures[0] == vq.Failure(
        "raw",
        "helpdesk_tickets",
        "priority",
        "expect_table_columns_to_match_set",
        "missing ['priority']",
    )
    assert status(report, "raw", "helpdesk_tickets") == "FAIL"


def test_raw_broken_export_names_table_column_and_expectation(
    raw_db: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tickets(40)
    broken.loc[::2, "channel"] = "Fax "  # half the channels unknown (normalised to 'fax')
    broken["created_at"] = "01/03/2024 9am"  # a whole export in a non-ISO format
    broken.loc[:9, "ticket_id"] = None  # a quarter of the keys missing
    events = pd.DataFrame(raw_rows(load_contract()["helpdesk_ticket_events"], 40))
    events["event_id"] = "E-1"  # every row the same key
    surveys = pd.DataFrame(raw_rows(load_contract()["survey_responses"], 40))
    surveys.loc[:19, "score"] = "n/a"
    db = raw_db(helpdesk_tickets=broken, helpdesk_ticket_events=events, survey_responses=surveys)

    exit_code = vq.main(["--db", str(db), "--suite", "raw", "--docs-dir", str(db.parent / "d")])
    output = capsys.readouterr().out

    assert exit_code == 1
    # 40-row tables: every threshold tolerates at least 2 bad rows, so mostly = 1 - 2/40 = 0.95
    formats = "; mostly=0.95"
    expected = [
        fail(
            "raw.helpdesk_tickets.ticket_id",
            "expect_column_values_to_not_be_null",
            "25.0% null (10 of 40 rows); mostly=0.95",
        ),
        fail(
            "raw.helpdesk_tickets.channel",
            "expect_column_values_to_be_in_set",
            "50.0% unexpected (20 of 40 rows), e.g. ['fax']" + formats,
        ),
        fail(
            "raw.helpdesk_tickets.created_at",
            "expect_column_values_to_match_regex",
            "100.0% unexpected (40 of 40 rows), e.g. ['01/03/2024 9am']" + formats,
        ),
        fail(
            "raw.helpdesk_ticket_events.event_id",
            "expect_column_proportion_of_unique_values_to_be_between",
            "observed 0.025 (expected min 0.95)",
        ),
        fail(
            "raw.survey_responses.score",
            "expect_column_values_to_match_regex",
            "50.0% unexpected (20 of 40 rows), e.g. ['n/a']" + formats,
        ),
    ]
    report = vq.validate(db, "raw", docs_dir=None, max_rows=1000)
    assert lines(report) == expected
    for line in expected:
        assert f"  {line}" in output.splitlines()
    assert "FAIL raw.helpdesk_tickets: 40 rows, 10 expectations, 3 failed" in output
    assert "PASS raw.crm_customers: 50 rows, 7 expectations" in output
    assert "raw suite: 11 PASS, 3 FAIL, 0 WARN" in output


def test_large_raw_table_is_validated_on_a_repeatable_sample(raw_db: Callable[..., Path]) -> None:
    db = raw_db(helpdesk_tickets=tickets(300))

    first = vq.validate(db, "raw", docs_dir=None, max_rows=100)
    second = vq.validate(db, "raw", docs_dir=None, max_rows=100)

    (result,) = [r for r in first.tables if r.table == "helpdesk_tickets"]
    assert result.status == "PASS"
    assert result.note.startswith("sampled 100 of 300 rows")
    assert [r.lines() for r in first.tables] == [r.lines() for r in second.tables]


# ------------------------------------------------------------------------------------------
# Marts suite
# ------------------------------------------------------------------------------------------
def kpi_row(kpi_id: str, value: float, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kpi_id": kpi_id,
        "period_grain": "month",
        "period_start": date(2024, 3, 1),
        "dimension": "all",
        "dimension_value": "all",
        "value": value,
        "p50_value": None,
        "p90_value": None,
        "numerator": 72.0,
        "denominator": 100.0,
        "ci_low": value - 5,
        "ci_high": value + 5,
        "is_low_sample": False,
        "target_value": None,
        "is_target_met": None,
        "previous_value": None,
        "change": None,
    }
    row.update(overrides)
    return row


def good_kpi_values() -> Rows:
    return [
        kpi_row("csat", 72.0),
        kpi_row("csat", 100.0, dimension="channel", dimension_value="email", ci_high=100.0),
        kpi_row("csat", 70.0, period_grain="week", period_start=date(2024, 3, 4)),
        kpi_row("nps", -40.0, ci_low=None, ci_high=None),
        kpi_row("ces", 5.5, ci_low=5.1, ci_high=5.9),
        kpi_row("churn_rate", 0.0, ci_low=0.0),
        kpi_row("first_response_time", 5400.0, p50_value=3600.0, p90_value=9000.0),
        kpi_row("contact_volume", 1234.0, numerator=None, denominator=None, ci_low=None),
        kpi_row("aht", 300.0, is_low_sample=True, ci_low=None, ci_high=None),
    ]


def write_marts(path: Path, kpi_values: Rows | None, skip: tuple[str, ...] = ()) -> Path:
    keys = {
        "dim_customers": ("customer_key", "varchar"),
        "dim_agents": ("agent_id", "varchar"),
        "dim_date": ("date_day", "date"),
        "fct_tickets": ("ticket_id", "varchar"),
        "fct_interactions": ("interaction_id", "varchar"),
        "fct_survey_responses": ("response_id", "varchar"),
    }
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts").fetchall()
        catalog = con.execute("select current_database()").fetchall()[0][0]
        for table, (key, key_type) in keys.items():
            if table not in skip:
                value = "date '2024-01-01' + i::int" if key_type == "date" else "'K-' || i"
                con.execute(
                    f'create table "{catalog}".marts.{table} as '
                    f"select {value} as {key}, 'x' as attribute from range(20) t(i)"
                )
        if kpi_values is not None:
            con.register("incoming", pd.DataFrame(kpi_values, columns=list(vq.KPI_VALUES_COLUMNS)))
            con.execute(
                f"""
                create table "{catalog}".marts.kpi_values as select
                    kpi_id::varchar as kpi_id, period_grain::varchar as period_grain,
                    period_start::date as period_start, dimension::varchar as dimension,
                    dimension_value::varchar as dimension_value, value::double as value,
                    p50_value::double as p50_value, p90_value::double as p90_value,
                    numerator::double as numerator, denominator::double as denominator,
                    ci_low::double as ci_low, ci_high::double as ci_high,
                    is_low_sample::boolean as is_low_sample, target_value::double as target_value,
                    is_target_met::boolean as is_target_met,
                    previous_value::double as previous_value, change::double as change
                from incoming
                """
            )
    return path


def test_correct_marts_pass_and_build_data_docs(tmp_path: Path) -> None:
    db = write_marts(tmp_path / "marts.duckdb", good_kpi_values(), skip=("fct_interactions",))
    docs = tmp_path / "docs"

    report = vq.validate(db, "marts", docs_dir=docs, max_rows=1000)

    assert report.failures == []
    assert status(report, "marts", "kpi_values") == "PASS"
    assert status(report, "marts", "dim_date") == "PASS"
    assert "WARN marts.fct_interactions: table does not exist yet, skipped" in report.lines()
    assert report.docs_index is not None and report.docs_index.is_file()
    assert report.docs_index.name == "index.html"
    assert report.docs_index.is_relative_to(docs)
    assert "marts.kpi_values" in report.docs_index.read_text(encoding="utf-8")
    rerun = vq.validate(db, "marts", docs_dir=docs, max_rows=1000)  # the file context is reused
    assert rerun.failures == [] and rerun.docs_index == report.docs_index


def test_marts_out_of_range_and_duplicated_kpis_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = good_kpi_values()
    rows.append(kpi_row("csat", 140.0, period_start=date(2024, 4, 1), ci_high=150.0))
    rows.append(dict(rows[0]))  # the same KPI x period x breakdown twice
    rows.append(kpi_row("nps", -120.0, period_start=date(2024, 4, 1), ci_low=None))
    rows.append(kpi_row("ces", 9.0, period_start=date(2024, 4, 1), denominator=-1.0))
    rows.append(kpi_row("csat", 50.0, period_grain="fortnight", ci_low=60.0))
    db = write_marts(tmp_path / "marts.duckdb", rows)

    report = vq.validate(db, "marts", docs_dir=None, max_rows=1000)

    key = "kpi_id,period_grain,period_start,dimension,dimension_value"
    between = "expect_column_values_to_be_between"
    assert lines(report) == [
        fail(
            f"marts.kpi_values.{key}",
            "expect_compound_columns_to_be_unique",
            "14.3% unexpected (2 of 14 rows), e.g. [('csat', 'month', '2024-03-01', 'all', 'all')]",
        ),
        fail(
            "marts.kpi_values.value,ci_low",
            "expect_column_pair_values_a_to_be_greater_than_b [ci_low <= value]",
            "10.0% unexpected (1 of 10 rows), e.g. [(50.0, 60.0)]",
        ),
        fail(
            "marts.kpi_values.period_grain",
            "expect_column_values_to_be_in_set",
            "7.1% unexpected (1 of 14 rows), e.g. ['fortnight']",
        ),
        fail(
            "marts.kpi_values.value",
            f"{between} [percent KPIs]",
            "14.3% unexpected (1 of 7 rows), e.g. [140.0]",
        ),
        fail(
            "marts.kpi_values.value",
            f"{between} [nps]",
            "50.0% unexpected (1 of 2 rows), e.g. [-120.0]",
        ),
        fail(
            "marts.kpi_values.value",
            f"{between} [ces]",
            "50.0% unexpected (1 of 2 rows), e.g. [9.0]",
        ),
        fail(
            "marts.kpi_values.denominator",
            f"{between} [>= 0]",
            "7.7% unexpected (1 of 13 rows), e.g. [-1.0]",
        ),
    ]
    assert vq.main(["--db", str(db), "--suite", "marts", "--docs-dir", str(tmp_path / "d")]) == 1
    output = capsys.readouterr().out
    assert "FAIL marts.kpi_values: 14 rows, 18 expectations, 7 failed" in output
    assert "PASS marts.dim_customers: 20 rows, 2 expectations" in output


def test_marts_wrong_columns_and_duplicated_dimension_key_fail(tmp_path: Path) -> None:
    db = write_marts(tmp_path / "warehouse.duckdb", good_kpi_values())
    with duckdb.connect(str(db)) as con:
        con.execute("alter table marts.kpi_values drop column change")
        con.execute("alter table marts.kpi_values add column note varchar")
        con.execute("insert into marts.dim_agents values ('K-3', 'again'), (null, 'nobody')")

    report = vq.validate(db, "marts", docs_dir=None, max_rows=1000)

    assert lines(report) == [
        fail(
            "marts.kpi_values.change,note",
            "expect_table_columns_to_match_set",
            "missing ['change']; unexpected ['note']",
        ),
        fail(
            "marts.dim_agents.agent_id",
            "expect_column_values_to_not_be_null",
            "4.5% null (1 of 22 rows)",
        ),
        fail(
            "marts.dim_agents.agent_id",
            "expect_column_values_to_be_unique",
            "9.5% unexpected (2 of 21 rows), e.g. ['K-3']",
        ),
    ]


def test_cli_help_and_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as help_exit:
        vq.main(["--help"])
    assert help_exit.value.code == 0
    assert "--max-rows" in capsys.readouterr().out
    with pytest.raises(SystemExit) as missing_db:
        vq.main(["--db", str(tmp_path / "nope.duckdb"), "--suite", "raw"])
    assert missing_db.value.code == 2


def test_raw_gate_can_judge_only_the_appended_load_batch(raw_db: Callable[..., Path]) -> None:
    # batch 1 (already loaded and quarantined row by row) has 'fax' channels; batch 2 is clean
    broken = tickets(40)
    broken["channel"] = "fax"
    broken["_load_batch"] = "1"
    clean = tickets(40)
    clean["ticket_id"] = [f"N{i}" for i in range(40)]
    clean["_load_batch"] = "2"
    db = raw_db(helpdesk_tickets=pd.concat([broken, clean], ignore_index=True))
    whole = vq.validate(db, "raw", docs_dir=None, max_rows=1000)
    assert status(whole, "raw", "helpdesk_tickets") == "FAIL"
    appended = vq.validate(db, "raw", docs_dir=None, max_rows=1000, load_batch=2)
    assert status(appended, "raw", "helpdesk_tickets") == "PASS"
    assert appended.failures == []


def test_a_fact_sample_reads_only_the_columns_its_expectations_check() -> None:
    present = ["ticket_id", "channel", "subject", "created_at"]
    assert vq.mart_select(vq.MartSpec(table="fct_tickets", key=("ticket_id",)), present) == (
        '"ticket_id"'
    )
    ranged = vq.MartSpec(
        table="t",
        key=("a", "b"),
        not_null=("b", "c"),
        ranges=(vq.Range("v", 0, 1, kpis=("csat",)),),
        ordered=(("lo", "v"),),
    )
    assert vq.mart_select(ranged, ["a", "b", "c", "v", "lo", "kpi_id", "other"]) == (
        '"a", "b", "c", "v", "lo", "kpi_id"'
    )
    kpi_values = next(spec for spec in vq.MARTS if spec.table == "kpi_values")
    assert vq.mart_select(kpi_values, list(vq.KPI_VALUES_COLUMNS)) == "*"  # checks the column set


def test_a_fact_without_its_key_column_fails(tmp_path: Path) -> None:
    db = write_marts(tmp_path / "warehouse.duckdb", good_kpi_values())
    with duckdb.connect(str(db)) as con:
        con.execute("alter table marts.fct_tickets rename column ticket_id to id")

    report = vq.validate(db, "marts", docs_dir=None, max_rows=1000)

    assert status(report, "marts", "fct_tickets") == "FAIL"
    assert [failure.table for failure in report.failures] == ["fct_tickets", "fct_tickets"]
    assert {failure.column for failure in report.failures} == {"ticket_id"}
