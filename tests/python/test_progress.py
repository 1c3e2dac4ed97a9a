"""Readable progress: run_warehouse.py shows a compact dbt summary, keeps dbt's full output in a
log file, and still names every failing node with its message (scripts/dbt_progress.py)."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import dbt_progress  # noqa: E402
import run_warehouse  # noqa: E402


def result(unique_id: str, status: str, seconds: float, message: str = "") -> dict:
    return {"unique_id": unique_id, "status": status, "execution_time": seconds, "message": message}


# A hand-written run_results.json: 6 models (the sixth slowest, dim_date, falls out of the 5
# slowest), 1 seed, 3 data tests (2 pass, 1 fails), 1 unit test (passes): 11 nodes in 42.5 s.
RUN_RESULTS = {
    "elapsed_time": 42.5,
    "results": [
        result("seed.cx_warehouse.kpi_targets", "success", 0.3),
        result("model.cx_warehouse.stg_helpdesk__tickets", "success", 1.25),
        result("model.cx_warehouse.fct_tickets", "success", 3.5),
        result("model.cx_warehouse.kpi_values", "success", 7.04),
        result("model.cx_warehouse.agent_monthly_performance", "success", 2.0),
        result("model.cx_warehouse.int_kpi_aggregates__observations", "success", 5.96),
        result("model.cx_warehouse.dim_date", "success", 0.2),
        result("test.cx_warehouse.not_null_fct_tickets_ticket_id.6b8c1a2f", "pass", 0.1),
        result("test.cx_warehouse.unique_fct_tickets_ticket_id.0d1e2f3a", "pass", 0.1),
        result(
            "test.cx_warehouse.accepted_values_fct_tickets_channel.9f8e7d6c",
            "fail",
            0.2,
            "Got 3 results, configured to fail if != 0",
        ),
        result("unit_test.cx_warehouse.kpi_values.csat_share", "pass", 0.4),
    ],
}


def test_the_summary_counts_nodes_names_the_5_slowest_models_and_the_failing_test():
    assert dbt_progress.summary_lines(RUN_RESULTS) == [
        # sorted by resource type: model (6), seed (1), test (3), unit_test (1)
        "    dbt: 6 models, 1 seed, 3 data tests, 1 unit test in 42.5 s",
        # passed = 7 success (1 seed + 6 models) + 3 pass (2 tests + 1 unit test) = 10
        "    passed 10, warned 0, failed 1, skipped 0",
        # 7.04, 5.96, 3.5, 2.0, 1.25 s; dim_date (0.2 s) is the sixth
        "    slowest models: kpi_values 7.0 s, int_kpi_aggregates__observations 6.0 s,"
        " fct_tickets 3.5 s, agent_monthly_performance 2.0 s, stg_helpdesk__tickets 1.2 s",
        "    FAIL test accepted_values_fct_tickets_channel:",
        "        Got 3 results, configured to fail if != 0",
    ]


def test_a_model_error_prints_its_name_and_every_line_of_its_message():
    run_results = {
        "elapsed_time": 3.0,
        "results": [
            result("model.cx_warehouse.fct_tickets", "success", 1.0),
            result(
                "model.cx_warehouse.kpi_values",
                "error",
                0.5,
                "Runtime Error in model kpi_values (models/metrics/kpis/kpi_values.sql)\n"
                '  Binder Error: Referenced column "no_such_column" not found',
            ),
            result("model.cx_warehouse.team_monthly_performance", "skipped", 0.0),
        ],
    }
    assert dbt_progress.summary_lines(run_results) == [
        "    dbt: 3 models in 3.0 s",
        "    passed 1, warned 0, failed 1, skipped 1",
        "    slowest models: fct_tickets 1.0 s, kpi_values 0.5 s, team_monthly_performance 0.0 s",
        "    ERROR model kpi_values:",
        "        Runtime Error in model kpi_values (models/metrics/kpis/kpi_values.sql)",
        '        Binder Error: Referenced column "no_such_column" not found',
    ]


FAKE_DBT = """\
import json, os, sys
print("07:41:02  Running with dbt=1.11.16")
print("07:41:03  1 of 2 START sql table model marts.fct_tickets ........ [RUN]")
print("07:41:04  1 of 2 OK created sql table model marts.fct_tickets ... [OK in 1.00s]")
print("07:41:05  2 of 2 ERROR creating sql table model marts.kpi_values  [ERROR in 0.50s]")
if os.environ["FAKE_RESULTS"]:
    with open(os.environ["FAKE_RESULTS"], "w") as handle:
        handle.write(os.environ["FAKE_RUN_RESULTS"])
else:
    print("Compilation Error in model kpi_values (models/metrics/kpis/kpi_values.sql)")
    print("  'no_such_macro' is undefined")
sys.exit(1)
"""


@pytest.fixture
def fake_dbt(tmp_path) -> Path:
    """A stand-in for dbt that prints dbt-like progress lines, writes the run_results.json of
    FAKE_RUN_RESULTS (when FAKE_RESULTS names a file) and exits 1."""
    script = tmp_path / "dbt"
    script.write_text(f"#!{sys.executable}\n{FAKE_DBT}", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_a_failing_dbt_run_prints_the_failing_node_and_logs_the_full_output(
    fake_dbt, tmp_path, capsys, monkeypatch
):
    target, log = tmp_path / "target", tmp_path / "dbt.log"
    target.mkdir()
    run_results = {
        "elapsed_time": 1.5,
        "results": [
            result("model.cx_warehouse.fct_tickets", "success", 1.0),
            result("model.cx_warehouse.kpi_values", "error", 0.5, "Binder Error: no_such_column"),
        ],
    }
    monkeypatch.setenv("FAKE_RESULTS", str(target / "run_results.json"))
    monkeypatch.setenv("FAKE_RUN_RESULTS", json.dumps(run_results))
    (target / "run_results.json").write_text('{"results": []}')  # an earlier run's: ignored
    with pytest.raises(run_warehouse.StepFailed) as failure:
        run_warehouse.run_dbt_step([str(fake_dbt), "build"], dict(os.environ), target, log)
    assert failure.value.code == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "    dbt: 2 models in 1.5 s",
        "    passed 1, warned 0, failed 1, skipped 0",
        "    slowest models: fct_tickets 1.0 s, kpi_values 0.5 s",
        "    ERROR model kpi_values:",
        "        Binder Error: no_such_column",
        f"    full dbt log: {log}",
    ]
    assert err == f"error: `dbt build` failed (exit 1); full log: {log}\n"
    # dbt's own lines are in the log, not on the terminal
    logged = log.read_text(encoding="utf-8").splitlines()
    assert logged[1] == f"$ {fake_dbt} build"
    assert logged[3] == "07:41:03  1 of 2 START sql table model marts.fct_tickets ........ [RUN]"
    assert len(logged) == 6  # blank, command, 4 dbt lines


def test_a_dbt_failure_before_any_node_prints_the_end_of_dbts_output(
    fake_dbt, tmp_path, capsys, monkeypatch
):
    target, log = tmp_path / "target", tmp_path / "dbt.log"
    target.mkdir()
    monkeypatch.setenv("FAKE_RESULTS", "")  # a compilation error: no run_results.json
    monkeypatch.setenv("FAKE_RUN_RESULTS", "")
    with pytest.raises(run_warehouse.StepFailed):
        run_warehouse.run_dbt_step([str(fake_dbt), "build"], dict(os.environ), target, log)
    out, err = capsys.readouterr()
    assert out == f"    full dbt log: {log}\n"
    # the 6 non-blank lines dbt printed, the compilation error last
    assert err.splitlines()[-3:] == [
        "    | Compilation Error in model kpi_values (models/metrics/kpis/kpi_values.sql)",
        "    |   'no_such_macro' is undefined",
        f"error: `dbt build` failed (exit 1); full log: {log}",
    ]
    assert len(err.splitlines()) == 7


def test_the_progress_line_shows_the_node_without_dbts_dot_leader(fake_dbt, tmp_path, capsys):
    code, tail = dbt_progress.run_dbt(
        [str(fake_dbt)],
        {**os.environ, "FAKE_RESULTS": "", "FAKE_RUN_RESULTS": ""},
        tmp_path,
        tmp_path / "dbt.log",
        show_progress=True,
    )
    assert code == 1
    assert tail[-1] == "  'no_such_macro' is undefined"
    shown = capsys.readouterr().out.split("\r")
    # 3 progress updates (START, OK, ERROR), each padded to 60 characters, then the line is wiped
    assert [line.rstrip() for line in shown[1:4]] == [
        "    [   1/2] sql table model marts.fct_tickets",
        "    [   1/2] created sql table model marts.fct_tickets",
        "    [   2/2] creating sql table model marts.kpi_values  [ERROR in 0.50s]",
    ]
