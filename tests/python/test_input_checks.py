"""The loader stops on input problems before anything is replaced, and loses no row (issue #23).

Every problem of a directory is reported at once, one line each, as load_raw.InputError (exit 1
from load_raw.main); malformed CSV lines are kept once each with their physical line number.
"""

from __future__ import annotations

import gzip
import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import load_raw
import pytest
import run_warehouse
from conftest import FIXTURES, rows
from raw_contract import load_contract

ORDERS_HEADER = "order_id,customer_id,ordered_at,amount,status"
SUBSCRIPTIONS_HEADER = "subscription_id,customer_id,plan,started_at,ended_at,monthly_amount"
AGENTS_HEADER = "agent_id,full_name,team,is_bot,hired_at,left_at"
CUSTOMERS_HEADER = (
    "customer_id,customer_tier,signed_up_at,acquisition_channel,referred_by_customer_id"
)
EVENTS_HEADER = (
    "event_id,ticket_id,occurred_at,event_type,agent_id,is_public,new_status,new_assignee_agent_id"
)


def write(path: Path, *lines: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def orders(data: Path, count: int) -> Path:
    """shop_orders.csv with orders O1..O<count> (count <= 9)."""
    lines = [f"O{i},C{i},2024-01-0{i}T00:00:00Z,10,completed" for i in range(1, count + 1)]
    return write(data / "shop_orders.csv", ORDERS_HEADER, *lines)


def subscription(data: Path, subscription_id: str) -> Path:
    line = f"{subscription_id},C1,basic,2024-01-01T00:00:00Z,,5"
    return write(data / "crm_subscriptions.csv", SUBSCRIPTIONS_HEADER, line)


def problems_of(data: Path, db: Path, **options: object) -> list[str]:
    with pytest.raises(load_raw.InputError) as raised:
        load_raw.load_directory(data, db, quiet=True, **options)  # type: ignore[arg-type]
    return raised.value.problems


def expected_names(table: str) -> str:
    return f"(expected {table}.csv, {table}.csv.gz, {table}.parquet or a folder {table}/)"


# --- 1. an empty folder ------------------------------------------------------------------------


def test_an_empty_export_folder_is_an_error_and_keeps_the_last_load(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    orders(tmp_path / "day1", 2)
    load_raw.load_directory(tmp_path / "day1", db, quiet=True)
    empty = tmp_path / "empty"
    empty.mkdir()

    assert load_raw.main(["--data", str(empty), "--db", str(db)]) == 1
    assert capsys.readouterr().err == (
        f"error: export directory {empty} holds no export of any contract table"
        " (expected files such as chat_sessions.csv)\n"
    )
    # nothing replaced: the 2 orders of the last load are still there
    assert rows(db, "select order_id from raw.shop_orders order by 1") == [("O1",), ("O2",)]


# --- 2. a table of the last load now missing or header-only ----------------------------------


def test_a_table_of_the_last_load_missing_or_header_only_is_an_error(tmp_path):
    db = tmp_path / "w.duckdb"
    first = tmp_path / "first"
    orders(first, 2)
    write(first / "support_agents.csv", AGENTS_HEADER, "A1,Ann,Billing,false,,")
    load_raw.load_directory(first, db, quiet=True)

    second = tmp_path / "second"
    write(second / "shop_orders.csv", ORDERS_HEADER)  # header only
    subscription(second, "S1")
    # support_agents.csv is absent
    assert problems_of(second, db) == [
        f"support_agents: no file for support_agents in {second}, but the last load had 1 row"
        " (pass --allow-missing support_agents if the table is meant to be"
        " empty)",
        "shop_orders: shop_orders.csv has no rows, but the last load had 2 rows"
        " (pass --allow-missing shop_orders if the table is meant to be empty)",
    ]
    # nothing replaced
    assert rows(db, "select count(*) from raw.shop_orders") == [(2,)]
    assert rows(db, "select count(*) from raw.support_agents") == [(1,)]
    assert rows(db, "select count(*) from raw.crm_subscriptions") == [(0,)]

    # the caller says both are meant to be empty (CLI: --allow-missing, repeatable)
    argv = ["--data", str(second), "--db", str(db)]
    allowed = ["--allow-missing", "shop_orders", "--allow-missing", "support_agents"]
    assert load_raw.main([*argv, *allowed]) == 0
    assert rows(db, "select count(*) from raw.shop_orders") == [(0,)]
    assert rows(db, "select count(*) from raw.support_agents") == [(0,)]
    assert rows(db, "select subscription_id from raw.crm_subscriptions") == [("S1",)]


def test_the_last_load_can_be_given_when_the_database_is_a_fresh_copy(tmp_path):
    """E.g. row counts from the published warehouse's audit.audit_row_reconciliation."""
    subscription(tmp_path / "exports", "S1")
    problems = problems_of(tmp_path / "exports", tmp_path / "w.duckdb", previous={"qa_reviews": 7})
    assert problems == [
        f"qa_reviews: no file for qa_reviews in {tmp_path / 'exports'}, but the last load had"
        " 7 rows (pass --allow-missing qa_reviews if the table is meant to"
        " be empty)"
    ]


def test_allow_missing_names_a_contract_table(tmp_path):
    orders(tmp_path / "exports", 1)
    assert problems_of(tmp_path / "exports", tmp_path / "w.duckdb", allow_missing=["orders"]) == [
        "--allow-missing orders: not a contract table"
    ]


def test_header_only_on_a_first_load_or_an_append_is_a_warning(tmp_path):
    db = tmp_path / "w.duckdb"
    data = tmp_path / "exports"
    write(data / "shop_orders.csv", ORDERS_HEADER)
    subscription(data, "S1")
    results = {r.table: r for r in load_raw.load_directory(data, db, quiet=True)}
    assert results["shop_orders"].warnings == [
        "shop_orders.csv has no rows: loaded as an empty table"
    ]
    # an appended day without orders (header only) or agents (no file) adds none: no error
    day = tmp_path / "day"
    write(day / "shop_orders.csv", ORDERS_HEADER)
    subscription(day, "S2")
    results = {r.table: r for r in load_raw.load_directory(day, db, append=True, quiet=True)}
    assert results["shop_orders"].warnings == ["shop_orders.csv has no rows: no rows added"]
    assert results["support_agents"].warnings == [
        f"no file for support_agents in {day}: no rows added"
    ]
    assert rows(
        db, "select subscription_id, _load_batch from raw.crm_subscriptions order by 1"
    ) == [
        ("S1", 1),
        ("S2", 2),
    ]


# --- 3. misnamed files, 4. two files for one table ---------------------------------------------


def test_misnamed_files_are_errors_naming_the_table_they_resemble(tmp_path):
    data = tmp_path / "exports"
    orders(data, 1)
    write(data / "helpdesk_ticket.csv", "ticket_id")  # typo
    write(data / "Survey_Responses.csv", "response_id")  # another case
    write(data / "crm_customers.CSV", "customer_id")  # upper-case extension
    write(data / "chat_sessions" / "2024-01.CSV", "chat_id")  # in a table folder
    write(data / "notes.txt", "not an export")  # resembles nothing: a warning
    assert problems_of(data, tmp_path / "w.duckdb") == [
        "survey_responses: file Survey_Responses.csv looks like a misnamed survey_responses"
        f" export {expected_names('survey_responses')}",
        "chat_sessions: file chat_sessions/2024-01.CSV has an upper-case extension; rename it to"
        " end in .csv, .csv.gz or .parquet",
        "crm_customers: file crm_customers.CSV looks like a misnamed crm_customers export"
        f" {expected_names('crm_customers')}",
        "helpdesk_tickets: file helpdesk_ticket.csv looks like a misnamed helpdesk_tickets export"
        f" {expected_names('helpdesk_tickets')}",
    ]
    assert not (tmp_path / "w.duckdb").exists()  # checked before the database is opened
    plan = load_raw.plan_directory(data, load_contract())
    assert plan.general_warnings == ["notes.txt ignored: not an export of any contract table"]


def test_two_exports_of_one_table_are_an_error_naming_both(tmp_path):
    data = tmp_path / "exports"
    orders(data, 1)
    con = duckdb.connect()
    con.execute(
        "copy (select 'O9' as order_id, 'C9' as customer_id, '2024-01-09' as ordered_at,"
        " '1' as amount, 'completed' as status) to ? (format parquet)",
        [str(data / "shop_orders.parquet")],
    )
    con.close()
    write(data / "crm_customers.csv", CUSTOMERS_HEADER, "C1,free,,,")
    with gzip.open(data / "crm_customers.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(f"{CUSTOMERS_HEADER}\nC2,free,,,\n")
    assert problems_of(data, tmp_path / "w.duckdb") == [
        "crm_customers: 2 exports found (crm_customers.csv, crm_customers.csv.gz); keep only one",
        "shop_orders: 2 exports found (shop_orders.csv, shop_orders.parquet); keep only one",
    ]


# --- 5. missing columns ------------------------------------------------------------------------


def test_a_missing_column_a_kpi_needs_is_an_error_naming_it(tmp_path):
    data = tmp_path / "exports"
    write(
        data / "helpdesk_tickets.csv",
        "ticket_id,customer_id,channel,category,created_at,assignee_agent_id,status",
        "T1,C1,email,billing,2024-01-01T00:00:00Z,,open",
    )
    write(data / "support_agents.csv", "agent_id,team,is_bot,team", "A1,x,false,y")
    orders(data, 1)
    assert problems_of(data, tmp_path / "w.duckdb") == [
        "support_agents.team: column appears 2 times in support_agents.csv",
        "support_agents.hired_at: column missing from support_agents.csv (a KPI needs it; only"
        " full_name is optional)",
        "support_agents.left_at: column missing from support_agents.csv (a KPI needs it; only"
        " full_name is optional)",
        "helpdesk_tickets.priority: column missing from helpdesk_tickets.csv (a KPI needs it;"
        " no column of helpdesk_tickets is optional)",
    ]


def test_optional_columns_are_those_no_kpi_reads():
    optional = {t.name: t.optional_column_names for t in load_contract().values()}
    assert {name: columns for name, columns in optional.items() if columns} == {
        "crm_customers": ["email", "full_name", "country"],
        "crm_subscriptions": ["plan"],
        "support_agents": ["full_name"],
        "telephony_calls": ["queue"],
        "self_service_sessions": ["article_id"],
        "survey_responses": ["comment"],
    }


def test_a_required_column_cannot_be_optional(tmp_path):
    write(
        tmp_path / "x" / "_x__sources.yml",
        "version: 2",
        "sources:",
        "  - name: x",
        "    tables:",
        "      - name: x_things",
        "        meta: {primary_key: thing_id}",
        "        columns:",
        "          - name: thing_id",
        "            meta: {type: id, required: true, optional: true}",
    )
    with pytest.raises(ValueError, match="x_things.thing_id: a primary key or required column"):
        load_contract(tmp_path)


# --- 6. malformed CSV lines --------------------------------------------------------------------


def event_line(number: int) -> str:
    return f"E{number},T{number % 50},2024-01-01T00:00:00Z,customer_message,,true,,"


def events_file(data: Path) -> Path:
    """3,000 events E1..E3000, one per line except E2000 (its last value spans 2 lines).

    Physical lines: 1 header, E<n> on line n + 1 up to E2000 (lines 2001-2002), E<n> on line
    n + 2 after it. Malformed: E10 (line 11) opens a quote it never closes; E1500 (line 1501) has
    9 fields for 8 columns; E2990 (line 2992) opens a quote near the end of the file, far past
    DuckDB's sniffing sample. So 3,000 records: 2,997 rows + 3 rejected lines."""
    lines = [EVENTS_HEADER]
    for number in range(1, 3001):
        line = event_line(number)
        if number == 10:
            line = 'E10,"T10,2024-01-01T00:00:00Z,customer_message,,true,,'
        elif number == 1500:
            line += ",surplus"
        elif number == 2000:
            line += '"first line\nsecond line"'
        elif number == 2500:
            line += '"say ""hi"", then, bye"'
        elif number == 2990:
            line = 'E2990,T40,"2024-01-01T00:00:00Z,customer_message,,true,,'
        lines.append(line)
    return write(data / "helpdesk_ticket_events.csv", *lines)


def test_malformed_lines_are_kept_once_and_the_rows_around_them_land(tmp_path):
    data = tmp_path / "exports"
    events_file(data)
    db = tmp_path / "w.duckdb"
    results = {r.table: r for r in load_raw.load_directory(data, db, quiet=True)}
    assert (
        results["helpdesk_ticket_events"].rows,
        results["helpdesk_ticket_events"].rejected_lines,
    ) == (2997, 3)
    assert rows(
        db, "select line, error_type, error_message, csv_line from raw._load_rejects order by 1"
    ) == [
        (
            11,
            "UNTERMINATED QUOTE",
            "a quoted field opened on this line is not closed within a record of 8 fields and"
            " 100 lines",
            'E10,"T10,2024-01-01T00:00:00Z,customer_message,,true,,',
        ),
        (
            1501,
            "TOO MANY COLUMNS",
            "expected 8 fields (the header's), found 9",
            event_line(1500) + ",surplus",
        ),
        (
            2992,
            "UNTERMINATED QUOTE",
            "a quoted field opened on this line is not closed within a record of 8 fields and"
            " 100 lines",
            'E2990,T40,"2024-01-01T00:00:00Z,customer_message,,true,,',
        ),
    ]
    # the neighbours land with their values; _row_number counts landed rows (E10 is not one)
    landed = rows(
        db,
        "select event_id, ticket_id, event_type, is_public, new_status,"
        " new_assignee_agent_id, _row_number from raw.helpdesk_ticket_events"
        " where event_id in ('E9', 'E11', 'E1499', 'E1501', 'E2000', 'E2500', 'E2989', 'E2991',"
        " 'E3000') order by _row_number",
    )
    assert landed == [
        ("E9", "T9", "customer_message", "true", None, None, 9),
        ("E11", "T11", "customer_message", "true", None, None, 10),
        ("E1499", "T49", "customer_message", "true", None, None, 1498),  # E<n>: n - 1
        ("E1501", "T1", "customer_message", "true", None, None, 1499),  # after E1500: n - 2
        ("E2000", "T0", "customer_message", "true", None, "first line\nsecond line", 1998),
        ("E2500", "T0", "customer_message", "true", None, 'say "hi", then, bye', 2498),
        ("E2989", "T39", "customer_message", "true", None, None, 2987),
        ("E2991", "T41", "customer_message", "true", None, None, 2988),  # after E2990: n - 3
        ("E3000", "T0", "customer_message", "true", None, None, 2997),
    ]
    # raw rows + unreadable lines = the file's 3,000 records
    assert rows(db, "select count(*) from raw.helpdesk_ticket_events") == [(2997,)]
    assert rows(
        db,
        "select landed_rows, rejected_lines from raw._load_batches"
        " where table_name = 'helpdesk_ticket_events'",
    ) == [(2997, 3)]


def test_the_line_parser_lands_what_duckdb_lands_from_a_clean_file(tmp_path):
    """The same 2,997 records without the 3 malformed lines go through DuckDB's reader only:
    the rows must be identical, values and numbering."""
    bad, clean = tmp_path / "bad", tmp_path / "clean"
    lines = events_file(bad).read_text(encoding="utf-8").split("\n")
    for index in (2992, 1501, 11):  # the malformed physical lines, from the end
        del lines[index - 1]
    (clean / "helpdesk_ticket_events.csv").parent.mkdir()
    (clean / "helpdesk_ticket_events.csv").write_text("\n".join(lines), encoding="utf-8")
    query = "select * exclude (_source_file) from raw.helpdesk_ticket_events order by _row_number"
    load_raw.load_directory(bad, tmp_path / "bad.duckdb", quiet=True)
    load_raw.load_directory(clean, tmp_path / "clean.duckdb", quiet=True)
    from_parser = rows(tmp_path / "bad.duckdb", query)
    assert len(from_parser) == 2997
    assert from_parser == rows(tmp_path / "clean.duckdb", query)
    assert rows(tmp_path / "clean.duckdb", "select count(*) from raw._load_rejects") == [(0,)]


def test_crlf_text_after_a_quote_and_invalid_utf8(tmp_path):
    data = tmp_path / "exports"
    data.mkdir()
    (data / "shop_orders.csv").write_bytes(
        ORDERS_HEADER.encode() + b"\r\n"
        b"O1,C1,2024-01-01,10,completed\r\n"  # line 2: lands
        b'O2,"C2"x,2024-01-02,10,completed\r\n'  # line 3: text after the closing quote
        b"O3,C\xff3,2024-01-03,10,completed\r\n"  # line 4: not UTF-8
        b"\r\n"  # line 5: blank, skipped
        b"O4,C4,2024-01-04,10,completed\r\n"  # line 6: lands
    )
    db = tmp_path / "w.duckdb"
    load_raw.load_directory(data, db, quiet=True)
    assert rows(db, "select order_id, customer_id, status, _row_number from raw.shop_orders") == [
        ("O1", "C1", "completed", 1),
        ("O4", "C4", "completed", 2),
    ]
    assert rows(db, "select line, error_type, csv_line from raw._load_rejects order by 1") == [
        (3, "UNQUOTED VALUE", 'O2,"C2"x,2024-01-02,10,completed'),
        (4, "INVALID ENCODING", "O3,C\ufffd3,2024-01-03,10,completed"),
    ]


def test_unreadable_lines_reconcile_in_the_audit(tmp_path):
    """A build of the e2e fixture with 2 malformed lines added to its 35 ticket events: the
    audit counts 35 raw rows + 2 unreadable lines = the file's 37 data lines."""
    data = tmp_path / "exports"
    shutil.copytree(FIXTURES / "e2e", data)
    events = data / "helpdesk_ticket_events.csv"
    lines = events.read_text(encoding="utf-8").splitlines()
    lines.insert(2, 'E901,"T1,2024-01-01T09:00:00Z,internal_note,A1,false,,')  # line 3
    lines.append("E902,T1,2024-01-01T09:00:00Z,internal_note,A1,false,,,surplus")  # line 38
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    argv = [
        "--data",
        str(data),
        "--db",
        str(db),
        "--skip-validation",
        "--no-summary",
        "--demo-salt",
    ]
    assert run_warehouse.main(argv) == 0
    assert rows(
        db,
        "select raw_rows, staged_rows, quarantined_rows, unreadable_lines"
        " from audit.audit_row_reconciliation where source_table = 'helpdesk_ticket_events'",
    ) == [(35, 34, 1, 2)]


# --- 7. paths -----------------------------------------------------------------------------------


def test_paths_with_quotes_spaces_and_semicolons(tmp_path):
    data = tmp_path / 'my "exports"; drop'
    write(
        data / "shop_orders.csv",
        ORDERS_HEADER,
        "O1,C1,2024-01-01,10,completed",
        "O2,C2,2024-01-02,10,completed,surplus",  # line 3: through the line parser too
    )
    con = duckdb.connect()
    con.execute(
        "copy (select 'C1' as customer_id, 'free' as customer_tier, null as signed_up_at,"
        " 'paid' as acquisition_channel, null as referred_by_customer_id)"
        " to ? (format parquet)",
        [str(data / "crm_customers.parquet")],
    )
    con.close()
    db = tmp_path / "it's; a db" / "w.duckdb"
    load_raw.load_directory(data, db, quiet=True)
    assert rows(db, "select order_id, _source_file from raw.shop_orders") == [
        ("O1", "shop_orders.csv")
    ]
    assert rows(db, "select line from raw._load_rejects") == [(3,)]
    assert rows(db, "select customer_id, acquisition_channel, email from raw.crm_customers") == [
        ("C1", "paid", None)
    ]
    assert rows(db, "select distinct data_dir from raw._load_batches") == [(str(data),)]


# --- 8. raw._load_batches -----------------------------------------------------------------------


def test_every_load_batch_is_recorded(tmp_path):
    db = tmp_path / "w.duckdb"
    before = datetime.now(UTC).replace(tzinfo=None)
    orders(tmp_path / "full", 3)
    load_raw.load_directory(tmp_path / "full", db, quiet=True)
    between = datetime.now(UTC).replace(tzinfo=None)
    write(tmp_path / "day" / "shop_orders.csv", ORDERS_HEADER, "O4,C4,2024-01-04,10,x,y")
    load_raw.load_directory(tmp_path / "day", db, append=True, quiet=True)
    after = datetime.now(UTC).replace(tzinfo=None)

    # one row per batch and contract table: 2 batches x 14 tables
    assert rows(db, "select load_batch, count(*) from raw._load_batches group by 1 order by 1") == [
        (1, len(load_contract())),
        (2, len(load_contract())),
    ]
    assert rows(
        db,
        "select load_batch, data_dir, is_append, files, landed_rows, rejected_lines"
        " from raw._load_batches where table_name = 'shop_orders' order by 1",
    ) == [
        (1, str(tmp_path / "full"), False, ["shop_orders.csv"], 3, 0),
        (2, str(tmp_path / "day"), True, ["shop_orders.csv"], 0, 1),  # O4 has 6 fields
    ]
    assert rows(
        db, "select files, landed_rows from raw._load_batches where table_name = 'qa_reviews'"
    ) == [([], 0), ([], 0)]
    loaded_at = [
        r[0] for r in rows(db, "select distinct loaded_at from raw._load_batches order by 1")
    ]
    assert len(loaded_at) == 2
    assert before <= loaded_at[0] <= between <= loaded_at[1] <= after


def test_a_table_folder_lands_each_file_and_cannot_sit_beside_a_file(tmp_path):
    data = tmp_path / "exports"
    write(
        data / "shop_orders" / "2024-01.csv",
        ORDERS_HEADER,
        "O1,C1,2024-01-01,10,completed",
        "O2,C2,2024-01-02,10,completed",
    )
    with gzip.open(data / "shop_orders" / "2024-02.csv.gz", "wt", encoding="utf-8") as handle:
        handle.write(
            f"{ORDERS_HEADER}\n"
            "O3,C3,2024-02-01,10,completed\n"
            'O9,"C9,2024-02-02,10,completed\n'  # line 3: a quote never closed
            "O4,C4,2024-02-03,10,completed\n"
        )
    db = tmp_path / "w.duckdb"
    load_raw.load_directory(data, db, quiet=True)
    assert rows(db, "select order_id, _source_file, _row_number from raw.shop_orders") == [
        ("O1", "shop_orders/2024-01.csv", 1),
        ("O2", "shop_orders/2024-01.csv", 2),
        ("O3", "shop_orders/2024-02.csv.gz", 1),
        ("O4", "shop_orders/2024-02.csv.gz", 2),
    ]
    assert rows(db, "select source_file, line, error_type from raw._load_rejects") == [
        ("shop_orders/2024-02.csv.gz", 3, "UNTERMINATED QUOTE")
    ]

    orders(data, 1)  # shop_orders.csv beside shop_orders/
    assert problems_of(data, db) == [
        "shop_orders: 2 exports found (shop_orders.csv, shop_orders/); keep only one"
    ]
