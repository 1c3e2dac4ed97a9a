"""Source freshness: an export whose newest row is older than var stale_export_days is named in
a warning by run_warehouse.py; fresh exports are not; the check never fails the run."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_ROOT / "scripts"))

import dbt_progress  # noqa: E402
import load_raw  # noqa: E402
import run_warehouse  # noqa: E402
from raw_contract import load_contract  # noqa: E402


def freshness(table: str, status: str, newest: str, age_seconds: float) -> dict:
    return {
        "unique_id": f"source.cx_warehouse.helpdesk.{table}",
        "status": status,
        "max_loaded_at": newest,
        "max_loaded_at_time_ago_in_s": age_seconds,
        "criteria": {"warn_after": {"count": 2, "period": "day"}, "error_after": {}},
    }


def test_a_stale_export_is_named_with_its_newest_row_and_age_and_fresh_ones_are_not():
    sources = {
        "results": [
            # newest ticket 2026-12-02 07:00, checked 2026-12-07 07:00: 5 days = 432000 s
            freshness("helpdesk_tickets", "warn", "2026-12-02T07:00:00+00:00", 432_000),
            # 1 day old: fresh, no line
            freshness("helpdesk_ticket_events", "pass", "2026-12-06T07:00:00+00:00", 86_400),
            # an empty table: dbt reports year 1 ("infinitely long ago")
            freshness("support_agents", "warn", "0001-01-01T00:00:00+00:00", 6.4e10),
            {
                "unique_id": "source.cx_warehouse.qa.qa_reviews",
                "status": "runtime error",
                "error": "Catalog Error: Table with name qa_reviews does not exist!",
            },
        ]
    }
    assert dbt_progress.freshness_lines(sources) == [
        "warning: stale export raw.helpdesk_tickets: newest row 2026-12-02 07:00 UTC,"
        " 5.0 days old (stale after 2 days, var stale_export_days)",
        "warning: stale export raw.support_agents: no dated row at all"
        " (stale after 2 days, var stale_export_days)",
        "warning: could not check the freshness of raw.qa_reviews:"
        " Catalog Error: Table with name qa_reviews does not exist!",
    ]


def test_every_export_source_has_a_loaded_at_and_warns_after_var_stale_export_days():
    """Every raw table but the loader's rejects (empty when all is well) has a freshness check:
    a loaded_at_query (the export's business timestamp) or loaded_at_field, and the warning
    threshold of its source is var stale_export_days, with no error threshold."""
    checked = {}
    for path in sorted(PROJECT_ROOT.glob("models/staging/*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            assert source["config"]["freshness"] == {
                "warn_after": {"count": "{{ var('stale_export_days') }}", "period": "day"}
            }, source["name"]
            for table in source["tables"]:
                config = table.get("config") or {}
                checked[table["name"]] = (
                    config.get("loaded_at_query") or config.get("loaded_at_field") or config
                )
    contract = {table.name for table in load_contract().values()}
    assert len(contract) == 14
    assert set(checked) == contract | {"_load_batches", "_load_rejects"}
    assert checked["helpdesk_tickets"] == "{{ newest_exported_at(this, 'created_at') }}"
    assert checked["support_agents"] == "{{ newest_delivery_at(this) }}"
    assert checked["_load_batches"] == "loaded_at"
    assert checked["_load_rejects"] == {"freshness": None}
    exported = [name for name in contract if "newest_exported_at" in checked[name]]
    assert len(exported) == 13  # every contract table but the agent roster


NOW = datetime.now(UTC).replace(microsecond=0)


def raw_warehouse(path: Path) -> None:
    """A warehouse whose raw tables hold one row each, dated 1 day ago, delivered in load batch
    1 (the tables missing from batch 2 are judged by batch 1). Except helpdesk_tickets: batch 1
    delivered a ticket of 1 day ago, but its latest delivery, batch 2, holds a ticket of 5 days
    ago and one dated 30 days in the future (which staging quarantines and which must not make
    it look fresh)."""
    one_day_ago = (NOW - timedelta(days=1)).isoformat()
    con = duckdb.connect(str(path))
    con.execute("create schema raw")
    for table in load_contract().values():
        columns = ", ".join(f'"{column.name}" varchar' for column in table.columns)
        con.execute(
            f"create table raw.{table.name} ({columns}, _load_batch integer,"
            " _source_file varchar, _row_number bigint)"
        )
        timestamps = [c.name for c in table.columns if c.type == "timestamp"]
        values = {name: one_day_ago for name in timestamps}
        batch = 1
        if table.name == "helpdesk_tickets":
            con.execute(
                f"insert into raw.{table.name} (created_at, _load_batch) values (?, 1)",
                [one_day_ago],
            )
            batch = 2
            values = {"created_at": (NOW - timedelta(days=5)).isoformat()}
            future = (NOW + timedelta(days=30)).isoformat()
            con.execute(
                f"insert into raw.{table.name} (created_at, _load_batch) values (?, 2)", [future]
            )
        names = ", ".join([*values, "_load_batch"])
        marks = ", ".join("?" for _ in [*values, batch])
        con.execute(
            f"insert into raw.{table.name} ({names}) values ({marks})", [*values.values(), batch]
        )
    con.execute(f"create table {load_raw.BATCHES_TABLE} ({load_raw.BATCH_COLUMNS})")
    con.execute(f"create table {load_raw.REJECTS_TABLE} ({load_raw.REJECT_COLUMNS})")
    # the agent roster was delivered (1 row) in a batch loaded 1 hour ago
    con.execute(
        f"insert into {load_raw.BATCHES_TABLE} (load_batch, loaded_at, table_name, landed_rows)"
        " values (1, ?, 'support_agents', 1)",
        [(NOW - timedelta(hours=1)).replace(tzinfo=None)],
    )
    con.close()


@pytest.fixture(scope="module")
def stale_tickets_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("freshness") / "exports.duckdb"
    raw_warehouse(path)
    return path


def test_dbt_source_freshness_names_the_stale_tickets_export_only(stale_tickets_db, tmp_path):
    env = run_warehouse.dbt_env(stale_tickets_db, salt=run_warehouse.DEMO_SALT)
    lines = run_warehouse.check_freshness(
        env, output=tmp_path / "sources.json", log_path=tmp_path / "dbt.log"
    )
    assert len(lines) == 1, lines
    # 5 days old at the check, give or take the seconds the check takes
    assert lines[0].startswith(
        f"warning: stale export raw.helpdesk_tickets: newest row"
        f" {NOW - timedelta(days=5):%Y-%m-%d %H:%M} UTC, 5.0 days old"
    )
    assert lines[0].endswith("(stale after 2 days, var stale_export_days)")


def test_a_longer_stale_export_days_makes_the_tickets_export_fresh(stale_tickets_db, tmp_path):
    env = run_warehouse.dbt_env(stale_tickets_db, salt=run_warehouse.DEMO_SALT)
    lines = run_warehouse.check_freshness(
        env,
        "{stale_export_days: 6}",  # 5 days old is fresh within 6 days
        output=tmp_path / "sources.json",
        log_path=tmp_path / "dbt.log",
    )
    assert lines == []
