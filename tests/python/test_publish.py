"""Write, audit, publish: what reaches the published files when the input or the run goes wrong.

Every build here starts from the hand-written exports of tests/exports/e2e (CSAT February 2024:
R6 scores 2, R7 scores 4 on 1-5 -> 1 satisfied of 2 = 50 %). A published warehouse is the
DuckDB file, its manifest and the Parquet version `current` points to; "byte-identical" below
compares the bytes of all three.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import publish
import pytest
import run_warehouse
from conftest import FIXTURES, rows

E2E = FIXTURES / "e2e"
CSAT_FEB = (
    "select value from marts.kpi_values where kpi_id = 'csat' and period_grain = 'month'"
    " and period_start = '2024-02-01' and dimension = 'all'"
)
RESPONSE_HEADER = (
    "response_id,invitation_id,survey_type,customer_id,ticket_id,responded_at,score,"
    "scale_min,scale_max,comment\n"
)
# a reader that holds the published file open: prints CSAT February on every line it reads
# ("reconnect" first opens a new connection)
READER = """
import sys, duckdb
path, sql = sys.argv[1], sys.argv[2]
con = duckdb.connect(path, read_only=True)
for line in sys.stdin:
    if line.strip() == "reconnect":
        con.close()
        con = duckdb.connect(path, read_only=True)
    print(con.execute(sql).fetchone()[0], flush=True)
"""


def published_bytes(db: Path) -> dict[str, str]:
    """sha256 of every published file: the DuckDB file, the manifest, the current Parquet."""
    layout = publish.Layout(db)
    files = [db, layout.manifest, *sorted(layout.parquet_current.resolve().rglob("*"))]
    return {
        str(path.relative_to(db.parent)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in files
        if path.is_file()
    }


def build(data: Path, db: Path, *extra: str) -> int:
    return run_warehouse.main(
        ["--data", str(data), "--db", str(db), "--no-summary", "--demo-salt", *extra]
    )


def csat_feb(db: Path) -> float:
    return rows(db, CSAT_FEB)[0][0]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The e2e exports built and published once (with both gates); tests work on copies."""
    db = tmp_path_factory.mktemp("publish_base") / "wh.duckdb"
    assert build(E2E, db) == 0
    return db


@pytest.fixture
def warehouse(base: Path, tmp_path: Path) -> Path:
    """A copy of the base warehouse (published files and build state) of this test's own."""
    folder = tmp_path / "warehouse"
    shutil.copytree(base.parent, folder, symlinks=True)
    return folder / base.name


def exports_with(tmp_path: Path, name: str, responses: str) -> Path:
    """The e2e exports plus survey responses (CSV lines without header)."""
    data = tmp_path / name
    shutil.copytree(E2E, data)
    with (data / "survey_responses.csv").open("a", encoding="utf-8") as handle:
        handle.write(responses)
    return data


def batch_of(tmp_path: Path, name: str, files: dict[str, str]) -> Path:
    data = tmp_path / name
    data.mkdir()
    for file_name, text in files.items():
        (data / file_name).write_text(text, encoding="utf-8")
    return data


def test_published_file_holds_marts_audit_and_reference_only(base):
    schemas = rows(base, "select distinct schema_name from duckdb_tables() order by 1")
    assert schemas == [("audit",), ("marts",), ("reference",)]
    assert csat_feb(base) == 50.0
    # the Parquet copy holds the same rows as the DuckDB file
    parquet = publish.Layout(base).parquet_current / "marts" / "kpi_values.parquet"
    con = duckdb.connect()
    try:
        con.execute("attach ? as published (read_only)", [str(base)])
        difference = con.execute(
            "select count(*) from (select * from read_parquet(?)"
            " except all select * from published.marts.kpi_values)",
            [str(parquet)],
        ).fetchone()
        counts = con.execute(
            "select (select count(*) from read_parquet(?)),"
            " (select count(*) from published.marts.kpi_values)",
            [str(parquet)],
        ).fetchone()
    finally:
        con.close()
    assert difference == (0,)
    assert counts[0] == counts[1] > 0


def test_manifest_states_what_was_published(base):
    manifest = publish.json.loads(publish.Layout(base).manifest.read_text(encoding="utf-8"))
    assert manifest["source_directory"] == str(E2E)
    assert manifest["mode"] == "full"
    # e2e: 11 ticket rows, 18 survey responses in load batch 1
    batch = manifest["load_batches"][0]
    assert batch["load_batch"] == 1
    assert batch["data_dir"] == str(E2E)
    assert batch["tables"]["helpdesk_tickets"] == {
        "files": ["helpdesk_tickets.csv"],
        "rows": 11,
        "unreadable_lines": 0,
    }
    # CH2 has 10 fields for 9 columns: 1 row landed, 1 unreadable line
    assert batch["tables"]["chat_sessions"] == {
        "files": ["chat_sessions.csv"],
        "rows": 1,
        "unreadable_lines": 1,
    }
    assert len(batch["tables"]) == 11  # e2e has no engagement, task attempt or QA export
    assert manifest["tables"]["marts.fct_tickets"] == 9  # T1-T9 (T10 quarantined)
    assert manifest["gates"]["raw"]["failures"] == 0
    assert manifest["gates"]["marts"]["failures"] == 0
    assert len(manifest["commit"].split("+")[0]) == 40
    # the Parquet version carries the same manifest
    copy = publish.Layout(base).parquet_current / "manifest.json"
    assert publish.json.loads(copy.read_text(encoding="utf-8")) == manifest


def test_a_rejected_append_is_rolled_back_and_never_built(warehouse, tmp_path, capsys):
    before = published_bytes(warehouse)
    # three new tickets, every one on an unknown channel: the raw gate rejects the batch
    rejected = batch_of(
        tmp_path,
        "rejected",
        {
            "helpdesk_tickets.csv": (
                "ticket_id,customer_id,channel,category,priority,created_at,"
                "assignee_agent_id,status\n"
                "T20,C1,fax,billing,normal,2024-02-20T09:00:00Z,A1,open\n"
                "T21,C1,fax,billing,normal,2024-02-20T10:00:00Z,A1,open\n"
                "T22,C1,fax,billing,normal,2024-02-20T11:00:00Z,A1,open\n"
            )
        },
    )
    assert build(rejected, warehouse, "--append") == 1
    err = capsys.readouterr().err
    assert "the raw data-quality gate failed" in err
    assert "nothing was published" in err
    assert published_bytes(warehouse) == before
    # the next good batch (one CSAT answer of 5 in February) builds without the rejected one
    good = batch_of(
        tmp_path,
        "good",
        {"survey_responses.csv": RESPONSE_HEADER + "R30,,csat,C6,,2024-02-20T13:00:00Z,5,1,5,\n"},
    )
    assert build(good, warehouse, "--append") == 0
    tickets = rows(warehouse, "select ticket_id from marts.fct_tickets where ticket_id >= 'T2'")
    assert ("T20",) not in tickets
    assert rows(warehouse, "select count(*) from marts.fct_tickets") == [(9,)]
    # CSAT February: R6 2, R7 4, R30 5 -> 2 satisfied of 3
    assert csat_feb(warehouse) == pytest.approx(200 / 3)
    manifest = publish.json.loads(publish.Layout(warehouse).manifest.read_text("utf-8"))
    assert [batch["load_batch"] for batch in manifest["load_batches"]] == [1, 2]
    assert manifest["load_batches"][1]["tables"] == {
        "survey_responses": {"files": ["survey_responses.csv"], "rows": 1, "unreadable_lines": 0}
    }


def test_a_dbt_failure_part_way_publishes_nothing(warehouse, tmp_path, capsys, monkeypatch):
    before = published_bytes(warehouse)
    data = exports_with(tmp_path, "more", "R30,,csat,C6,,2024-02-20T13:00:00Z,5,1,5,\n")
    dbt_command = run_warehouse.dbt_command
    # the KPI publication models fail (a var that is no number); the facts build before them
    monkeypatch.setattr(
        run_warehouse,
        "dbt_command",
        lambda *args: dbt_command(*args, "--vars", "{kpi_min_sample_size: no_such_column}"),
    )
    assert build(data, warehouse) == 2
    err = capsys.readouterr().err
    assert "`" in err and "build` failed" in err
    assert published_bytes(warehouse) == before
    kept = publish.Layout(warehouse).failed_dir
    failed = sorted(kept.glob("*.duckdb"))
    assert len(failed) == 1
    assert f"kept for inspection: {failed[0]}" in err
    # the failed build got as far as the facts: R30 reached fct_survey_responses there only
    kept_rows = rows(failed[0], "select count(*) from marts.fct_survey_responses")
    published_rows = rows(warehouse, "select count(*) from marts.fct_survey_responses")
    assert kept_rows[0][0] == published_rows[0][0] + 1
    assert csat_feb(warehouse) == 50.0


def test_kill_9_during_dbt_leaves_the_published_files_intact(warehouse, tmp_path):
    before = published_bytes(warehouse)
    data = exports_with(tmp_path, "more", "R30,,csat,C6,,2024-02-20T13:00:00Z,5,1,5,\n")
    command = [sys.executable, str(run_warehouse.SCRIPTS / "run_warehouse.py")]
    command += ["--data", str(data), "--db", str(warehouse), "--no-summary", "--demo-salt"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("==> 4/9 dbt build"):
            break
    time.sleep(4)  # dbt is building models
    os.kill(process.pid, signal.SIGKILL)  # the build process only: dbt must die with it
    process.wait()
    assert published_bytes(warehouse) == before
    # the next run works without manual cleanup and says where the killed build went
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    kept = sorted(publish.Layout(warehouse).failed_dir.glob("*.duckdb"))
    assert len(kept) == 1
    assert f"an interrupted build was kept for inspection: {kept[0]}" in result.stdout
    assert csat_feb(warehouse) == pytest.approx(200 / 3)  # R6 2, R7 4, R30 5


def test_a_second_build_stops_with_a_clear_message(warehouse, tmp_path, capsys):
    before = published_bytes(warehouse)
    lock = publish.BuildLock(publish.Layout(warehouse))
    lock.acquire(wait=False)
    try:
        assert build(E2E, warehouse) == 3
    finally:
        lock.release()
    err = capsys.readouterr().err
    assert f"another build of {warehouse} is running (pid {os.getpid()}" in err
    assert "nothing was changed" in err
    assert published_bytes(warehouse) == before


def test_a_reader_never_blocks_a_build_and_keeps_its_snapshot(warehouse, tmp_path, monkeypatch):
    """A second process holds the published file open during a full build and an append: both
    builds succeed; the reader sees the old value until it reconnects, then the new one. The
    exports sit in a folder whose name has spaces, quotes and a semicolon, and the salt is a
    deployment secret from the environment."""
    db = warehouse  # the e2e exports, published
    folder = tmp_path / 'my "exports"; drop table x'
    monkeypatch.setenv(run_warehouse.SALT_VARIABLE, "s3cret")
    data = exports_with(folder, "full", "R30,,csat,C6,,2024-02-20T13:00:00Z,5,1,5,\n")
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), CSAT_FEB],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdin is not None and reader.stdout is not None

    def ask(command: str = "read") -> float:
        reader.stdin.write(command + "\n")
        reader.stdin.flush()
        return float(reader.stdout.readline())

    try:
        assert ask() == 50.0
        assert build(data, db) == 0  # full build: R30 (5) added -> 2 of 3
        assert ask() == 50.0
        assert ask("reconnect") == pytest.approx(200 / 3)
        batch = batch_of(
            folder,
            "day",
            {
                "survey_responses.csv": RESPONSE_HEADER
                + "R31,,csat,C6,,2024-02-21T13:00:00Z,1,1,5,\n"
            },
        )
        assert build(batch, db, "--append") == 0  # R31 (1) -> 2 of 4
        assert ask() == pytest.approx(200 / 3)
        assert ask("reconnect") == 50.0
    finally:
        reader.stdin.close()
        reader.wait(timeout=30)
    # customer_key is md5 of the secret salt, '|' and the customer id
    assert rows(
        db, "select count(*) from marts.dim_customers where customer_key = md5('s3cret|C1')"
    )[0] == (1,)


def test_no_salt_stops_before_anything_is_built(warehouse, capsys, monkeypatch):
    before = published_bytes(warehouse)
    monkeypatch.delenv(run_warehouse.SALT_VARIABLE, raising=False)
    monkeypatch.delenv(run_warehouse.SALT_FILE_VARIABLE, raising=False)
    code = run_warehouse.main(["--data", str(E2E), "--db", str(warehouse), "--no-summary"])
    assert code == 1
    assert "no pseudonymisation salt: set CX_PSEUDONYMISATION_SALT" in capsys.readouterr().err
    assert published_bytes(warehouse) == before


def test_the_salt_comes_from_a_file_outside_the_repository(tmp_path, monkeypatch):
    monkeypatch.delenv(run_warehouse.SALT_VARIABLE, raising=False)
    salt_file = tmp_path / "salt"
    salt_file.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv(run_warehouse.SALT_FILE_VARIABLE, str(salt_file))
    assert run_warehouse.pseudonymisation_salt(demo=False) == "from-a-file"
    salt_file.write_text("", encoding="utf-8")
    with pytest.raises(run_warehouse.StepFailed, match=f"the salt file {salt_file} is empty"):
        run_warehouse.pseudonymisation_salt(demo=False)


def drop_column(path: Path, column: str) -> None:
    """Rewrite a CSV export without one column."""
    lines = [line.split(",") for line in path.read_text(encoding="utf-8").splitlines()]
    index = lines[0].index(column)
    path.write_text("".join(",".join(r[:index] + r[index + 1 :]) + "\n" for r in lines), "utf-8")


def empty_folder(data: Path) -> None:
    for path in data.iterdir():
        path.unlink()


def header_only_responses(data: Path) -> None:
    (data / "survey_responses.csv").write_text(RESPONSE_HEADER, encoding="utf-8")


def misnamed_tickets(data: Path) -> None:
    (data / "helpdesk_tickets.csv").rename(data / "helpdesk_ticket.csv")


def upper_case_extension(data: Path) -> None:
    (data / "survey_responses.csv").rename(data / "survey_responses.CSV")


def two_exports(data: Path) -> None:
    con = duckdb.connect()
    try:
        con.execute(
            "copy (select * from read_csv(?, all_varchar = true)) to ? (format parquet)",
            [str(data / "shop_orders.csv"), str(data / "shop_orders.parquet")],
        )
    finally:
        con.close()


def missing_priority(data: Path) -> None:
    drop_column(data / "helpdesk_tickets.csv", "priority")


def unknown_channels(data: Path) -> None:
    """Every ticket on a channel the contract does not know: the raw gate rejects the export
    (staging alone would quarantine them one by one and publish a warehouse without tickets)."""
    path = data / "helpdesk_tickets.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    fields = [line.split(",") for line in lines]
    for row in fields[1:]:
        row[2] = "fax"
    path.write_text("".join(",".join(row) + "\n" for row in fields), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (empty_folder, "holds no export of any contract table"),
        (
            header_only_responses,
            "survey_responses: survey_responses.csv has no rows, but the last load had 18 rows",
        ),
        (
            misnamed_tickets,
            "helpdesk_tickets: file helpdesk_ticket.csv looks like a misnamed helpdesk_tickets",
        ),
        (
            upper_case_extension,
            "survey_responses: file survey_responses.CSV looks like a misnamed survey_responses",
        ),
        (
            two_exports,
            "shop_orders: 2 exports found (shop_orders.csv, shop_orders.parquet); keep only one",
        ),
        (
            missing_priority,
            "helpdesk_tickets.priority: column missing from helpdesk_tickets.csv (a KPI needs it",
        ),
        # a full run: the gate judges the new export before anything is replaced
        (unknown_channels, "FAIL raw.helpdesk_tickets.channel expect_column_values_to_be_in_set"),
    ],
)
def test_a_rejected_export_changes_nothing(warehouse, tmp_path, capsys, change, message):
    """Each export problem of the issue stops the run at landing, with the table, column or
    file and the reason, before anything is built; the published files stay byte-identical
    and still reconcile (e2e: 11 ticket rows = 9 staged + 1 duplicate + 1 quarantined)."""
    before = published_bytes(warehouse)
    data = tmp_path / "exports"
    shutil.copytree(E2E, data)
    change(data)
    assert build(data, warehouse) == 1
    captured = capsys.readouterr()
    assert message in captured.err + captured.out
    assert "nothing was published" in captured.err
    assert published_bytes(warehouse) == before
    assert rows(
        warehouse,
        "select raw_rows, staged_rows, duplicate_rows, quarantined_rows"
        " from audit.audit_row_reconciliation where source_table = 'helpdesk_tickets'",
    ) == [(11, 9, 1, 1)]


def test_allow_missing_accepts_a_table_that_is_empty_now(warehouse, tmp_path):
    """--allow-missing survey_responses: the header-only export is expected; the build
    publishes no CSAT, NPS or CES row (every response is gone) and the rest as before."""
    data = tmp_path / "exports"
    shutil.copytree(E2E, data)
    header_only_responses(data)
    assert build(data, warehouse, "--allow-missing", "survey_responses") == 0
    assert rows(
        warehouse, "select count(*) from marts.kpi_values where kpi_id in ('csat', 'nps', 'ces')"
    ) == [(0,)]
    assert rows(
        warehouse,
        "select value from marts.kpi_values where kpi_id = 'churn_rate'"
        " and period_grain = 'month' and period_start = '2024-01-01' and dimension = 'all'",
    ) == [(20.0,)]


def test_a_failed_marts_gate_publishes_nothing(warehouse, tmp_path, capsys, monkeypatch):
    """The marts gate judges the working copy after dbt and before publishing: when it fails,
    the new build (with R30) is kept for inspection and the published CSAT stays 50 %."""
    before = published_bytes(warehouse)
    data = exports_with(tmp_path, "more", "R30,,csat,C6,,2024-02-20T13:00:00Z,5,1,5,\n")
    validate = run_warehouse.validate_quality.validate

    def failing_marts_gate(db_path: Path, suite: str, *args: object, **kwargs: object) -> object:
        report = validate(db_path, suite, *args, **kwargs)
        if suite == "marts":  # what the gate found in the working copy: R30's answer
            assert rows(db_path, CSAT_FEB)[0][0] == pytest.approx(200 / 3)
            failure = run_warehouse.validate_quality.Failure(
                "marts", "kpi_values", "value", "expect_column_values_to_be_between", "injected"
            )
            report.tables[0].failures.append(failure)
        return report

    monkeypatch.setattr(run_warehouse.validate_quality, "validate", failing_marts_gate)
    assert build(data, warehouse) == 1
    err = capsys.readouterr().err
    assert "the marts data-quality gate failed" in err
    assert published_bytes(warehouse) == before
    assert csat_feb(warehouse) == 50.0
    kept = sorted(publish.Layout(warehouse).failed_dir.glob("*.duckdb"))
    assert len(kept) == 1 and f"kept for inspection: {kept[0]}" in err


def test_dbt_opens_the_working_copy_of_every_warehouse_by_one_path(tmp_path, monkeypatch):
    """dbt parses the project again when its database path changes: every build's working copy
    is reached through target/work/build.duckdb, a link to that build's work folder."""
    link = tmp_path / "target" / "work"
    monkeypatch.setattr(run_warehouse, "WORK_LINK", link)
    for name in ("first", "second"):
        work = tmp_path / f"{name}.build" / "work" / "build.duckdb"
        work.parent.mkdir(parents=True)
        path = run_warehouse.link_work_dir(work)
        assert path == link / "build.duckdb"
        assert path.parent.resolve() == work.parent.resolve()


def test_a_second_build_from_the_project_folder_is_refused(tmp_path):
    """The link and dbt's target folder serve one build at a time, whatever the warehouse."""
    lock_file = tmp_path / "target" / ".build.lock"
    what = "another build from this project folder"
    first = publish.BuildLock(publish.Layout(tmp_path / "a.duckdb"), lock_file, what)
    first.acquire(wait=False)
    try:
        second = publish.BuildLock(publish.Layout(tmp_path / "b.duckdb"), lock_file, what)
        with pytest.raises(publish.BuildBusy, match=f"{what} is running \\(pid {os.getpid()}"):
            second.acquire(wait=False)
    finally:
        first.release()
