"""End to end: hand-written exports (tests/exports/e2e) -> warehouse -> exact KPI values.

Every expected figure below was worked out by hand from the fixture files; the comment next
to it shows the arithmetic. Tickets, events and surveys are in January and February 2024.
"""

from __future__ import annotations

import pytest

KPI_SQL = """
select value, numerator, denominator, ci_low, ci_high, is_low_sample, target_value,
       is_target_met, previous_value, change
from marts.kpi_values
where kpi_id = ? and period_grain = ? and period_start = ? and dimension = ?
  and dimension_value = ?
"""


def kpi(query, db, kpi_id, grain, start, dimension="all", value="all"):
    rows = query(db, KPI_SQL.replace("?", "'{}'").format(kpi_id, grain, start, dimension, value))
    assert len(rows) == 1, f"expected one row for {kpi_id} {grain} {start} {dimension}={value}"
    return rows[0]


@pytest.mark.parametrize(
    ("kpi_id", "grain", "start", "dimension", "value", "expected", "numerator", "denominator"),
    [
        # CSAT January: R1 5, R2 4, R3 3, R4 5, R5 'good' on 0-1 -> 4 satisfied of 5
        ("csat", "month", "2024-01-01", "all", "all", 80.0, 4, 5),
        # CSAT February: R6 2, R7 4 (open link, no ticket); R17 (score 6 of 1-5) quarantined
        ("csat", "month", "2024-02-01", "all", "all", 50.0, 1, 2),
        # CSAT January, e-mail tickets: T1 (5) and T3 (3)
        ("csat", "month", "2024-01-01", "channel", "email", 50.0, 1, 2),
        # CSAT 2024: 5 of 7
        ("csat", "year", "2024-01-01", "all", "all", 500 / 7, 5, 7),
        # NPS January: 10, 9, 9 promoters, 7 passive, 3 detractor -> (3 - 1) / 5
        ("nps", "month", "2024-01-01", "all", "all", 40.0, 2, 5),
        # CES January: (7 + 6 + 4 + 2) / 4; easy (5-7): 2 of 4
        ("ces", "month", "2024-01-01", "all", "all", 4.75, 19, 4),
        ("ces_easy_share", "month", "2024-01-01", "all", "all", 50.0, 2, 4),
        # FCR January: resolved T1 T2 T3 T4 T5 T8 T9; FCR only T1 (one reply) and T2 (bot
        # reply excluded). T3 two replies, T4 reopened, T5 a call 3 days later, T8/T9 the
        # same customer by e-mail and social at once.
        ("fcr_rate", "month", "2024-01-01", "all", "all", 200 / 7, 2, 7),
        ("fcr_rate", "month", "2024-02-01", "all", "all", 100.0, 1, 1),
        ("fcr_rate", "month", "2024-01-01", "channel", "email", 100 / 3, 1, 3),
        ("fcr_rate", "month", "2024-01-01", "team", "billing", 25.0, 1, 4),
        # Churn January: active at Jan 1 C1 C2 C3 C4 C6 (C6: order 2023-12-01 + 180 days);
        # C2 ends Jan 20 -> 1 of 5. C4's second subscription overlaps its first: not lost.
        ("churn_rate", "month", "2024-01-01", "all", "all", 20.0, 1, 5),
        # Churn February: C1 C3 C4 C6 active; C3 ends Feb 14 23:00 UTC -> 1 of 4
        ("churn_rate", "month", "2024-02-01", "all", "all", 25.0, 1, 4),
        ("churn_rate", "month", "2024-02-01", "customer_tier", "free", 100 / 3, 1, 3),
        ("churn_rate", "year", "2024-01-01", "all", "all", 40.0, 2, 5),
        # Retention February: (active at end C1 C4 C5 C6 = 4 - acquired C5 = 1) / 4
        ("retention_rate", "month", "2024-02-01", "all", "all", 75.0, 3, 4),
        ("retention_rate", "year", "2024-01-01", "all", "all", 60.0, 3, 5),
    ],
)
def test_kpi_values_match_hand_computed_figures(
    e2e_warehouse, query, kpi_id, grain, start, dimension, value, expected, numerator, denominator
):
    row = kpi(query, e2e_warehouse, kpi_id, grain, start, dimension, value)
    assert row[0] == pytest.approx(expected)
    assert row[1:3] == (numerator, denominator)


def test_confidence_intervals_by_hand(e2e_warehouse, query):
    # CSAT 4 of 5, Wilson: (0.8 + z²/10 ± z·sqrt(0.16/5 + z²/100)) / (1 + z²/5)
    csat = kpi(query, e2e_warehouse, "csat", "month", "2024-01-01")
    assert csat[3:5] == pytest.approx((37.5535, 96.3774), abs=1e-3)
    # NPS 40 on 5: se = sqrt((4/5 - 0.4²) / 5) = 0.35777 -> 40 ± 70.12, capped at 100
    nps = kpi(query, e2e_warehouse, "nps", "month", "2024-01-01")
    assert nps[3:5] == pytest.approx((-30.1218, 100.0), abs=1e-3)
    # CES mean 4.75, s² = (105 - 19²/4) / 3, t(3) = 3.182 -> 4.75 ± 3.5278 = [1.2222, 8.2778],
    # clipped to the 1..7 scale of the CES survey -> [1.2222, 7]
    ces = kpi(query, e2e_warehouse, "ces", "month", "2024-01-01")
    assert ces[3:5] == pytest.approx((1.2222, 7.0), abs=1e-3)
    assert ces[5] is True  # 4 responses < 30


def test_targets_and_trends(e2e_warehouse, query):
    # csat target 80 (higher is good): February 50 misses it, previous month 80, change -30
    row = kpi(query, e2e_warehouse, "csat", "month", "2024-02-01")
    assert row[6:] == (80.0, False, 80.0, -30.0)
    # churn target 2 (lower is good): January 20 misses it; December 2023 churn was 0
    row = kpi(query, e2e_warehouse, "churn_rate", "month", "2024-01-01")
    assert row[6:] == (2.0, False, 0.0, 20.0)
    # a breakdown-specific target wins: fcr_rate channel=phone target 75
    row = kpi(query, e2e_warehouse, "fcr_rate", "month", "2024-01-01", "channel", "phone")
    assert row[0] == 0.0
    assert row[6:8] == (75.0, False)


def test_no_row_for_a_period_without_data(e2e_warehouse, query):
    # no NPS response in February: no row rather than a zero
    rows = query(
        e2e_warehouse,
        "select count(*) from marts.kpi_values"
        " where kpi_id = 'nps' and period_start = '2024-02-01'",
    )
    assert rows == [(0,)]


def test_every_raw_row_is_accounted_for(e2e_warehouse, query):
    rows = query(
        e2e_warehouse,
        """
        select source_table, raw_rows, staged_rows, duplicate_rows, superseded_rows,
               quarantined_rows, unreadable_lines
        from audit.audit_row_reconciliation
        where raw_rows > 0 or unreadable_lines > 0
        order by source_table
        """,
    )
    assert rows == [
        ("chat_sessions", 1, 1, 0, 0, 0, 1),  # CH2 has 10 fields for 9 columns
        ("crm_customers", 8, 6, 1, 0, 1, 0),  # C3 re-delivered; C2 again with another tier
        ("crm_subscriptions", 7, 6, 0, 0, 1, 0),  # S7 ends before it starts
        ("helpdesk_ticket_events", 35, 34, 0, 0, 1, 0),  # E34 'yesterday'
        ("helpdesk_tickets", 11, 9, 1, 0, 1, 0),  # T1 re-delivered; T10 channel 'fax'
        ("self_service_sessions", 2, 2, 0, 0, 0, 0),
        ("shop_orders", 3, 3, 0, 0, 0, 0),
        ("support_agents", 3, 3, 0, 0, 0, 0),
        ("survey_invitations", 15, 15, 0, 0, 0, 0),
        ("survey_responses", 18, 16, 0, 0, 2, 0),  # R17 score 6 of 1-5; R18 nps on 1-5
        ("telephony_calls", 5, 4, 0, 0, 1, 0),  # CL5 ends before it is offered
    ]


def test_quarantine_keeps_reason_and_raw_values(e2e_warehouse, query):
    rows = query(
        e2e_warehouse,
        """
        select source_table, record_key, reason, json_extract_string(raw_row, '$.channel')
        from audit.audit_quarantined_rows
        where source_table = 'helpdesk_tickets'
        """,
    )
    assert rows == [("helpdesk_tickets", "T10", "unknown channel value", "fax")]
    reasons = query(
        e2e_warehouse,
        "select record_key, reason from audit.audit_quarantined_rows"
        " where source_table in ('survey_responses', 'crm_customers') order by record_key",
    )
    assert reasons == [
        ("C2", "duplicate customer_id with different values in one load (first kept)"),
        ("R17", "score outside its scale"),
        ("R18", "scale not allowed for the survey_type; score outside its scale"),
    ]


def test_ticket_lifecycle_facts(e2e_warehouse, query):
    rows = query(
        e2e_warehouse,
        """
        select ticket_id, agent_replies_before_resolution, bot_reply_count, reopen_count,
               is_resolved, has_repeat_contact, is_first_contact_resolution,
               epoch(first_agent_reply_at - created_at)
        from marts.fct_tickets order by ticket_id
        """,
    )
    assert rows == [
        ("T1", 1, 0, 0, True, False, True, 3600.0),
        ("T2", 1, 1, 0, True, False, True, 1800.0),  # bot replied at 09:01, agent at 09:30
        ("T3", 2, 0, 0, True, False, False, 10800.0),
        ("T4", 2, 0, 1, True, False, False, 3600.0),
        ("T5", 1, 0, 0, True, True, False, 300.0),  # created 10:00+01:00 = 09:00 UTC
        ("T6", 0, 0, 0, False, False, False, None),
        ("T7", 1, 0, 0, True, False, True, 3600.0),
        ("T8", 1, 0, 0, True, True, False, 3600.0),
        ("T9", 1, 0, 0, True, True, False, 7200.0),
    ]


def test_marts_hold_no_personal_data(e2e_warehouse, query):
    columns = query(
        e2e_warehouse,
        "select table_name, column_name from information_schema.columns"
        " where table_schema = 'marts'"
        " and (column_name in ('email', 'full_name', 'comment') or column_name = 'customer_id')",
    )
    assert columns == []
    emails = query(
        e2e_warehouse,
        "select count(*) from marts.dim_customers where customer_key like '%@%'",
    )
    assert emails == [(0,)]


def test_marts_use_column_types_bi_tools_read(e2e_warehouse, query):
    # DuckDB sums integers into a 128-bit HUGEINT, which many BI drivers (ODBC, JDBC, Arrow
    # consumers) cannot read; counts are BIGINT, measures DOUBLE. Fingerprints (sums of
    # 64-bit hashes) stay HUGEINT, but only in intermediate tables.
    columns = query(
        e2e_warehouse,
        "select table_schema || '.' || table_name || '.' || column_name"
        " from information_schema.columns"
        " where table_schema in ('marts', 'audit') and data_type in ('HUGEINT', 'UHUGEINT')"
        " order by 1",
    )
    assert columns == []
    types = query(
        e2e_warehouse,
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'marts' and table_name = 'fct_tickets'"
        " and column_name in ('reopen_count', 'agent_reply_count', 'interaction_count')"
        " order by 1",
    )
    assert types == [
        ("agent_reply_count", "BIGINT"),
        ("interaction_count", "BIGINT"),
        ("reopen_count", "BIGINT"),
    ]
