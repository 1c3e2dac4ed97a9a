"""The loader lands export files as text, keeps unreadable lines and is repeatable."""

from __future__ import annotations

from pathlib import Path

import duckdb
import load_raw
import pytest
from conftest import rows
from raw_contract import load_contract

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_values_are_landed_as_exported_text(tmp_path):
    data = tmp_path / "exports"
    data.mkdir()
    (data / "helpdesk_tickets.csv").write_text(
        "Ticket_ID,customer_id,channel,category,priority,created_at,assignee_agent_id,status\n"
        "007, C1 , Email ,billing,normal,2024-01-02T09:00:00+01:00,,solved\n",
        encoding="utf-8",
    )
    db = tmp_path / "w.duckdb"
    load_raw.load_directory(data, db, quiet=True)
    assert rows(
        db, "select ticket_id, customer_id, channel, created_at from raw.helpdesk_tickets"
    ) == [("007", " C1 ", " Email ", "2024-01-02T09:00:00+01:00")]


def test_absent_file_gives_an_empty_table_and_a_warning(tmp_path):
    """On a first load (an empty database) an absent table is created empty, with a warning."""
    data = tmp_path / "exports"
    data.mkdir()
    (data / "shop_orders.csv").write_text(
        "order_id,customer_id,ordered_at,amount,status\nO1,C1,2024-01-01T00:00:00Z,10,completed\n",
        encoding="utf-8",
    )
    results = load_raw.load_directory(data, tmp_path / "w.duckdb", quiet=True)
    by_table = {result.table: result for result in results}
    assert set(by_table) == set(load_contract())
    assert by_table["qa_reviews"].rows == 0
    assert by_table["qa_reviews"].warnings == [
        f"no file for qa_reviews in {data}: loaded as an empty table"
    ]
    columns = rows(
        tmp_path / "w.duckdb",
        "select column_name from information_schema.columns"
        " where table_schema = 'raw' and table_name = 'qa_reviews' order by ordinal_position",
    )
    assert [c[0] for c in columns] == [
        *load_contract()["qa_reviews"].column_names,
        "_load_batch",
        "_source_file",
        "_row_number",
    ]


def test_missing_optional_and_extra_columns_are_reported(tmp_path):
    """`plan` is optional (no KPI reads it): loaded as null with a warning; `coupon` is extra."""
    data = tmp_path / "exports"
    data.mkdir()
    (data / "crm_subscriptions.csv").write_text(
        "subscription_id,customer_id,started_at,ended_at,monthly_amount,coupon\n"
        "S1,C1,2024-01-01T00:00:00Z,,10,X\n",
        encoding="utf-8",
    )
    results = load_raw.load_directory(data, tmp_path / "w.duckdb", quiet=True)
    warnings = next(r for r in results if r.table == "crm_subscriptions").warnings
    assert warnings == [
        "crm_subscriptions.csv: missing optional columns loaded as null: ['plan']",
        "crm_subscriptions.csv: extra columns ignored: ['coupon']",
    ]
    assert rows(
        tmp_path / "w.duckdb",
        "select subscription_id, plan, monthly_amount from raw.crm_subscriptions",
    ) == [("S1", None, "10")]


def test_unreadable_lines_are_kept_with_their_reason(tmp_path):
    data = tmp_path / "exports"
    data.mkdir()
    (data / "shop_orders.csv").write_text(
        "order_id,customer_id,ordered_at,amount,status\n"
        "O1,C1,2024-01-01T00:00:00Z,10,completed\n"
        "O2,C1,2024-01-02T00:00:00Z,10,completed,surplus\n"
        "O3,C1,2024-01-03T00:00:00Z,10,completed\n",
        encoding="utf-8",
    )
    db = tmp_path / "w.duckdb"
    results = load_raw.load_directory(data, db, quiet=True)
    orders = next(r for r in results if r.table == "shop_orders")
    assert (orders.rows, orders.rejected_lines) == (2, 1)
    assert rows(db, "select order_id, _row_number from raw.shop_orders order by 2") == [
        ("O1", 1),
        ("O3", 2),
    ]
    assert rows(db, "select table_name, line, error_type, csv_line from raw._load_rejects") == [
        ("shop_orders", 3, "TOO MANY COLUMNS", "O2,C1,2024-01-02T00:00:00Z,10,completed,surplus")
    ]


def test_parquet_exports_are_landed_as_text(tmp_path):
    data = tmp_path / "exports"
    data.mkdir()
    con = duckdb.connect()
    con.execute(
        "copy (select 'O1' as order_id, 'C1' as customer_id,"
        " timestamp '2024-01-01 10:00:00' as ordered_at, 12.5 as amount, 'completed' as status)"
        f" to '{data / 'shop_orders.parquet'}' (format parquet)"
    )
    db = tmp_path / "w.duckdb"
    load_raw.load_directory(data, db, quiet=True)
    assert rows(db, "select ordered_at, amount from raw.shop_orders") == [
        ("2024-01-01 10:00:00", "12.5")
    ]


def test_loading_twice_gives_the_same_raw_layer(tmp_path):
    db = tmp_path / "w.duckdb"
    fixture = PROJECT_ROOT / "tests" / "exports" / "e2e"
    load_raw.load_directory(fixture, db, quiet=True)
    first = rows(db, "select * from raw.helpdesk_ticket_events order by _row_number")
    load_raw.load_directory(fixture, db, quiet=True)
    second = rows(db, "select * from raw.helpdesk_ticket_events order by _row_number")
    assert first == second
    assert len(second) == 35
    assert rows(db, "select count(*) from raw._load_rejects") == [(1,)]


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(load_raw.InputError) as raised:
        load_raw.load_directory(tmp_path / "nowhere", tmp_path / "w.duckdb", quiet=True)
    assert raised.value.problems == [f"export directory {tmp_path / 'nowhere'} does not exist"]
    assert not (tmp_path / "w.duckdb").exists()
