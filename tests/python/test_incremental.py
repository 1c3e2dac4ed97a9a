"""An appended load batch built incrementally gives exactly the warehouse a full rebuild gives.

The demo exports are split into every day but the last (load batch 1) and the last day
(batch 2, with re-exported updated tickets and one exact re-delivery added). Warehouse A builds
batch 1, then batch 2 incrementally; warehouse B loads both batches and rebuilds from scratch.
Every table of staging, intermediate, marts and audit must hold the same rows, but for
`_computed_at`: when a row of an incremental model was last computed (a full rebuild
recomputes every row).
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import benchmark
import duckdb
import publish
import pytest
import run_warehouse

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ("staging", "intermediate", "marts", "audit")
BOOKKEEPING_COLUMNS = ("_computed_at",)


def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def append_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("a", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def add_updates(base: Path, day: Path) -> None:
    """Re-export 5 tickets of batch 1 with another priority (updates), 1 unchanged (duplicate);
    3 customers of batch 1 with another tier; move one agent of the directory to another team.
    The customers and the agent are the quietest with calls (so their calls, tickets and
    observations change breakdown, on few enough dates for the period tests below)."""
    rows = read_rows(base / "helpdesk_tickets.csv")
    priority = rows[0].index("priority")
    earlier = [row for row in rows[1:] if row[priority].strip().lower() in ("low", "normal")][:6]
    updated = [[*row[:priority], "urgent", *row[priority + 1 :]] for row in earlier[:5]]
    append_rows(day / "helpdesk_tickets.csv", [*updated, earlier[5]])

    calls = read_rows(base / "telephony_calls.csv")
    customer_of_call, agent_of_call = calls[0].index("customer_id"), calls[0].index("agent_id")
    calls_per_customer = Counter(
        row[customer_of_call] for row in calls[1:] if row[customer_of_call]
    )
    quietest = [customer for customer, _ in reversed(calls_per_customer.most_common())]
    customers = read_rows(base / "crm_customers.csv")
    tier = customers[0].index("customer_tier")
    by_id = {row[0]: row for row in customers[1:]}
    moved = [by_id[c] for c in quietest if c in by_id and by_id[c][tier] == "free"][:3]
    append_rows(
        day / "crm_customers.csv", [[*row[:tier], "enterprise", *row[tier + 1 :]] for row in moved]
    )

    # a call without ticket re-exported against a ticket: its touchpoint must disappear
    ticket_of_call = calls[0].index("ticket_id")
    loose_call = next(row for row in calls[1:] if not row[ticket_of_call] and row[customer_of_call])
    linked_call = [*loose_call[:ticket_of_call], earlier[0][0], *loose_call[ticket_of_call + 1 :]]
    append_rows(day / "telephony_calls.csv", [linked_call])

    # the agent directory has no date column: the appended day delivers only the moved agent
    agents = read_rows(base / "support_agents.csv")
    team = agents[0].index("team")
    calls_per_agent = Counter(row[agent_of_call] for row in calls[1:] if row[agent_of_call])
    directory = {row[0]: row for row in agents[1:]}
    quietest_agent = next(a for a, _ in reversed(calls_per_agent.most_common()) if a in directory)
    moved_agent = directory[quietest_agent]
    assert moved_agent[team] != "Billing"
    with (day / "support_agents.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(
            [agents[0], [*moved_agent[:team], "Billing", *moved_agent[team + 1 :]]]
        )


def build(data: Path, db: Path, *extra: str) -> None:
    args = ["--data", str(data), "--db", str(db), "--skip-validation", "--no-summary"]
    args += ["--demo-salt", *extra]
    assert run_warehouse.main(args) == 0


def tables(db: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "select table_schema, table_name from information_schema.tables"
            f" where table_schema in {SCHEMAS} and table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("incremental")
    benchmark.split_last_day(PROJECT_ROOT / "data" / "demo", work / "base", work / "day")
    add_updates(work / "base", work / "day")
    incremental, rebuilt = work / "a" / "wh.duckdb", work / "b" / "wh.duckdb"
    build(work / "base", incremental)
    # warehouse B starts from the same first load (a copy: building it again gives the same)
    shutil.copytree(incremental.parent, rebuilt.parent, symlinks=True)
    # the state of warehouse A before the appended day, for the period tests of the KPI aggregates
    shutil.copy(publish.state_path(incremental), incremental.parent / BEFORE_APPEND)
    build(work / "day", incremental, "--append")
    build(work / "day", rebuilt, "--append", "--full-refresh")
    # every layer, not only the published marts: the private build state behind each file
    return publish.state_path(incremental), publish.state_path(rebuilt)


BEFORE_APPEND = "before_append.duckdb"


def before_append(incremental: Path) -> Path:
    """Warehouse A's state after batch 1 (copied by the fixture beside its published file)."""
    return incremental.parent.parent / BEFORE_APPEND


def compared_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    """The table's columns but the bookkeeping ones, as a select list."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_catalog = 'a'"
        " and table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    return ", ".join(f'"{name}"' for (name,) in rows if name not in BOOKKEEPING_COLUMNS)


def test_incremental_run_equals_full_rebuild(warehouses):
    incremental, rebuilt = warehouses
    assert tables(incremental) == tables(rebuilt)
    con = duckdb.connect()
    con.execute(f"attach '{incremental}' as a (read_only)")
    con.execute(f"attach '{rebuilt}' as b (read_only)")
    differences = {}
    for schema, table in tables(incremental):
        columns = compared_columns(con, schema, table)
        only_a = con.execute(
            f"select count(*) from (select {columns} from a.{schema}.{table}"
            f" except all select {columns} from b.{schema}.{table})"
        ).fetchone()[0]
        only_b = con.execute(
            f"select count(*) from (select {columns} from b.{schema}.{table}"
            f" except all select {columns} from a.{schema}.{table})"
        ).fetchone()[0]
        if only_a or only_b:
            differences[f"{schema}.{table}"] = (only_a, only_b)
    assert differences == {}


def test_updates_supersede_and_redeliveries_are_duplicates(warehouses):
    incremental, _ = warehouses
    con = duckdb.connect(str(incremental), read_only=True)
    statuses = con.execute(
        "select _load_batch, _row_status, count(*) from staging.stg_helpdesk__tickets"
        " where _row_status in ('superseded', 'duplicate') group by all order by all"
    ).fetchall()
    # batch 1: the 5 updated tickets' first versions; batch 2: the unchanged re-export
    assert (1, "superseded", 5) in statuses
    assert (2, "duplicate", 1) in statuses
    # stg_crm__customers is a plain table (rebuilt every run), stg_helpdesk__tickets incremental:
    # both mark the earlier versions of the rows batch 2 updates (add_updates: 3 customers)
    customers = con.execute(
        "select _load_batch, _row_status, count(*) from staging.stg_crm__customers"
        " where _row_status <> 'staged' group by all order by all"
    ).fetchall()
    assert customers == [(1, "superseded", 3)]
    urgent = con.execute(
        "select count(*) from marts.fct_tickets where priority = 'urgent' and ticket_id in"
        " (select ticket_id from staging.stg_helpdesk__tickets where _row_status = 'superseded')"
    ).fetchone()
    assert urgent == (5,)


def test_a_call_re_exported_against_a_ticket_is_no_touchpoint_any_more(warehouses):
    incremental, _ = warehouses
    con = duckdb.connect(str(incremental), read_only=True)
    # the one call of the appended day that a re-export links to a ticket (add_updates)
    linked = con.execute(
        "select call_id from staging.stg_telephony__calls"
        ""
        " where _load_batch = 2 and _row_status = 'staged'"
        " and call_id in (select call_id from staging.stg_telephony__calls"
        " where _load_batch = 1 and ticket_id is null)"
    ).fetchall()
    assert len(linked) == 1
    touches = con.execute(
        "select count(*) from intermediate.int_customers__touchpoint_events"
        " where touch_event_id = 'call:' || ?",
        [linked[0][0]],
    ).fetchone()
    assert touches == (0,)


# the start of the appended run: fct_backlog_daily redoes the days up to the last one every run
LAST_RUN = "(select max(_computed_at) from marts.fct_backlog_daily)"
# macro pseudonymise with the default salt of dbt_project.yml
PSEUDONYMISED_ID = f"md5('{run_warehouse.DEMO_SALT}' || '|' || customer_id)"

AGGREGATES = "intermediate.int_kpi_aggregates__observations"
PERCENTILES = "intermediate.int_kpi_percentiles__observations"
DAY_ROWS = (
    "select kpi_id, period_start, dimension, dimension_value, numerator, denominator, squares"
    f" from {{db}}.{AGGREGATES} where period_grain = 'day'"
)


def test_aggregates_recompute_only_the_periods_of_changed_days(warehouses):
    """The rule of int_kpi_aggregates__observations (replaced by period): a day whose day
    rows (sums per KPI and breakdown) differ after the appended run is a changed day; the periods
    of every grain that hold one are recomputed, every other period keeps its rows as they were."""
    incremental, _ = warehouses
    con = duckdb.connect()
    con.execute(f"attach '{before_append(incremental)}' as before (read_only)")
    con.execute(f"attach '{incremental}' as after (read_only)")
    changed_days = con.execute(
        "select count(distinct period_start) from ("
        f"({DAY_ROWS.format(db='after')} except {DAY_ROWS.format(db='before')})"
        f" union all ({DAY_ROWS.format(db='before')} except {DAY_ROWS.format(db='after')}))"
    ).fetchone()[0]
    days = con.execute(
        f"select count(distinct period_start) from after.{AGGREGATES} where period_grain = 'day'"
    ).fetchone()[0]
    # the new day and the days of the observations of the 5 updated tickets, the 3 moved
    # customers and the moved agent (the agent worked in most weeks): few of the 456 dates
    assert days == 456
    assert 1 < changed_days < 0.25 * days
    con.execute(
        "create temp table changed_periods as"
        " select distinct grain as period_grain,"
        " cast(date_trunc(grain, period_start) as date) as period_start from ("
        f"({DAY_ROWS.format(db='after')} except {DAY_ROWS.format(db='before')})"
        f" union all ({DAY_ROWS.format(db='before')} except {DAY_ROWS.format(db='after')}))"
        " , unnest(['day', 'week', 'month', 'quarter', 'year']) as grains(grain)"
    )
    unchanged = (
        "select * from {db}." + AGGREGATES + " where (period_grain, period_start) not in"
        " (select (period_grain, period_start) from changed_periods)"
    )
    kept, only_before, only_after = con.execute(
        f"select (select count(*) from ({unchanged.format(db='after')})),"
        f" (select count(*) from ({unchanged.format(db='before')} except all"
        f" {unchanged.format(db='after')})),"
        f" (select count(*) from ({unchanged.format(db='after')} except all"
        f" {unchanged.format(db='before')}))"
    ).fetchone()
    # every period without a changed day holds exactly the rows of batch 1
    assert kept > 0
    assert (only_before, only_after) == (0, 0)


def test_percentile_hooks_fill_in_every_grain_after_the_appended_run(warehouses):
    """int_kpi_percentiles__observations' query computes the day grain's p50/p90 and one
    post-hook per coarser grain appends theirs (fill_kpi_percentiles), for the periods the
    aggregates replaced: after batch 1 (a full build) and the appended run, no aggregate row of a
    time KPI lacks its percentiles, and each grain's p50/p90 of first_response_time equal
    quantile_cont over the ticket observations of the period."""
    incremental, _ = warehouses
    con = duckdb.connect(str(incremental), read_only=True)
    # the time KPIs: every kpi_id of the registry measured in seconds
    with open(PROJECT_ROOT / "seeds" / "kpi_definitions.csv", encoding="utf-8") as handle:
        seconds = [row["kpi_id"] for row in csv.DictReader(handle) if row["unit"] == "seconds"]
    assert len(seconds) == 8
    time_kpis = "(" + ", ".join(f"'{kpi_id}'" for kpi_id in seconds) + ")"
    missing = con.execute(
        f"select count(*) from {AGGREGATES} as aggregates left join {PERCENTILES} as percentiles"
        " using (kpi_id, period_grain, period_start, dimension, dimension_value)"
        f" where aggregates.kpi_id in {time_kpis} and percentiles.p50_value is null"
    ).fetchone()[0]
    assert missing == 0
    periods = {}
    for grain in ("day", "week", "month", "quarter", "year"):
        periods[grain] = con.execute(
            "with direct as (select cast(date_trunc(?, metric_date) as date) as period_start,"
            " quantile_cont(measure, 0.5) as p50, quantile_cont(measure, 0.9) as p90"
            " from intermediate.int_kpi_observations__tickets"
            " where kpi_id = 'first_response_time' group by 1)"
            " select count(*), count(*) filter (where aggregates.p50_value = direct.p50"
            " and aggregates.p90_value = direct.p90)"
            f" from direct left join {PERCENTILES} as aggregates"
            " on aggregates.kpi_id = 'first_response_time' and aggregates.period_grain = ?"
            " and aggregates.period_start = direct.period_start and aggregates.dimension = 'all'",
            [grain, grain],
        ).fetchone()
    # the demo's tickets were created over 15 months, 5 quarters and 2 years: every period equal
    assert periods["month"] == (15, 15)
    assert periods["quarter"] == (5, 5)
    assert periods["year"] == (2, 2)
    assert all(equal == count > 0 for count, equal in periods.values())


# the appended run: every model stamps its rows with the start of the run (macro run_stamp), and
# fct_backlog_daily recomputes at least the appended day
APPENDED_RUN = "(select max(_computed_at) from marts.fct_backlog_daily)"
# the tickets load batch 2 touches (the ticket chain's rule): a ticket row of the batch, or an
# event the batch brings or re-classifies (the events of the agent it moves to another team)
TICKETS_OF_BATCH_2 = (
    "select ticket_id from staging.stg_helpdesk__tickets"
    " where _load_batch = 2 and _row_status = 'staged'"
    " union select ticket_id from intermediate.int_helpdesk__ticket_events_classified"
    " where _load_batch = 2"
)


def test_ticket_chain_recomputes_exactly_the_tickets_a_batch_touches(warehouses):
    """int_helpdesk__ticket_state_changes (incremental by ticket, like the lifecycles and the
    replies) rewrites in the appended run all the changes of the tickets whose row or events the
    appended batch brings or changes, and only those: the 5 updated tickets, the tickets of the
    appended day and those with an event of the moved agent (add_updates): 115 of the 3,000
    tickets."""
    incremental, _ = warehouses
    con = duckdb.connect(str(incremental), read_only=True)

    def tickets(sql: str) -> set[str]:
        return {row[0] for row in con.execute(sql).fetchall()}

    changes = "intermediate.int_helpdesk__ticket_state_changes"
    recomputed = tickets(f"select ticket_id from {changes} where _computed_at = {APPENDED_RUN}")
    with_changes = tickets(f"select ticket_id from {changes}")
    touched = tickets(TICKETS_OF_BATCH_2)
    assert recomputed == touched & with_changes
    # 29 tickets have a row or a raw event of batch 2; the moved agent's events add 86
    of_batch_2 = tickets(
        "select ticket_id from staging.stg_helpdesk__tickets"
        " where _load_batch = 2 and _row_status = 'staged'"
        " union select ticket_id from staging.stg_helpdesk__ticket_events"
        " where _load_batch = 2 and _row_status = 'staged'"
    )
    assert (len(of_batch_2), len(recomputed), len(with_changes)) == (29, 115, 3000)
    # the 5 updated tickets are among them; the exact re-delivery of a sixth is a duplicate
    # (its staged row stays the one of batch 1), so it changes nothing and is not recomputed
    updated = tickets(
        "select ticket_id from staging.stg_helpdesk__tickets"
        " where _load_batch = 1 and _row_status = 'superseded'"
    )
    duplicate = tickets(
        "select ticket_id from staging.stg_helpdesk__tickets"
        " where _load_batch = 2 and _row_status = 'duplicate'"
    )
    assert (len(updated), len(duplicate)) == (5, 1)
    assert updated <= recomputed
    assert not duplicate & recomputed


def test_backlog_redoes_the_days_from_the_earliest_new_change(warehouses):
    """fct_backlog_daily redoes every day from the earliest state change of the appended batch
    (each change carries the batch of its own step); no stored day differs from the running
    sums before it. The 5 updated tickets' rows are of batch 2, so are their creation and the
    events counted from it: the earliest, T-0000001, was created on 2024-01-01, and all 456 days
    of the data are redone (a day of new events only, as in the benchmark, redoes that day)."""
    incremental, _ = warehouses
    con = duckdb.connect(str(incremental), read_only=True)
    first_new = con.execute(
        "select min(changed_date) from intermediate.int_helpdesk__ticket_state_changes"
        " where _load_batch = 2"
    ).fetchone()[0]
    first_updated = con.execute(
        "select min(cast(created_at as date)) from staging.stg_helpdesk__tickets"
        " where _load_batch = 1 and _row_status = 'superseded'"
    ).fetchone()[0]
    assert first_new == first_updated == date(2024, 1, 1)
    redone = con.execute(
        "select min(date_day), count(*) from marts.fct_backlog_daily"
        f" where _computed_at = {APPENDED_RUN}"
    ).fetchone()
    last_day = con.execute("select max(date_day) from marts.dim_date").fetchone()[0]
    assert redone == (first_new, (last_day - first_new).days + 1) == (date(2024, 1, 1), 456)
    kept = con.execute(
        f"select count(*) from marts.fct_backlog_daily where _computed_at < {APPENDED_RUN}"
    ).fetchone()[0]
    assert kept > 0


def test_journeys_recompute_only_the_customers_a_batch_touches(warehouses):
    """int_customers__journeys recomputes the customers with a touch, order or ticket lifecycle
    of the appended batch, and those whose touches no longer add up to their stored journeys:
    the customer of the call re-exported against a ticket lost that touch (add_updates; in the
    demo that customer has rows of batch 2 too, so the count rule is checked by the unit test
    journeys_recompute_the_customers_of_new_batches_and_of_gone_touches): 110 of 586."""
    incremental, _ = warehouses
    con = duckdb.connect(str(incremental), read_only=True)

    def values(sql: str) -> set[str]:
        return {row[0] for row in con.execute(sql).fetchall()}

    journeys = "intermediate.int_customers__journeys"
    recomputed = values(f"select customer_id from {journeys} where _computed_at = {APPENDED_RUN}")
    with_journeys = values(f"select customer_id from {journeys}")
    of_batch_2 = values(
        "select customer_id from intermediate.int_customers__touchpoint_events"
        " where _load_batch = 2"
        " union select customer_id from staging.stg_shop__orders"
        " where _load_batch = 2 and _row_status = 'staged'"
        " union select customer_id from intermediate.int_helpdesk__ticket_lifecycles"
        " where _load_batch = 2"
    )
    # the call of batch 1 without ticket that batch 2 re-exports against a ticket
    lost_a_touch = values(
        "select customer_id from staging.stg_telephony__calls"
        " where _load_batch = 2 and _row_status = 'staged'"
        " and call_id in (select call_id from staging.stg_telephony__calls"
        " where _load_batch = 1 and ticket_id is null)"
    )
    assert len(lost_a_touch) == 1
    assert recomputed == (of_batch_2 | lost_a_touch) & with_journeys
    assert (len(recomputed), len(with_journeys)) == (110, 586)
    # the placeholder rows of the recomputed customers are gone (post-hook)
    placeholders = con.execute(f"select count(*) from {journeys} where touch_event_count = 0")
    assert placeholders.fetchone() == (0,)


def test_a_changed_publication_setting_rewrites_every_kpi_value(warehouses, tmp_path):
    """var kpi_min_sample_size changes without new data: kpi_values and the wide marts are plain
    tables rebuilt every run, so every row follows the new low-sample threshold."""
    incremental, _ = warehouses
    db = tmp_path / "publication.duckdb"
    db.write_bytes(incremental.read_bytes())
    command = run_warehouse.dbt_command(
        "build",
        "--select",
        "kpi_values",
        "kpi_perception",
        "--exclude-resource-type",
        "unit_test",
        "--indirect-selection",
        "cautious",
        "--vars",
        "{kpi_min_sample_size: 5}",
    )
    run_warehouse.run(command, run_warehouse.dbt_env(db, salt=run_warehouse.DEMO_SALT))
    con = duckdb.connect(str(db), read_only=True)
    wrong, low = con.execute(
        "select count(*) filter"
        " (where is_low_sample is distinct from (coalesce(denominator, 0) < 5)),"
        " count(*) filter (where is_low_sample)"
        " from marts.kpi_values where kpi_id not in"
        " (select kpi_id from reference.kpi_definitions where method = 'count')"
    ).fetchone()
    assert wrong == 0
    # csat of the wide mart reads kpi_values: low exactly when fewer than 5 responses
    wrong_wide = con.execute(
        "select count(*) from marts.kpi_perception where csat is not null"
        " and csat_is_low_sample is distinct from (csat_sample_size < 5)"
    ).fetchone()[0]
    assert wrong_wide == 0
    con.close()
    before = duckdb.connect(str(incremental), read_only=True)
    low_at_30 = before.execute(
        "select count(*) from marts.kpi_values where is_low_sample"
    ).fetchone()[0]
    before.close()
    assert low < low_at_30  # the change is visible in the demo data
