"""Bad rows are quarantined at staging, orphans are counted, no value crashes the build.

The fixture tests/exports/bad_rows is tests/exports/e2e plus one bad row of each kind (the
lines after the e2e rows of each file):

    shop_orders             O4  amount 1e30                      -> amount outside sane bounds
                            O5  amount NaN                       -> amount not a finite number
    crm_subscriptions       S8  started_at 1924-01-05 (typo)     -> before 2000-01-01
                            S9  monthly_amount inf               -> not a finite number
    survey_responses        R19 score NaN, comment with a phone  -> score not a finite number
    telephony_calls         CL6 talk_seconds 90000 (> 1 day)     -> talk_seconds outside sane bounds
    helpdesk_tickets        T11 created_at 2052-02-12 (typo)     -> after the load + 1 day
    helpdesk_ticket_events  E36 on T6, 2052-01-25 (year typo)    -> after the load + 1 day
                            E39 on T6, 2024-02-22                -> after the load + 1 day
                            E37 on T10 (quarantined: 'fax')      -> orphan, parent quarantined
                            E38 on T99 (no such ticket)          -> orphan, unknown ticket
    self_service_sessions   SS3 escalated to T99                 -> orphan, unknown ticket
    crm_customers           C7 line with 9 fields for 8 columns  -> unreadable, holds an e-mail

The load is logged as loaded at 2024-02-20 00:00 UTC (a fixture step sets loaded_at in the
loader's raw._load_batches after landing), so the plausible window ends at 2024-02-21 00:00.
Results are read only from the marts and audit schemas.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import kpi_summary
import load_raw
import pytest
import run_warehouse
from conftest import FIXTURES, build_warehouse
from raw_contract import load_contract

LOADED_AT = "2024-02-20 00:00:00"


def log_load_times(*loaded_at: str) -> Callable[..., object]:
    """load_raw.load_directory that then sets the loaded_at of the i-th load's batch in the
    loader's log raw._load_batches to loaded_at[i], so that the plausible window of a test
    does not depend on the day it runs."""
    land = load_raw.load_directory
    times = iter(loaded_at)

    def land_and_log(data_dir: Path, db_path: Path, *args: object, **kwargs: object) -> object:
        loads = land(data_dir, db_path, *args, **kwargs)
        batch, stamp = loads[0].load_batch, next(times)
        con = duckdb.connect(str(db_path))
        try:
            con.execute(
                "update raw._load_batches set loaded_at = ? where load_batch = ?", [stamp, batch]
            )
        finally:
            con.close()
        return loads

    return land_and_log


@pytest.fixture(scope="module")
def bad_rows_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/exports/bad_rows built once, with the load logged at LOADED_AT."""
    db = tmp_path_factory.mktemp("bad_rows") / "bad_rows.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(load_raw, "load_directory", log_load_times(LOADED_AT))
        return build_warehouse(FIXTURES / "bad_rows", db)


def test_each_bad_row_is_in_the_audit_once_with_its_reason(bad_rows_warehouse, query):
    rows = query(
        bad_rows_warehouse,
        """
        select source_table, record_key, kind, reason, row_number
        from audit.audit_quarantined_rows
        order by source_table, kind, row_number
        """,
    )
    too_many = "unreadable line: too many columns (expected {} fields (the header's), found {})"
    outside = "{} outside the plausible window"
    assert rows == [
        # e2e's own bad rows (CH2, C2, S7, E34, T10, R17, R18, CL5) are unchanged
        ("chat_sessions", None, "unreadable", too_many.format(9, 10), 3),
        (
            "crm_customers",
            "C2",
            "quarantined",
            "duplicate customer_id with different values in one load (first kept)",
            7,
        ),
        # C7: line 10 of the file (line 1 is the header)
        ("crm_customers", None, "unreadable", too_many.format(8, 9), 10),
        ("crm_subscriptions", "S7", "quarantined", "ended_at before started_at", 7),
        ("crm_subscriptions", "S8", "quarantined", outside.format("started_at"), 8),
        ("crm_subscriptions", "S9", "quarantined", "monthly_amount not a finite number", 9),
        # E37 and E38 are staged, then dropped by every ticket KPI: orphans
        ("helpdesk_ticket_events", "E37", "orphaned", "parent ticket quarantined", 37),
        ("helpdesk_ticket_events", "E38", "orphaned", "unknown ticket", 38),
        (
            "helpdesk_ticket_events",
            "E34",
            "quarantined",
            "unparseable timestamp in occurred_at",
            35,
        ),
        ("helpdesk_ticket_events", "E36", "quarantined", outside.format("occurred_at"), 36),
        # 2024-02-22 09:00 is after loaded_at 2024-02-20 00:00 + 1 day
        ("helpdesk_ticket_events", "E39", "quarantined", outside.format("occurred_at"), 39),
        ("helpdesk_tickets", "T10", "quarantined", "unknown channel value", 10),
        ("helpdesk_tickets", "T11", "quarantined", outside.format("created_at"), 12),
        ("self_service_sessions", "SS3", "orphaned", "unknown ticket", 3),
        ("shop_orders", "O4", "quarantined", "amount outside sane bounds", 4),
        ("shop_orders", "O5", "quarantined", "amount not a finite number", 5),
        ("survey_responses", "R17", "quarantined", "score outside its scale", 17),
        (
            "survey_responses",
            "R18",
            "quarantined",
            "scale not allowed for the survey_type; score outside its scale",
            18,
        ),
        ("survey_responses", "R19", "quarantined", "score not a finite number", 19),
        ("telephony_calls", "CL5", "quarantined", "ended_at before offered_at", 5),
        ("telephony_calls", "CL6", "quarantined", "talk_seconds outside sane bounds", 6),
    ]
    # every row names the export file it came from
    files = query(
        bad_rows_warehouse,
        "select count(*) from audit.audit_quarantined_rows"
        " where source_file is distinct from source_table || '.csv'",
    )
    assert files == [(0,)]


def test_every_raw_row_is_accounted_for_and_orphans_are_counted(bad_rows_warehouse, query):
    rows = query(
        bad_rows_warehouse,
        """
        select source_table, raw_rows, staged_rows, duplicate_rows, superseded_rows,
               quarantined_rows, unreadable_lines, orphaned_rows
        from audit.audit_row_reconciliation
        where raw_rows > 0 or unreadable_lines > 0
        order by source_table
        """,
    )
    assert rows == [
        ("chat_sessions", 1, 1, 0, 0, 0, 1, 0),  # as in e2e
        # 8 raw rows as in e2e: the C7 line never became a raw row, it is an unreadable line
        ("crm_customers", 8, 6, 1, 0, 1, 1, 0),
        ("crm_subscriptions", 9, 6, 0, 0, 3, 0, 0),  # 7 + S8 + S9; quarantined S7 S8 S9
        # 35 + E36..E39 = 39 = 36 staged (34 + E37 + E38) + 3 quarantined (E34 E36 E39);
        # 2 of the staged rows are orphans (E37, E38)
        ("helpdesk_ticket_events", 39, 36, 0, 0, 3, 0, 2),
        ("helpdesk_tickets", 12, 9, 1, 0, 2, 0, 0),  # e2e + T11 (2052), quarantined T10 T11
        ("self_service_sessions", 3, 3, 0, 0, 0, 0, 1),  # SS3 staged, an orphan
        ("shop_orders", 5, 3, 0, 0, 2, 0, 0),  # O4 O5
        ("support_agents", 3, 3, 0, 0, 0, 0, 0),
        ("survey_invitations", 15, 15, 0, 0, 0, 0, 0),
        ("survey_responses", 19, 16, 0, 0, 3, 0, 0),  # R17 R18 R19
        ("telephony_calls", 6, 4, 0, 0, 2, 0, 0),  # CL5 CL6
    ]


def test_the_audit_holds_no_personal_data(bad_rows_warehouse, query):
    masked = query(
        bad_rows_warehouse,
        """
        select record_key, json_extract_string(raw_row, '$.email'),
               json_extract_string(raw_row, '$.full_name'),
               json_extract_string(raw_row, '$.comment'),
               json_extract_string(raw_row, '$.customer_tier')
        from audit.audit_quarantined_rows
        where record_key in ('C2', 'R19')
        order by record_key
        """,
    )
    assert masked == [
        # C2's second delivery: e-mail and name masked, the other values kept
        ("C2", "<personal data>", "<personal data>", None, "enterprise"),
        # R19's comment "call me at 555-0100" masked
        ("R19", None, None, "<personal data>", None),
    ]
    # the unreadable C7 line of crm_customers (a table with personal columns) is not kept;
    # the chat line (no personal columns) is
    lines = query(
        bad_rows_warehouse,
        "select source_table, raw_row from audit.audit_quarantined_rows"
        " where kind = 'unreadable' order by source_table",
    )
    assert lines == [
        ("chat_sessions", "CH2,C3,2024-01-08T09:00:00Z,,2024-01-08T09:10:00Z,missed,,,,EXTRA"),
        ("crm_customers", "<personal data>"),
    ]
    leaks = query(
        bad_rows_warehouse,
        "select count(*) from audit.audit_quarantined_rows"
        " where raw_row like '%@%' or raw_row like '%Bob Two%' or raw_row like '%555-0100%'"
        " or reason like '%@%'",
    )
    assert leaks == [(0,)]


def test_a_year_typo_does_not_stretch_the_calendar(bad_rows_warehouse, query):
    # E36 (2052) and S8 (1924) are quarantined, so dim_date spans the staged data only: from
    # C1's signup 2023-06-01 to the last staged activity, R7 on 2024-02-15:
    # June..December 2023 = 30+31+31+30+31+30+31 = 214 days, + 31 (January) + 15 = 260 days
    rows = query(
        bad_rows_warehouse,
        "select min(date_day), max(date_day), count(*) from marts.dim_date",
    )
    assert [(str(first), str(last), days) for first, last, days in rows] == [
        ("2023-06-01", "2024-02-15", 260)
    ]


@pytest.mark.parametrize(
    ("kpi_id", "grain", "start", "value", "numerator", "denominator"),
    [
        # R19 (NaN) not counted: February CSAT stays R6 2, R7 4 -> 1 satisfied of 2
        ("csat", "month", "2024-02-01", 50.0, 1, 2),
        # O4 (1e30) and O5 (NaN) not counted: January buyers C1 (O3) -> 0 repeat of 1
        ("repurchase_rate", "month", "2024-01-01", 0.0, 0, 1),
        # S8 (1924) not counted: churn January as in e2e, C2 lost of C1 C2 C3 C4 C6 -> 1 of 5
        ("churn_rate", "month", "2024-01-01", 20.0, 1, 5),
        # CL6 (90000 s) not counted: January AHT = (CL1 240+30+60 + CL2 250+0+30
        # + CH1 (09:00:40 -> 09:20:00 = 1160) + 45) / 3 = (330 + 280 + 1205) / 3 = 605
        ("aht", "month", "2024-01-01", 605.0, 1815, 3),
        # E36/E39 (T6) quarantined, E37/E38 orphans: at the end of January only T6 is open
        ("backlog", "month", "2024-01-01", 1.0, 1, 1),
        ("open_awaiting_response", "month", "2024-01-01", 1.0, 1, 1),
    ],
)
def test_kpis_the_bad_rows_would_touch_are_unchanged(
    bad_rows_warehouse, query, kpi_id, grain, start, value, numerator, denominator
):
    rows = query(
        bad_rows_warehouse,
        "select value, numerator, denominator from marts.kpi_values"
        f" where kpi_id = '{kpi_id}' and period_grain = '{grain}'"
        f" and period_start = '{start}' and dimension = 'all'",
    )
    assert len(rows) == 1
    assert rows[0][0] == pytest.approx(value)
    assert rows[0][1:] == (numerator, denominator)


def test_every_kpi_value_equals_the_e2e_build(bad_rows_warehouse, e2e_warehouse, query):
    # The bad rows are all set aside or dropped as orphans, so kpi_values is the e2e build's,
    # row for row (except computing time): no row of either build is missing from the other.
    columns = (
        "kpi_id, period_grain, period_start, dimension, dimension_value,"
        " round(value, 9), numerator, denominator, round(ci_low, 9), round(ci_high, 9)"
    )
    con = duckdb.connect()
    try:
        con.execute(f"attach '{bad_rows_warehouse}' as bad (read_only)")
        con.execute(f"attach '{e2e_warehouse}' as e2e (read_only)")
        differing = con.execute(
            f"""
            select count(*) from (
                (select {columns} from bad.marts.kpi_values
                 except all select {columns} from e2e.marts.kpi_values)
                union all
                (select {columns} from e2e.marts.kpi_values
                 except all select {columns} from bad.marts.kpi_values)
            )
            """
        ).fetchall()
        counts = con.execute(
            "select (select count(*) from bad.marts.kpi_values),"
            " (select count(*) from e2e.marts.kpi_values)"
        ).fetchall()
    finally:
        con.close()
    assert differing == [(0,)]
    assert counts[0][0] == counts[0][1]


def test_each_load_batch_is_judged_against_its_own_load_time(tmp_path, query):
    # batch 1: the e2e exports, loaded 2024-02-20 00:00 -> plausible until 2024-02-21 00:00;
    # batch 2 (--append): two events of T6, loaded 2024-03-10 00:00 -> until 2024-03-11 00:00.
    # E40 (2024-03-05) is plausible in batch 2, though it would not be in batch 1;
    # E41 (2024-03-20) is not. E34 ('yesterday') is e2e's own bad row.
    day = tmp_path / "day"
    day.mkdir()
    (day / "helpdesk_ticket_events.csv").write_text(
        "event_id,ticket_id,occurred_at,event_type,agent_id,is_public,new_status,"
        "new_assignee_agent_id\n"
        "E40,T6,2024-03-05T09:00:00Z,customer_message,,true,,\n"
        "E41,T6,2024-03-20T09:00:00Z,customer_message,,true,,\n",
        encoding="utf-8",
    )
    db = tmp_path / "appended.duckdb"
    common = ["--db", str(db), "--skip-validation", "--no-summary", "--demo-salt"]
    absent = [
        argument
        for table in load_contract()
        if table != "helpdesk_ticket_events"
        for argument in ("--allow-missing", table)
    ]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(load_raw, "load_directory", log_load_times(LOADED_AT, "2024-03-10 00:00:00"))
        assert run_warehouse.main(["--data", str(FIXTURES / "e2e"), *common]) == 0
        assert run_warehouse.main(["--data", str(day), "--append", *absent, *common]) == 0
    rows = query(
        db,
        "select record_key, reason from audit.audit_quarantined_rows"
        " where source_table = 'helpdesk_ticket_events' order by record_key",
    )
    assert rows == [
        ("E34", "unparseable timestamp in occurred_at"),
        ("E41", "occurred_at outside the plausible window"),
    ]
    # 35 e2e rows + E40 + E41 = 37 = 35 staged (34 + E40) + 2 quarantined
    counts = query(
        db,
        "select raw_rows, staged_rows, quarantined_rows from audit.audit_row_reconciliation"
        " where source_table = 'helpdesk_ticket_events'",
    )
    assert counts == [(37, 35, 2)]


def test_the_run_summary_shows_the_rows_set_aside_and_the_orphans(bad_rows_warehouse):
    """What `make run` prints after publishing (kpi_summary.audit_lines), read from the audit:
    120 raw rows (1 + 8 + 9 + 39 + 12 + 3 + 5 + 3 + 15 + 19 + 6), 102 staged; 9 tables with
    rows set aside or left out (every table above but support_agents and survey_invitations)."""
    lines = kpi_summary.audit_lines(bad_rows_warehouse)
    assert lines[0] == (
        "audit: 120 raw rows, 102 staged; rows set aside or left out"
        " (9 of 14 tables, audit.audit_quarantined_rows):"
    )
    assert (
        "  helpdesk_ticket_events            3 quarantined      0 unreadable lines"
        "      2 orphaned        0 duplicates        0 superseded"
    ) in lines
    assert "    helpdesk_ticket_events: 1 orphaned x parent ticket quarantined" in lines
    assert "    helpdesk_ticket_events: 1 orphaned x unknown ticket" in lines
    assert "    self_service_sessions: 1 orphaned x unknown ticket" in lines
    assert "    shop_orders: 1 quarantined x amount outside sane bounds" in lines
