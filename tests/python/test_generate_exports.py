"""Tests of scripts/generate_exports.py: determinism, contract conformance, consistency, realism
and the injected bad rows.

The contract checks mirror the staging macro (macros/staging/stage_raw_table.sql): values are
parsed from text the same way and every column `meta` rule and table `row_checks` rule of
models/staging/*/_*__sources.yml is evaluated, so "clean" here means "staged, not quarantined".
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import generate_exports
import pytest
import yaml
from raw_contract import STAGING_DIR, Table, load_contract

CONTRACT = load_contract()
SCRIPT = Path(generate_exports.__file__)
N_CLEAN = 2000  # tickets in the clean data set used for contract, consistency and ratio checks
N_SMALL = 300


def generate(out: Path, *args: str) -> Path:
    assert generate_exports.main(["--out", str(out), "--no-progress", *args]) == 0
    return out


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    return generate(out, "--tickets", str(N_CLEAN), "--seed", "3", "--bad-row-rate", "0")


@pytest.fixture(scope="module")
def dirty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dirty")
    return generate(out, "--tickets", str(N_SMALL), "--seed", "5", "--bad-row-rate", "0.2")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp("small_a"), "--tickets", str(N_SMALL), "--seed", "7")


# ------------------------------------------------------------------------------------------
# Helpers: load the CSVs as text, type them like staging, evaluate the contract rules
# ------------------------------------------------------------------------------------------
def column_meta() -> dict[str, dict]:
    """Table name -> {"meta": table meta, "columns": {column: column meta}} from the YAML."""
    tables: dict[str, dict] = {}
    for path in sorted(STAGING_DIR.glob("*/_*__sources.yml")):
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            for table in source["tables"]:
                if table["name"] not in CONTRACT:
                    continue
                tables[table["name"]] = {
                    "meta": table.get("meta") or {},
                    "columns": {c["name"]: c.get("meta") or {} for c in table["columns"]},
                }
    return tables


META = column_meta()


def typed_expr(table: Table, name: str) -> str:
    raw = f'"{name}"'
    kind = table.column(name).type
    if kind == "timestamp":
        return f"(try_cast(trim({raw}) as timestamptz) at time zone 'UTC')"
    if kind == "enum":
        return f"nullif(lower(trim({raw})), '')"
    if kind == "boolean":
        return (
            f"case when lower(trim({raw})) in ('true', '1', 'yes') then true "
            f"when lower(trim({raw})) in ('false', '0', 'no') then false end"
        )
    if kind in ("integer", "decimal"):
        return f"try_cast(trim({raw}) as {'bigint' if kind == 'integer' else 'double'})"
    return f"nullif(trim({raw}), '')"


def connect(directory: Path) -> duckdb.DuckDBPyConnection:
    """raw_<t>: the file as text; <t>: typed like staging, plus _reasons (broken rules)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for table in CONTRACT.values():
        path = directory / f"{table.name}.csv"
        con.execute(
            f"create table raw_{table.name} as select row_number() over () as _line, * "
            f"from read_csv('{path}', header = true, all_varchar = true)"
        )
        typed = ", ".join(f'{typed_expr(table, c)} as "{c}"' for c in table.column_names)
        raws = ", ".join(f'"{c}" as "raw_{c}"' for c in table.column_names)
        con.execute(
            f"create table typed_{table.name} as select _line, {typed}, {raws} "
            f"from raw_{table.name}"
        )
        reasons = " || ".join(f"coalesce({rule}, '')" for rule in rule_sql(table)) or "''"
        con.execute(
            f"create table {table.name} as select *, {reasons} as _reasons from typed_{table.name}"
        )
    return con


def rule_sql(table: Table) -> list[str]:
    """One SQL expression per contract rule: the reason text when broken, else null."""
    meta = META[table.name]
    rules = []
    for column in table.columns:
        name, cmeta = column.name, meta["columns"][column.name]
        raw = f'"raw_{name}"'
        if column.required:
            rules.append(f"case when nullif(trim({raw}), '') is null then 'missing {name};' end")
        if column.type in ("timestamp", "boolean", "integer", "decimal"):
            rules.append(
                f"case when nullif(trim({raw}), '') is not null and \"{name}\" is null "
                f"then 'unparseable {name};' end"
            )
        if column.type == "enum":
            values = ", ".join(f"'{v}'" for v in column.values)
            rules.append(f"case when \"{name}\" not in ({values}) then 'unknown {name};' end")
        for key, op in (("min", "<"), ("min_exclusive", "<=")):
            if cmeta.get(key) is not None:
                rules.append(f"case when \"{name}\" {op} {cmeta[key]} then '{key} {name};' end")
        for key, op in (("not_above", ">"), ("not_before", "<")):
            if cmeta.get(key):
                other = cmeta[key]
                rules.append(f'case when "{name}" {op} "{other}" then \'{name} {key};\' end')
    for check in meta["meta"].get("row_checks", []):
        rules.append(f"case when {check['fails_when']} then '{check['reason']};' end")
    return rules


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> object:
    return con.execute(sql).fetchall()[0][0]


def ids(con: duckdb.DuckDBPyConnection, sql: str) -> set[str]:
    return {row[0] for row in con.execute(sql).fetchall() if row[0] is not None}


@pytest.fixture(scope="module")
def con(clean: Path) -> duckdb.DuckDBPyConnection:
    return connect(clean)


@pytest.fixture(scope="module")
def dirty_con(dirty: Path) -> duckdb.DuckDBPyConnection:
    return connect(dirty)


# ------------------------------------------------------------------------------------------
# Determinism and shape
# ------------------------------------------------------------------------------------------
def test_same_seed_gives_byte_identical_files(small: Path, tmp_path: Path) -> None:
    again = generate(tmp_path / "again", "--tickets", str(N_SMALL), "--seed", "7")
    for table in CONTRACT:
        name = f"{table}.csv"
        assert (small / name).read_bytes() == (again / name).read_bytes(), name


def test_different_seed_gives_different_files(small: Path, tmp_path: Path) -> None:
    other = generate(tmp_path / "other", "--tickets", str(N_SMALL), "--seed", "8")
    differs = [
        t
        for t in CONTRACT
        if (small / f"{t}.csv").read_bytes() != (other / f"{t}.csv").read_bytes()
    ]
    assert len(differs) == len(CONTRACT)


def test_every_contract_table_written_with_contract_column_order(clean: Path) -> None:
    assert sorted(p.name for p in clean.iterdir()) == sorted(f"{t}.csv" for t in CONTRACT)
    for table in CONTRACT.values():
        with (clean / f"{table.name}.csv").open(encoding="utf-8") as handle:
            assert handle.readline().rstrip("\n") == ",".join(table.column_names)


def test_parquet_format_has_contract_columns(tmp_path: Path) -> None:
    out = generate(tmp_path / "pq", "--tickets", "200", "--format", "parquet", "--seed", "1")
    con = duckdb.connect()
    for table in CONTRACT.values():
        path = out / f"{table.name}.parquet"
        names = [r[0] for r in con.execute(f"describe select * from '{path}'").fetchall()]
        assert names == table.column_names
    csv = generate(tmp_path / "csv", "--tickets", "200", "--seed", "1")
    rows = scalar(con, f"select count(*) from '{out}/helpdesk_ticket_events.parquet'")
    assert rows == scalar(con, f"select count(*) from '{csv}/helpdesk_ticket_events.csv'")


def test_table_sizes_scale_with_tickets(con: duckdb.DuckDBPyConnection) -> None:
    n = N_CLEAN
    expected = {  # rows per ticket: (low, high)
        "helpdesk_tickets": (1.0, 1.0),
        "helpdesk_ticket_events": (6.0, 9.0),
        "telephony_calls": (0.95, 1.05),
        "chat_sessions": (0.38, 0.42),
        "self_service_sessions": (0.48, 0.52),
        "survey_invitations": (0.85, 1.1),
        "survey_responses": (0.25, 0.36),
        "qa_reviews": (0.045, 0.055),
        "crm_customers": (0.2, 0.2),
        "crm_subscriptions": (0.17, 0.27),
        "shop_orders": (0.5, 0.5),
        "engagement_events": (2.0, 2.0),
        "product_task_attempts": (0.2, 0.2),
    }
    for table, (low, high) in expected.items():
        rows = scalar(con, f"select count(*) from {table}")
        assert low * n <= rows <= high * n, (table, rows)
    assert scalar(con, "select count(*) from support_agents") == 15 + n // 1000
    assert scalar(con, "select count(*) from support_agents where is_bot") == 3
    assert 3 <= scalar(con, "select count(distinct team) from support_agents") <= 6


def test_help_documents_every_option() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=True
    )
    for option in ("--out", "--tickets", "--seed", "--format", "--start-date", "--days"):
        assert option in result.stdout
    assert "--bad-row-rate" in result.stdout


# ------------------------------------------------------------------------------------------
# Contract conformance of a clean run
# ------------------------------------------------------------------------------------------
def test_clean_run_breaks_no_contract_rule(con: duckdb.DuckDBPyConnection) -> None:
    for table in CONTRACT.values():
        broken = con.execute(
            f"select _reasons, count(*) from {table.name} where _reasons <> '' group by 1"
        ).fetchall()
        assert broken == [], (table.name, broken)


def test_clean_run_has_unique_keys_and_no_duplicate_lines(con: duckdb.DuckDBPyConnection) -> None:
    for table in CONTRACT.values():
        key = table.primary_key
        rows = scalar(con, f"select count(*) from {table.name}")
        assert scalar(con, f'select count(distinct "{key}") from {table.name}') == rows
        columns = ", ".join(f'"{c}"' for c in table.column_names)
        distinct = scalar(
            con, f"select count(*) from (select distinct {columns} from raw_{table.name})"
        )
        assert distinct == rows, table.name


def test_ids_and_timestamps_are_formatted_like_an_export(con: duckdb.DuckDBPyConnection) -> None:
    assert scalar(con, "select min(ticket_id) from helpdesk_tickets") == "T-0000001"
    assert scalar(con, "select min(customer_id) from crm_customers") == "C-000001"
    assert scalar(con, "select min(agent_id) from support_agents") == "A-0001"
    assert (
        scalar(con, "select count(*) from helpdesk_ticket_events where event_id not like 'E-%'")
        == 0
    )
    stamps = [r[0] for r in con.execute("select raw_created_at from helpdesk_tickets").fetchall()]
    parsed = [dt.datetime.fromisoformat(s) for s in stamps]
    assert all(p.utcoffset() is not None for p in parsed)
    with_offset = sum(not s.endswith("Z") for s in stamps) / len(stamps)
    assert 0.03 <= with_offset <= 0.08
    # an offset timestamp denotes the same instant as the UTC value staging derives
    for raw, typed in con.execute(
        "select raw_created_at, created_at from helpdesk_tickets "
        "where not raw_created_at like '%Z' limit 20"
    ).fetchall():
        assert dt.datetime.fromisoformat(raw).astimezone(dt.UTC).replace(tzinfo=None) == typed
    start, end = con.execute(
        "select min(created_at), max(created_at) from helpdesk_tickets"
    ).fetchall()[0]
    assert dt.datetime(2024, 1, 1) <= start < dt.datetime(2024, 1, 8)
    assert dt.datetime(2025, 3, 20) < end < dt.datetime(2025, 4, 1)  # 456 days


def test_enum_case_and_boolean_spellings_vary_but_stay_valid(
    con: duckdb.DuckDBPyConnection,
) -> None:
    odd = scalar(
        con,
        "select count(*) from helpdesk_ticket_events "
        "where raw_event_type <> lower(trim(raw_event_type))",
    )
    events = scalar(con, "select count(*) from helpdesk_ticket_events")
    assert 0.003 * events <= odd <= 0.03 * events
    spellings = ids(con, "select distinct raw_is_public from helpdesk_ticket_events")
    assert {"true", "false", "1", "0", "yes", "no"} <= spellings


# ------------------------------------------------------------------------------------------
# Referential and logical consistency
# ------------------------------------------------------------------------------------------
FOREIGN_KEYS = (  # (table, column, referenced table, referenced key)
    ("helpdesk_ticket_events", "ticket_id", "helpdesk_tickets", "ticket_id"),
    ("helpdesk_ticket_events", "agent_id", "support_agents", "agent_id"),
    ("helpdesk_ticket_events", "new_assignee_agent_id", "support_agents", "agent_id"),
    ("helpdesk_tickets", "customer_id", "crm_customers", "customer_id"),
    ("helpdesk_tickets", "assignee_agent_id", "support_agents", "agent_id"),
    ("telephony_calls", "customer_id", "crm_customers", "customer_id"),
    ("telephony_calls", "agent_id", "support_agents", "agent_id"),
    ("telephony_calls", "ticket_id", "helpdesk_tickets", "ticket_id"),
    ("chat_sessions", "customer_id", "crm_customers", "customer_id"),
    ("chat_sessions", "agent_id", "support_agents", "agent_id"),
    ("chat_sessions", "ticket_id", "helpdesk_tickets", "ticket_id"),
    ("self_service_sessions", "customer_id", "crm_customers", "customer_id"),
    ("self_service_sessions", "escalated_ticket_id", "helpdesk_tickets", "ticket_id"),
    ("qa_reviews", "ticket_id", "helpdesk_tickets", "ticket_id"),
    ("qa_reviews", "agent_id", "support_agents", "agent_id"),
    ("survey_invitations", "customer_id", "crm_customers", "customer_id"),
    ("survey_invitations", "ticket_id", "helpdesk_tickets", "ticket_id"),
    ("survey_responses", "invitation_id", "survey_invitations", "invitation_id"),
    ("survey_responses", "customer_id", "crm_customers", "customer_id"),
    ("survey_responses", "ticket_id", "helpdesk_tickets", "ticket_id"),
    ("crm_customers", "referred_by_customer_id", "crm_customers", "customer_id"),
    ("crm_subscriptions", "customer_id", "crm_customers", "customer_id"),
    ("shop_orders", "customer_id", "crm_customers", "customer_id"),
    ("engagement_events", "customer_id", "crm_customers", "customer_id"),
    ("product_task_attempts", "customer_id", "crm_customers", "customer_id"),
)


def test_foreign_keys_reference_existing_rows(con: duckdb.DuckDBPyConnection) -> None:
    for table, column, target, key in FOREIGN_KEYS:
        referenced = ids(con, f"select {column} from {table}")
        assert referenced, (table, column)
        assert referenced <= ids(con, f"select {key} from {target}"), (table, column)


def test_ticket_status_and_assignee_follow_the_events(con: duckdb.DuckDBPyConnection) -> None:
    mismatches = scalar(
        con,
        """
        with last_status as (
            select ticket_id, arg_max(new_status, _line) as status
            from helpdesk_ticket_events where event_type = 'status_change' group by 1
        ), last_assignee as (
            select ticket_id, arg_max(new_assignee_agent_id, _line) as agent
            from helpdesk_ticket_events where event_type = 'assignment' group by 1
        )
        select count(*) from helpdesk_tickets t
        left join last_status s using (ticket_id)
        left join last_assignee a using (ticket_id)
        where t.status <> coalesce(s.status, 'new')
           or coalesce(t.assignee_agent_id, '') <> coalesce(a.agent, '')
        """,
    )
    assert mismatches == 0


def test_events_are_chronological_per_ticket(con: duckdb.DuckDBPyConnection) -> None:
    assert (
        scalar(
            con,
            "select count(*) from helpdesk_ticket_events e "
            "join helpdesk_tickets t using (ticket_id) "
            "where e.occurred_at < t.created_at",
        )
        == 0
    )
    # the file lists a ticket's events in order; only a bot reply may precede the routing
    out_of_order = scalar(
        con,
        """
        select count(*) from (
            select event_type, occurred_at,
                lag(occurred_at) over (partition by ticket_id order by _line) as previous,
                lag(event_type) over (partition by ticket_id order by _line) as previous_type
            from helpdesk_ticket_events
        ) where occurred_at < previous
        """,
    )
    assert out_of_order == 0


def test_event_columns_fit_the_event_type(con: duckdb.DuckDBPyConnection) -> None:
    rows = dict(
        con.execute(
            """
            select event_type, count(*) filter (where
                (event_type = 'status_change') <> (new_status is not null)
                or (event_type = 'assignment') <> (new_assignee_agent_id is not null)
                or (event_type = 'customer_message' and agent_id is not null)
                or (event_type in ('agent_reply', 'internal_note', 'field_change')
                    and agent_id is null)
                or (event_type in ('customer_message', 'agent_reply')
                    and is_public is distinct from true)
                or (event_type = 'internal_note' and is_public is distinct from false))
            from helpdesk_ticket_events group by 1
            """
        ).fetchall()
    )
    assert set(rows) == set(CONTRACT["helpdesk_ticket_events"].column("event_type").values)
    assert sum(rows.values()) == 0
    bot_replies = scalar(
        con,
        "select count(*) from helpdesk_ticket_events e join support_agents a using (agent_id) "
        "where e.event_type = 'agent_reply' and a.is_bot",
    )
    assert bot_replies > 0.1 * N_CLEAN
    bot_wait = scalar(
        con,
        "select max(epoch(e.occurred_at - t.created_at)) from helpdesk_ticket_events e "
        "join support_agents a using (agent_id) join helpdesk_tickets t using (ticket_id) "
        "where e.event_type = 'agent_reply' and a.is_bot",
    )
    assert bot_wait <= 60


def test_calls_and_chats_back_their_tickets(con: duckdb.DuckDBPyConnection) -> None:
    for channel, table in (("phone", "telephony_calls"), ("chat", "chat_sessions")):
        missing = scalar(
            con,
            f"select count(*) from helpdesk_tickets t where channel = '{channel}' "
            f"and not exists (select 1 from {table} c where c.ticket_id = t.ticket_id)",
        )
        assert missing == 0, channel
    assert (
        scalar(
            con,
            "select count(*) from telephony_calls where outcome = 'answered' and "
            "(answered_at is null or agent_id is null or talk_seconds is null "
            "or ended_at < answered_at)",
        )
        == 0
    )
    assert (
        scalar(
            con,
            "select count(*) from telephony_calls "
            "where outcome <> 'answered' and answered_at is not null",
        )
        == 0
    )
    assert (
        scalar(
            con,
            "select count(*) from telephony_calls "
            "where (outcome = 'blocked') <> (blocked_reason is not null)",
        )
        == 0
    )


def test_survey_responses_follow_their_invitations(con: duckdb.DuckDBPyConnection) -> None:
    assert (
        scalar(
            con,
            "select count(*) from survey_responses r "
            "join survey_invitations i using (invitation_id) "
            "where r.responded_at < i.sent_at or r.survey_type <> i.survey_type "
            "or r.customer_id <> i.customer_id or r.ticket_id is distinct from i.ticket_id",
        )
        == 0
    )
    assert (
        scalar(
            con,
            "select count(*) from survey_invitations i join helpdesk_tickets t using (ticket_id) "
            "where t.status not in ('solved', 'closed')",
        )
        == 0
    )
    assert (
        scalar(
            con,
            "select count(*) from survey_invitations "
            "where survey_type = 'nps' and ticket_id is not null",
        )
        == 0
    )


def test_referrers_signed_up_earlier(con: duckdb.DuckDBPyConnection) -> None:
    assert (
        scalar(
            con,
            "select count(*) from crm_customers c join crm_customers r "
            "on r.customer_id = c.referred_by_customer_id where r.signed_up_at > c.signed_up_at "
            "or c.acquisition_channel <> 'referral'",
        )
        == 0
    )


# ------------------------------------------------------------------------------------------
# Realism: shares and KPI levels
# ------------------------------------------------------------------------------------------
def shares(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, float]:
    rows = con.execute(sql).fetchall()
    total = sum(n for _, n in rows)
    return {value: n / total for value, n in rows}


def assert_near(actual: dict[str, float], expected: dict[str, float], tolerance: float) -> None:
    for key, share in expected.items():
        assert abs(actual.get(key, 0.0) - share) <= tolerance, (key, actual.get(key), share)


def test_ticket_mix(con: duckdb.DuckDBPyConnection) -> None:
    channels = shares(con, "select channel, count(*) from helpdesk_tickets group by 1")
    expected = {"email": 0.35, "web": 0.25, "chat": 0.15, "phone": 0.15, "social": 0.10}
    assert_near(channels, expected, 0.04)
    categories = ids(con, "select distinct category from helpdesk_tickets")
    assert categories == {"billing", "shipping", "technical", "account", "returns", "other"}
    tiers = shares(con, "select customer_tier, count(*) from crm_customers group by 1")
    assert_near(tiers, {"enterprise": 0.10, "business": 0.30, "free": 0.60}, 0.06)
    referral = shares(con, "select acquisition_channel, count(*) from crm_customers group by 1")
    assert_near(referral, {"referral": 0.15}, 0.05)


def test_ticket_outcomes(con: duckdb.DuckDBPyConnection) -> None:
    status = shares(con, "select status, count(*) from helpdesk_tickets group by 1")
    unresolved = sum(v for k, v in status.items() if k not in ("solved", "closed"))
    assert 0.05 <= unresolved <= 0.12
    assert status["closed"] > 0.8
    reopened = con.execute(
        """
        with changes as (
            select ticket_id, new_status,
                lag(new_status) over (partition by ticket_id order by _line) as previous
            from helpdesk_ticket_events where event_type = 'status_change'
        )
        select count(distinct ticket_id) filter (where previous in ('solved', 'closed')
                                                   and new_status not in ('solved', 'closed')),
               count(distinct ticket_id) filter (where new_status in ('solved', 'closed'))
        from changes
        """
    ).fetchall()[0]
    assert 0.07 <= reopened[0] / reopened[1] <= 0.14
    no_reply = scalar(
        con,
        "select count(*) from helpdesk_tickets t where not exists (select 1 from "
        "helpdesk_ticket_events e join support_agents a using (agent_id) where "
        "e.ticket_id = t.ticket_id and e.event_type = 'agent_reply' and not a.is_bot)",
    )
    assert 0.02 * N_CLEAN <= no_reply <= 0.12 * N_CLEAN


def test_contact_channel_outcomes(con: duckdb.DuckDBPyConnection) -> None:
    calls = shares(con, "select outcome, count(*) from telephony_calls group by 1")
    expected = {"answered": 0.80, "abandoned": 0.12, "blocked": 0.05, "voicemail": 0.03}
    assert_near(calls, expected, 0.03)
    identified = scalar(con, "select avg((customer_id is not null)::int) from telephony_calls")
    assert 0.53 <= identified <= 0.67
    chats = shares(con, "select outcome, count(*) from chat_sessions group by 1")
    assert set(chats) == {"answered", "missed", "bot_resolved"}
    escalated = scalar(
        con, "select avg((escalated_ticket_id is not null)::int) from self_service_sessions"
    )
    assert 0.22 <= escalated <= 0.28
    assert ids(con, "select distinct source from self_service_sessions") == {
        "help_center",
        "chatbot",
        "ivr",
    }


def test_survey_mix_and_scales(con: duckdb.DuckDBPyConnection) -> None:
    rates = dict(
        con.execute(
            "select i.survey_type, count(r.response_id) / count(*) from survey_invitations i "
            "left join survey_responses r using (invitation_id) group by 1"
        ).fetchall()
    )
    assert 0.28 <= rates["csat"] <= 0.40
    assert set(rates) == {"csat", "ces", "nps", "cx"}
    scales = dict(
        con.execute(
            "select scale_min || '-' || scale_max, count(*) from survey_responses "
            "where survey_type = 'csat' group by 1"
        ).fetchall()
    )
    assert 0.02 <= scales["0.0-1.0"] / (scales["0.0-1.0"] + scales["1.0-5.0"]) <= 0.09
    open_link = scalar(con, "select count(*) from survey_responses where invitation_id is null")
    assert 0 < open_link < 0.05 * scalar(con, "select count(*) from survey_responses")


def test_kpis_are_plausible(con: duckdb.DuckDBPyConnection) -> None:
    csat = scalar(
        con,
        "select 100 * avg(case when scale_max = 1 then score = 1 else score >= 4 end::int) "
        "from survey_responses where survey_type = 'csat'",
    )
    assert 60 <= csat <= 90
    nps = scalar(
        con,
        "select 100 * (avg((score >= 9)::int) - avg((score <= 6)::int)) "
        "from survey_responses where survey_type = 'nps'",
    )
    assert -30 <= nps <= 50
    ces = scalar(con, "select avg(score) from survey_responses where survey_type = 'ces'")
    assert 4.0 <= ces <= 6.2
    iqs = scalar(con, "select 100 * sum(points_earned) / sum(points_possible) from qa_reviews")
    assert 70 <= iqs <= 95
    on_time = scalar(
        con,
        "select avg((epoch(completed_at - started_at) <= expected_seconds)::int) "
        "from product_task_attempts",
    )
    assert 0.6 <= on_time <= 0.9


def test_skill_drives_service_quality(con: duckdb.DuckDBPyConnection) -> None:
    """Agents with the best QA scores get better CSAT than those with the worst."""
    rows = con.execute(
        """
        with iqs as (
            select agent_id, sum(points_earned) / sum(points_possible) as iqs
            from qa_reviews group by 1
        ), csat as (
            select t.assignee_agent_id as agent_id,
                avg(case when r.scale_max = 1 then r.score = 1 else r.score >= 4 end::int) as csat
            from survey_responses r join helpdesk_tickets t using (ticket_id)
            where r.survey_type = 'csat' group by 1
        )
        select iqs, csat from iqs join csat using (agent_id) order by iqs
        """
    ).fetchall()
    third = len(rows) // 3
    worst = sum(c for _, c in rows[:third]) / third
    best = sum(c for _, c in rows[-third:]) / third
    assert best > worst + 0.05


def test_weekly_and_daily_seasonality(con: duckdb.DuckDBPyConnection) -> None:
    by_day = dict(
        con.execute(
            "select isodow(created_at), count(*) from helpdesk_tickets group by 1"
        ).fetchall()
    )
    assert by_day[1] > 2 * by_day[7]
    by_hour = dict(
        con.execute("select hour(created_at), count(*) from helpdesk_tickets group by 1").fetchall()
    )
    assert by_hour[10] > 4 * by_hour.get(3, 0)


def test_subscriptions(con: duckdb.DuckDBPyConnection) -> None:
    counts = shares(
        con,
        "select n::varchar, count(*) from (select c.customer_id, count(s.subscription_id) n "
        "from crm_customers c left join crm_subscriptions s using (customer_id) group by 1) "
        "group by 1",
    )
    assert 0.22 <= counts["0"] <= 0.38
    assert counts["1"] > counts["2"] > 0
    overlapping = scalar(
        con,
        """
        select count(*) from (
            select started_at,
                lag(ended_at) over (partition by customer_id order by started_at) as prev
            from crm_subscriptions
        ) where started_at < prev
        """,
    )
    assert overlapping == 0
    assert scalar(con, "select count(*) from crm_subscriptions where ended_at < started_at") == 0
    statuses = shares(con, "select status, count(*) from shop_orders group by 1")
    assert_near(statuses, {"completed": 0.88, "refunded": 0.07, "cancelled": 0.05}, 0.04)


# ------------------------------------------------------------------------------------------
# Bad rows
# ------------------------------------------------------------------------------------------
def test_bad_rows_break_the_contract_in_several_ways(dirty_con: duckdb.DuckDBPyConnection) -> None:
    reasons: dict[str, int] = {}
    for table in CONTRACT.values():
        for text, n in dirty_con.execute(
            f"select _reasons, count(*) from {table.name} where _reasons <> '' group by 1"
        ).fetchall():
            for reason in filter(None, text.split(";")):
                reasons[reason] = reasons.get(reason, 0) + n
    kinds = {
        "unparseable timestamp": any(
            r.startswith("unparseable") and r.endswith("_at") for r in reasons
        ),
        "unknown enum": any(r.startswith("unknown") for r in reasons),
        "missing primary key": any(
            r in {f"missing {t.primary_key}" for t in CONTRACT.values()} for r in reasons
        ),
        "score outside scale": "score outside its scale" in reasons,
        "end before start": any(r.endswith("not_before") for r in reasons),
        "unparseable boolean": "unparseable is_bot" in reasons,
        "points above possible": "points_earned not_above" in reasons,
        "negative amount": "min monthly_amount" in reasons,
    }
    assert all(kinds.values()), kinds
    events = dirty_con.execute(
        "select count(*) filter (where _reasons <> ''), count(*) from helpdesk_ticket_events"
    ).fetchall()[0]
    assert 0.1 <= events[0] / events[1] <= 0.3  # ~rate (0.2) of the rows


def test_bad_rows_include_exact_duplicates(dirty_con: duckdb.DuckDBPyConnection) -> None:
    for table in ("helpdesk_ticket_events", "helpdesk_tickets", "telephony_calls"):
        columns = ", ".join(f'"{c}"' for c in CONTRACT[table].column_names)
        duplicated = scalar(
            dirty_con,
            f"select sum(n - 1) from (select count(*) n from raw_{table} group by {columns}) "
            "where n > 1",
        )
        rows = scalar(dirty_con, f"select count(*) from raw_{table}")
        assert 0.08 * rows <= duplicated <= 0.3 * rows, table


def test_bad_rows_are_never_referenced(dirty_con: duckdb.DuckDBPyConnection) -> None:
    for table, column, target, key in FOREIGN_KEYS:
        bad_keys = ids(dirty_con, f"select {key} from {target} where _reasons <> ''")
        referenced = ids(dirty_con, f"select {column} from {table} where _reasons = ''")
        assert not referenced & bad_keys, (table, column)
        valid = ids(dirty_con, f"select {key} from {target} where _reasons = ''")
        assert referenced <= valid, (table, column)


def test_zero_rate_and_positive_rate_share_the_clean_rows(small: Path, tmp_path: Path) -> None:
    """Bad rows are added on top: the valid rows are the same with or without them."""
    clean = generate(
        tmp_path / "zero", "--tickets", str(N_SMALL), "--seed", "7", "--bad-row-rate", "0"
    )
    con = duckdb.connect()
    for table in ("helpdesk_tickets", "crm_customers"):
        query = (
            "select count(*) from (select * from read_csv('{}', all_varchar = true) "
            "except select * from read_csv('{}', all_varchar = true))"
        )
        missing = scalar(con, query.format(clean / f"{table}.csv", small / f"{table}.csv"))
        assert missing == 0, table
