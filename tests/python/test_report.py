"""The KPI report shows the warehouse's numbers: values, units, changes, targets, breakdowns and
scorecards of a small hand-made warehouse (no dbt), and it needs nothing from the network."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
import report
import run_warehouse

KPI_VALUES_COLUMNS = (
    "kpi_id varchar, period_grain varchar, period_start date, dimension varchar,"
    " dimension_value varchar, value double, p50_value double, p90_value double,"
    " numerator double, denominator double, ci_low double, ci_high double,"
    " is_low_sample boolean, target_value double, is_target_met boolean,"
    " previous_value double, change double"
)


def kpi_row(
    kpi_id: str,
    period_start: str,
    value: float | None,
    *,
    grain: str = "month",
    dimension: str = "all",
    dimension_value: str = "all",
    denominator: float | None = None,
    ci: tuple[float, float] | None = None,
    is_low_sample: bool = False,
    target: float | None = None,
    is_target_met: bool | None = None,
    previous: float | None = None,
) -> tuple:
    change = None if previous is None or value is None else value - previous
    low, high = ci if ci else (None, None)
    return (
        kpi_id,
        grain,
        date.fromisoformat(period_start),
        dimension,
        dimension_value,
        value,
        None,
        None,
        None,
        denominator,
        low,
        high,
        is_low_sample,
        target,
        is_target_met,
        previous,
        change,
    )


def csat_rows() -> list[tuple]:
    """14 months of csat, 2024-02 .. 2025-03: the chart keeps the last 13 (2024-03 .. 2025-03).
    Every month 30/40 = 75.0 %, except 2024-06 (15/20, a low sample: 20 < 30), 2025-02
    (41/52 = 78.846 %) and 2025-03 (39/46 = 84.783 %, change 84.783 - 78.846 = +5.94 pp)."""
    rows = []
    months = [f"2024-{m:02d}-01" for m in range(2, 13)] + ["2025-01-01"]
    for month in months:
        low_sample = month == "2024-06-01"
        rows.append(
            kpi_row(
                "csat",
                month,
                75.0,
                denominator=20 if low_sample else 40,
                ci=(60.0, 90.0),
                is_low_sample=low_sample,
                target=80.0,
                is_target_met=False,
            )
        )
    rows.append(
        kpi_row("csat", "2025-02-01", 41 / 52 * 100, denominator=52, target=80.0, previous=75.0)
    )
    rows.append(
        kpi_row(
            "csat",
            "2025-03-01",
            39 / 46 * 100,
            denominator=46,
            ci=(71.78, 92.43),
            target=80.0,
            is_target_met=True,
            previous=41 / 52 * 100,
        )
    )
    # other grains are not in the report
    rows.append(kpi_row("csat", "2025-03-03", 1.0, grain="week", denominator=5))
    return rows


def breakdown_rows() -> list[tuple]:
    by = {"dimension": "channel"}
    return [
        # csat by channel and team, latest month 2025-03; chat is a low sample (10 < 30)
        kpi_row(
            "csat",
            "2025-03-01",
            90.0,
            dimension_value="chat",
            denominator=10,
            is_low_sample=True,
            **by,
        ),
        kpi_row("csat", "2025-03-01", 80.0, dimension_value="email", denominator=30, **by),
        kpi_row("csat", "2025-02-01", 50.0, dimension_value="chat", denominator=30, **by),
        kpi_row(
            "csat", "2025-03-01", 82.5, dimension="team", dimension_value="Billing", denominator=40
        ),
        kpi_row(
            "first_response_time",
            "2025-03-01",
            7200.0,
            dimension_value="chat",
            denominator=12,
            **by,
        ),
        # channel_share has no overall value: its chart is drawn by channel
        kpi_row("channel_share", "2025-02-01", 20.0, dimension_value="chat", **by),
        kpi_row("channel_share", "2025-03-01", 25.0, dimension_value="chat", **by),
        kpi_row("channel_share", "2025-03-01", 75.0, dimension_value="phone", **by),
    ]


def make_warehouse(path: Path, *, with_scorecards: bool = True) -> Path:
    con = duckdb.connect(str(path))
    con.execute("create schema reference; create schema marts")
    con.execute(
        "create table reference.kpi_definitions (kpi_id varchar, kpi_family varchar,"
        " unit varchar, method varchar, good_direction varchar, value_min double,"
        " value_max double, definition varchar)"
    )
    con.executemany(
        "insert into reference.kpi_definitions values (?, ?, ?, 'x', ?, null, null, ?)",
        [
            ("csat", "perception", "percent", "higher", "satisfied share"),
            ("first_response_time", "speed", "seconds", "lower", "first reply"),
            ("aht", "speed", "seconds", "lower", "handle time"),
            ("asa", "speed", "seconds", "lower", "speed of answer"),
            ("channel_share", "volume", "percent", "higher", "share of contacts"),
            ("backlog", "volume", "count", "lower", "open tickets"),
        ],
    )
    con.execute(f"create table marts.kpi_values ({KPI_VALUES_COLUMNS})")
    rows = csat_rows() + breakdown_rows()
    # first_response_time 6 h -> 5 h (21,600 s -> 18,000 s): change -3,600 s = -1.0 h, target
    # 4 h (14,400 s) missed; aht 540 s = 9.0 min (target 600 s = 10.0 min, met); asa 45 s
    rows.append(
        kpi_row("first_response_time", "2025-02-01", 21600.0, denominator=100, target=14400.0)
    )
    rows.append(
        kpi_row(
            "first_response_time",
            "2025-03-01",
            18000.0,
            denominator=90,
            target=14400.0,
            is_target_met=False,
            previous=21600.0,
        )
    )
    rows.append(
        kpi_row("aht", "2025-03-01", 540.0, denominator=200, target=600.0, is_target_met=True)
    )
    rows.append(
        kpi_row("asa", "2025-03-01", 45.0, denominator=200, target=60.0, is_target_met=True)
    )
    con.executemany(f"insert into marts.kpi_values values ({', '.join(['?'] * 17)})", rows)
    if with_scorecards:
        con.execute(
            "create table marts.team_monthly_performance (month_start date, team varchar,"
            " handled_volume double, handled_volume_sample_size double,"
            " first_response_time double, first_response_time_sample_size double,"
            " csat double, csat_sample_size double, kpi_rows bigint)"
        )
        con.executemany(
            "insert into marts.team_monthly_performance values (?, ?, ?, ?, ?, ?, ?, ?, 3)",
            [
                (date(2025, 3, 1), "Billing", 120, 120, 7200, 100, 82.5, 40),
                (date(2025, 3, 1), "Frontline", 80, 80, 1800, 70, 86.0, 6),
                (date(2025, 2, 1), "Billing", 999, 999, 99, 9, 9.0, 9),
            ],
        )
        con.execute(
            "create table marts.agent_monthly_performance (month_start date, agent_id varchar,"
            " team varchar, handled_volume double, handled_volume_sample_size double,"
            " team_handled_volume double, first_response_time double,"
            " first_response_time_sample_size double, team_first_response_time double,"
            " csat double, csat_sample_size double, team_csat double, kpi_rows bigint)"
        )
        con.executemany(
            "insert into marts.agent_monthly_performance"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 3)",
            [
                (date(2025, 3, 1), "a1", "Billing", 70, 70, 120, 9000, 60, 7200, 80.0, 25, 82.5),
                (date(2025, 3, 1), "a2", "Frontline", 80, 80, 80, 1800, 70, 1800, None, 0, 86.0),
            ],
        )
    con.close()
    return path


class Cells(HTMLParser):
    """The text of every <td>, keyed by (table id, row key, cell key): the row key is the
    row's data-kpi-id or data-key; the cell key its first class, data-value or data-metric."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[str, str, str], str] = {}
        self.table = self.row = ""
        self.cell: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "table":
            self.table = found.get("id", "")
        elif tag == "tr":
            self.row = found.get("data-kpi-id") or found.get("data-key", "")
        elif tag == "td":
            classes = found.get("class", "").split()
            self.cell = (
                found.get("data-value")
                or found.get("data-metric")
                or (classes[0] if classes else "")
            )
            self.text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.cell is not None:
            self.cells[(self.table, self.row, self.cell)] = "".join(self.text).strip()
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.text.append(data)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("report")
    db = make_warehouse(folder / "w.duckdb")
    out = folder / "site" / "index.html"
    assert report.main(["--db", str(db), "--out", str(out), "--quiet"]) == 0
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cells(page) -> dict[tuple[str, str, str], str]:
    parser = Cells()
    parser.feed(page)
    return parser.cells


def test_trend_is_the_last_13_months(tmp_path):
    data = report.read_report_data(make_warehouse(tmp_path / "w.duckdb"))
    points = data.trends["csat"].points
    # 14 monthly rows 2024-02 .. 2025-03: the last 13 start in 2024-03; the week row is left out
    assert len(points) == 13
    assert points[0].period_start == date(2024, 3, 1)
    assert points[-1].period_start == date(2025, 3, 1)
    assert [p.period_start for p in points if p.is_low_sample] == [date(2024, 6, 1)]
    # channel_share has no overall value: drawn by channel, 2 months of chat + 1 of phone
    assert data.trends["channel_share"].dimension == "channel"
    assert len(data.trends["channel_share"].points) == 3
    # backlog has no row at all: no chart
    assert "backlog" not in data.trends


def test_latest_month_values_units_changes_and_targets(cells):
    csat = ("latest-perception", "csat")
    # 39 / 46 = 84.78 %; change 84.78 - 78.85 = +5.94 pp; target 80 % met
    assert cells[(*csat, "value")] == "84.8 %"
    assert cells[(*csat, "month")] == "Mar 2025"
    assert cells[(*csat, "interval")] == "71.8 % – 92.4 %"
    assert cells[(*csat, "sample")] == "46"
    assert cells[(*csat, "change")] == "+5.9 pp"
    assert cells[(*csat, "target")] == "80.0 %"
    assert cells[(*csat, "status")] == "met"
    frt = ("latest-speed", "first_response_time")
    # 18,000 s = 5.0 h (the largest value, 21,600 s, is over 3 h: hours); -3,600 s = -1.0 h
    assert cells[(*frt, "value")] == "5.0 h"
    assert cells[(*frt, "change")] == "−1.0 h"
    assert cells[(*frt, "target")] == "4.0 h"
    assert cells[(*frt, "status")] == "missed"
    # 540 s = 9.0 min (over 3 min, under 3 h); 45 s stays in seconds
    assert cells[("latest-speed", "aht", "value")] == "9.0 min"
    assert cells[("latest-speed", "aht", "target")] == "10.0 min"
    assert cells[("latest-speed", "asa", "value")] == "45 s"


def test_change_is_coloured_by_the_good_direction(page):
    # csat up 5.9 pp (higher is better): good; first_response_time down 1 h (lower is
    # better): good as well
    for kpi_id in ("csat", "first_response_time"):
        row = re.search(rf'<tr data-kpi-id="{kpi_id}">(.*?)</tr>', page)
        assert row is not None
        assert '<td class="change good">' in row.group(1)


def test_breakdowns_show_the_latest_month_by_channel_and_team(cells):
    # chat 90.0 % is a low sample (10 < 30): marked with °; the February chat row (50 %) is
    # not shown; email 80.0 %
    assert cells[("by-channel-perception", "csat", "chat")] == "90.0 % °"
    assert cells[("by-channel-perception", "csat", "email")] == "80.0 %"
    assert cells[("by-team-perception", "csat", "Billing")] == "82.5 %"
    # first_response_time keeps its scale (hours): 7,200 s = 2.0 h
    assert cells[("by-channel-speed", "first_response_time", "chat")] == "2.0 h"
    assert cells[("by-channel-volume", "channel_share", "phone")] == "75.0 %"


def test_scorecards_show_the_latest_month(cells, page):
    # teams, March 2025 (the February row of Billing, 999 handled, is not shown)
    assert cells[("scorecard-teams", "Billing", "handled_volume")] == "120 n=120"
    assert cells[("scorecard-teams", "Billing", "first_response_time")] == "2.0 h n=100"
    assert cells[("scorecard-teams", "Frontline", "csat")] == "86.0 % n=6"
    # agents: 9,000 s = 2.5 h; a2 has no csat answer
    assert cells[("scorecard-agents", "a1", "first_response_time")] == "2.5 h n=60"
    assert cells[("scorecard-agents", "a2", "csat")] == "— n=0"
    assert "Teams — March 2025" in page


def test_every_kpi_with_rows_has_one_chart_with_its_id(page):
    charts = re.findall(r'<svg class="kpi-chart" data-kpi-id="([^"]+)"', page)
    # 5 of the 6 KPIs have rows (backlog has none), one chart each
    assert sorted(charts) == ["aht", "asa", "channel_share", "csat", "first_response_time"]
    assert "No monthly values yet: backlog." in page


def test_page_is_self_contained(page):
    assert "<script" not in page
    assert "<link" not in page
    assert "<img" not in page
    assert re.findall(r'\ssrc="', page) == []
    # the one link out of the page: the DECISIONLOG section, relative to the page
    external = re.findall(r'href="([^"#][^"]*)"', page)
    assert len(external) == 1
    assert external[0].endswith(
        "DECISIONLOG.md#why-the-numbers-can-differ-from-the-helpdesks-own-reports"
    )
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids repeat across charts"


def test_differences_link_is_relative_to_the_page():
    link = report.differences_link(report.DEFAULT_OUT)
    assert link == "../../DECISIONLOG.md#why-the-numbers-can-differ-from-the-helpdesks-own-reports"


def test_scales():
    assert report.scale_for("seconds", [18000.0]).format(18000.0) == "5.0 h"
    assert report.scale_for("seconds", [10799.0]).format(10799.0) == "180.0 min"
    assert report.scale_for("seconds", [179.0]).format(179.0) == "179 s"
    assert report.scale_for("percent", [5.0]).format_change(-2.26) == "−2.3 pp"
    assert report.scale_for("score", [5.4321]).format(5.4321) == "5.43"
    assert report.scale_for("count", [12.0, 7.0]).format(12.0) == "12"
    assert report.scale_for("count", [2.5]).format(2.5) == "2.50"


def test_missing_warehouse_is_an_error(tmp_path, capsys):
    assert report.main(["--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "x")]) == 2
    assert f"no warehouse at {tmp_path / 'none.duckdb'}" in capsys.readouterr().err


def test_missing_table_is_named(tmp_path, capsys):
    db = make_warehouse(tmp_path / "w.duckdb", with_scorecards=False)
    out = tmp_path / "index.html"
    assert report.main(["--db", str(db), "--out", str(out), "--quiet"]) == 2
    error = capsys.readouterr().err
    assert "has no table marts.agent_monthly_performance, marts.team_monthly_performance" in error
    assert not out.exists()


def test_run_warehouse_step_8_writes_the_report_and_names_its_charts(tmp_path, capsys):
    db = make_warehouse(tmp_path / "w.duckdb")
    out = tmp_path / "site" / "index.html"
    run_warehouse.write_kpi_report(db, out)
    # the hand-made warehouse charts aht, asa, channel_share, csat and first_response_time
    assert f"    5 charts, {out.stat().st_size / 1024:,.0f} KiB;" in capsys.readouterr().out
    assert len(re.findall(r'<svg class="kpi-chart"', out.read_text(encoding="utf-8"))) == 5


def test_run_warehouse_step_8_warns_and_goes_on_without_a_warehouse(tmp_path, capsys):
    out = tmp_path / "index.html"
    run_warehouse.write_kpi_report(tmp_path / "none.duckdb", out)  # no exception: a warning
    error = capsys.readouterr().err
    assert error.startswith("    warning: the KPI report was not written: no warehouse at ")
    assert str(tmp_path / "none.duckdb") in error
    assert not out.exists()
