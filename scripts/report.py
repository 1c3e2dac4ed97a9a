"""Write the KPI report: one static, self-contained HTML page from the published warehouse.

Reads the published DuckDB file (read-only): the registry `reference.kpi_definitions`,
`marts.kpi_values` and the scorecards `marts.agent_monthly_performance` and
`marts.team_monthly_performance`. Writes one HTML file with everything inline (charts are
matplotlib SVG, no JavaScript, no external file), so it opens offline from file://:

- one section per KPI family: the latest month of each KPI (value, 95 % interval, sample,
  change, target and its status), a trend chart of the last 13 months per KPI (95 % band,
  target line, low-sample points hollow and red), and the latest month by channel and by team;
- the agent and team scorecards of the latest month.

Durations are shown in hours, minutes or seconds (whichever suits the KPI's values), percents
with %, changes of percents in percentage points (pp). `--screenshot PNG` also saves a
screenshot of the page made with headless Chromium (the picture of the README).
"""

from __future__ import annotations

import argparse
import html
import io
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import matplotlib
from matplotlib.figure import Figure

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "warehouse" / "cx_warehouse.duckdb"
DEFAULT_OUT = PROJECT_ROOT / "target" / "report" / "index.html"
DECISIONLOG = PROJECT_ROOT / "DECISIONLOG.md"
DIFFERENCES_ANCHOR = "why-the-numbers-can-differ-from-the-helpdesks-own-reports"
TREND_MONTHS = 13
FAMILY_ORDER = ("perception", "speed", "effectiveness", "volume", "call_centre", "relationship")
BREAKDOWNS = ("channel", "team")
REQUIRED_TABLES = (
    "reference.kpi_definitions",
    "marts.kpi_values",
    "marts.agent_monthly_performance",
    "marts.team_monthly_performance",
)
COLOURS = {"line": "#1f5f8b", "band": "#1f5f8b", "target": "#444444", "low": "#c0392b"}


class ReportError(Exception):
    """The warehouse cannot be reported on; the message names the file or table and why."""


@dataclass(frozen=True)
class Kpi:
    kpi_id: str
    family: str
    unit: str
    good_direction: str
    definition: str


@dataclass(frozen=True)
class Point:
    """One month of a KPI in one dimension value (a row of kpi_values, month grain)."""

    period_start: date
    dimension_value: str
    value: float | None
    ci_low: float | None
    ci_high: float | None
    denominator: float | None
    is_low_sample: bool
    target_value: float | None
    is_target_met: bool | None
    change: float | None


@dataclass(frozen=True)
class Scale:
    """How a KPI's numbers are shown: value / factor, `digits` decimals, then the suffix."""

    factor: float
    suffix: str
    label: str
    digits: int
    change_suffix: str

    def format(self, value: float | None) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        return f"{value / self.factor:,.{self.digits}f}{self.suffix}".replace("-", "−")

    def format_change(self, change: float | None) -> str:
        if change is None:
            return "—"
        text = f"{change / self.factor:+,.{self.digits}f}{self.change_suffix}"
        return text.replace("-", "−")


@dataclass
class Trend:
    """The chart of one KPI: its months in the chart dimension ('all', or 'channel' for a
    KPI that has no overall value such as channel_share)."""

    kpi: Kpi
    dimension: str
    points: list[Point]
    scale: Scale

    @property
    def latest(self) -> Point | None:
        """The latest overall month (None for a chart by channel)."""
        return self.points[-1] if self.dimension == "all" and self.points else None


@dataclass
class Scorecard:
    title: str
    month: date | None
    key_columns: list[str]
    metrics: list[str]
    rows: list[dict[str, object]] = field(default_factory=list)


@dataclass
class ReportData:
    db_path: Path
    kpis: list[Kpi]
    trends: dict[str, Trend]
    breakdowns: dict[str, dict[str, list[Point]]]
    scorecards: list[Scorecard]


# ---------------------------------------------------------------- reading the warehouse

DEFINITIONS_SQL = """
select kpi_id, kpi_family, unit, good_direction, definition
from reference.kpi_definitions
order by kpi_family, kpi_id
"""

# The chart of a KPI shows dimension 'all'; a KPI without an overall value (channel_share)
# is drawn per channel (or per the first dimension it has). The last 13 months end at the
# KPI's own latest month.
TREND_SQL = f"""
with monthly as (
    select *
    from marts.kpi_values
    where period_grain = 'month'
),

chart_dimension as (
    select
        kpi_id,
        case
            when bool_or(dimension = 'all') then 'all'
            when bool_or(dimension = 'channel') then 'channel'
            else min(dimension)
        end as dimension
    from monthly
    group by kpi_id
),

latest as (
    select
        monthly.kpi_id,
        max(monthly.period_start) as latest_month
    from monthly
    inner join chart_dimension
        on monthly.kpi_id = chart_dimension.kpi_id
        and monthly.dimension = chart_dimension.dimension
    group by monthly.kpi_id
)

select
    monthly.kpi_id,
    monthly.dimension,
    monthly.period_start,
    monthly.dimension_value,
    monthly.value,
    monthly.ci_low,
    monthly.ci_high,
    monthly.denominator,
    coalesce(monthly.is_low_sample, false) as is_low_sample,
    monthly.target_value,
    monthly.is_target_met,
    monthly.change
from monthly
inner join chart_dimension
    on monthly.kpi_id = chart_dimension.kpi_id
    and monthly.dimension = chart_dimension.dimension
inner join latest
    on monthly.kpi_id = latest.kpi_id
where monthly.period_start > latest.latest_month - interval {TREND_MONTHS} month
order by monthly.kpi_id, monthly.dimension_value, monthly.period_start
"""

# The latest month of each KPI (its latest month in any dimension) by channel or team.
BREAKDOWN_SQL = """
with monthly as (
    select *
    from marts.kpi_values
    where period_grain = 'month'
),

latest as (
    select
        kpi_id,
        max(period_start) as latest_month
    from monthly
    group by kpi_id
)

select
    monthly.kpi_id,
    monthly.period_start,
    monthly.dimension_value,
    monthly.value,
    monthly.ci_low,
    monthly.ci_high,
    monthly.denominator,
    coalesce(monthly.is_low_sample, false) as is_low_sample,
    monthly.target_value,
    monthly.is_target_met,
    monthly.change
from monthly
inner join latest
    on monthly.kpi_id = latest.kpi_id
    and monthly.period_start = latest.latest_month
where monthly.dimension = ?
order by monthly.kpi_id, monthly.dimension_value
"""


def connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only; ReportError when it is missing or lacks a
    table the report reads."""
    if not db_path.exists():
        raise ReportError(f"no warehouse at {db_path}: build it first (`make run`)")
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as error:
        raise ReportError(f"cannot open {db_path} read-only: {error}") from error
    found = {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    missing = [table for table in REQUIRED_TABLES if table not in found]
    if missing:
        con.close()
        raise ReportError(
            f"{db_path} has no table {', '.join(missing)}: is it a published warehouse"
            " (`make run`)?"
        )
    return con


def point_of(row: Sequence[object]) -> Point:
    period_start, dimension_value, value, low, high, sample, is_low, target, met, change = row
    return Point(
        period_start=period_start,  # type: ignore[arg-type]
        dimension_value=str(dimension_value),
        value=value,  # type: ignore[arg-type]
        ci_low=low,  # type: ignore[arg-type]
        ci_high=high,  # type: ignore[arg-type]
        denominator=sample,  # type: ignore[arg-type]
        is_low_sample=bool(is_low),
        target_value=target,  # type: ignore[arg-type]
        is_target_met=met,  # type: ignore[arg-type]
        change=change,  # type: ignore[arg-type]
    )


def scale_for(unit: str, values: Iterable[float | None]) -> Scale:
    """Human units: seconds become hours or minutes when the values are large enough,
    percents get %, changes of percents pp."""
    present = [v for v in values if v is not None and not math.isnan(v)]
    largest = max((abs(v) for v in present), default=0.0)
    if unit == "percent":
        return Scale(1.0, " %", "%", 1, " pp")
    if unit == "seconds":
        if largest >= 3 * 3600:
            return Scale(3600.0, " h", "hours", 1, " h")
        if largest >= 3 * 60:
            return Scale(60.0, " min", "minutes", 1, " min")
        return Scale(1.0, " s", "seconds", 0, " s")
    integral = all(float(v).is_integer() for v in present)
    digits = 0 if integral or largest >= 1000 else 1 if largest >= 10 else 2
    label = {"score": "score", "currency": "amount", "count": "count"}.get(unit, unit)
    return Scale(1.0, "", label, digits, "")


def read_scorecard(
    con: duckdb.DuckDBPyConnection, table: str, title: str, keys: list[str]
) -> Scorecard:
    """The latest month of a scorecard mart: every metric column that has a `_sample_size`
    companion (the team averages `team_*` of the agent scorecard are left out)."""
    columns = [row[0] for row in con.execute(f"describe {table}").fetchall()]
    metrics = [
        column
        for column in columns
        if f"{column}_sample_size" in columns and not column.startswith("team_")
    ]
    wanted = keys + [name for metric in metrics for name in (metric, f"{metric}_sample_size")]
    month_row = con.execute(f"select max(month_start) from {table}").fetchone()
    month = month_row[0] if month_row else None
    cursor = con.execute(
        f"select {', '.join(wanted)} from {table} where month_start = ? order by {', '.join(keys)}",
        [month],
    )
    rows = [dict(zip(wanted, row, strict=True)) for row in cursor.fetchall()]
    return Scorecard(title=title, month=month, key_columns=keys, metrics=metrics, rows=rows)


def read_report_data(db_path: Path) -> ReportData:
    con = connect(db_path)
    try:
        kpis = [Kpi(*row) for row in con.execute(DEFINITIONS_SQL).fetchall()]
        known = {kpi.kpi_id: kpi for kpi in kpis}
        trends: dict[str, Trend] = {}
        for kpi_id, dimension, *rest in con.execute(TREND_SQL).fetchall():
            if kpi_id not in known:
                continue
            trend = trends.setdefault(
                kpi_id, Trend(known[kpi_id], dimension, [], scale_for("", []))
            )
            trend.points.append(point_of(rest))
        for trend in trends.values():
            trend.scale = scale_for(trend.kpi.unit, (point.value for point in trend.points))
        breakdowns: dict[str, dict[str, list[Point]]] = {}
        for dimension in BREAKDOWNS:
            by_kpi: dict[str, list[Point]] = {}
            for kpi_id, *rest in con.execute(BREAKDOWN_SQL, [dimension]).fetchall():
                by_kpi.setdefault(kpi_id, []).append(point_of(rest))
            breakdowns[dimension] = by_kpi
        scorecards = [
            read_scorecard(con, "marts.team_monthly_performance", "Teams", ["team"]),
            read_scorecard(con, "marts.agent_monthly_performance", "Agents", ["team", "agent_id"]),
        ]
    finally:
        con.close()
    return ReportData(db_path, kpis, trends, breakdowns, scorecards)


# ---------------------------------------------------------------- charts


def _prefix_ids(svg: str, prefix: str) -> str:
    """Make the ids of one chart unique in the page (several SVGs share one document)."""
    svg = re.sub(r'(?<=\s)id="([^"]+)"', rf'id="{prefix}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg)
    return re.sub(r'href="#([^"]+)"', rf'href="#{prefix}-\1"', svg)


def chart_svg(trend: Trend) -> str:
    """The trend of one KPI as inline SVG: value line, 95 % band, target line (dashed),
    low-sample points hollow and red; one line per value when the chart is a breakdown."""
    months = sorted({point.period_start for point in trend.points})
    position = {month: index for index, month in enumerate(months)}
    scale = trend.scale
    rc = {
        "svg.fonttype": "none",
        "svg.hashsalt": trend.kpi.kpi_id,
        "font.family": "sans-serif",
        "font.size": 8,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with matplotlib.rc_context(rc):
        figure = Figure(figsize=(4.4, 2.4), dpi=72, layout="constrained")
        axes = figure.add_subplot()
        series: dict[str, list[Point]] = {}
        for point in trend.points:
            series.setdefault(point.dimension_value, []).append(point)

        def scaled(value: float | None) -> float:
            return math.nan if value is None else value / scale.factor

        for name, points in series.items():
            xs = [position[point.period_start] for point in points]
            ys = [scaled(point.value) for point in points]
            colour = COLOURS["line"] if trend.dimension == "all" else None
            if trend.dimension == "all":
                axes.fill_between(
                    xs,
                    [scaled(point.ci_low) for point in points],
                    [scaled(point.ci_high) for point in points],
                    color=COLOURS["band"],
                    alpha=0.18,
                    linewidth=0,
                )
                targets = [scaled(point.target_value) for point in points]
                if any(not math.isnan(target) for target in targets):
                    axes.plot(xs, targets, linestyle="--", color=COLOURS["target"], linewidth=1)
            axes.plot(xs, ys, marker="o", markersize=3, linewidth=1.5, color=colour, label=name)
            low = [
                (x, y) for x, y, point in zip(xs, ys, points, strict=True) if point.is_low_sample
            ]
            if low:
                axes.plot(
                    [x for x, _ in low],
                    [y for _, y in low],
                    linestyle="none",
                    marker="o",
                    markersize=6,
                    markerfacecolor="white",
                    markeredgecolor=COLOURS["low"],
                    markeredgewidth=1.3,
                )
        if trend.dimension != "all":
            axes.legend(fontsize=7, frameon=False, ncol=3, loc="upper left")
        ticks = list(range((len(months) - 1) % 2, len(months), 2))
        axes.set_xticks(ticks, [months[tick].strftime("%b %y") for tick in ticks])
        axes.set_xlim(-0.5, max(len(months) - 0.5, 0.5))
        axes.set_ylabel(scale.label)
        axes.grid(axis="y", color="#dddddd", linewidth=0.6)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<style[^>]*>.*?</style>\s*", "", svg, flags=re.DOTALL)
    svg = _prefix_ids(svg, f"chart-{trend.kpi.kpi_id}")
    label = html.escape(f"{trend.kpi.kpi_id}: last {len(months)} months", quote=True)
    return svg.replace(
        "<svg ",
        f'<svg class="kpi-chart" data-kpi-id="{html.escape(trend.kpi.kpi_id)}"'
        f' role="img" aria-label="{label}" ',
        1,
    )


# ---------------------------------------------------------------- the page

STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 auto; max-width: 1400px;
       padding: 0 24px 48px; color: #222; background: #fff; }
header { border-bottom: 2px solid #1f5f8b; margin-bottom: 12px; }
h1 { margin: 16px 0 4px; font-size: 24px; }
h2 { margin-top: 36px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
nav a { margin-right: 14px; }
.meta, .note { color: #555; font-size: 13px; }
table { border-collapse: collapse; font-size: 13px; margin: 4px 0 12px; }
th, td { padding: 3px 8px; border-bottom: 1px solid #e5e5e5; text-align: right; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
thead th { background: #f3f6f9; }
td.met { color: #1e7b34; font-weight: 600; }
td.missed { color: #b03a2e; font-weight: 600; }
td.good { color: #1e7b34; }
td.bad { color: #b03a2e; }
.low { color: #b03a2e; }
small { color: #777; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr));
          gap: 12px 18px; }
figure.chart { margin: 0; }
figure.chart figcaption { font-size: 13px; margin-bottom: 2px; }
svg.kpi-chart { width: 100%; height: auto; display: block; }
svg.kpi-chart * { stroke-linejoin: round; stroke-linecap: butt; }
.key span { margin-right: 16px; white-space: nowrap; }
.swatch { display: inline-block; width: 22px; height: 10px; vertical-align: middle;
          margin-right: 4px; }
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def title_of(family: str) -> str:
    return family.replace("_", " ").capitalize()


def ordered_families(kpis: Sequence[Kpi]) -> list[str]:
    present = {kpi.family for kpi in kpis}
    known = [family for family in FAMILY_ORDER if family in present]
    return known + sorted(present - set(known))


def change_class(kpi: Kpi, change: float | None) -> str:
    """good / bad by the KPI's good direction (no class when there is no change)."""
    if change is None or change == 0 or kpi.good_direction not in ("higher", "lower"):
        return ""
    better = (change > 0) == (kpi.good_direction == "higher")
    return "good" if better else "bad"


def status_cell(point: Point) -> str:
    if point.target_value is None or point.is_target_met is None:
        return '<td class="status">no target</td>'
    word = "met" if point.is_target_met else "missed"
    return f'<td class="status {word}">{word}</td>'


def latest_table(family: str, trends: Sequence[Trend]) -> str:
    rows = []
    for trend in trends:
        kpi, scale = trend.kpi, trend.scale
        point = trend.latest
        if point is None:
            rows.append(
                f'<tr data-kpi-id="{esc(kpi.kpi_id)}"><td class="text">{esc(kpi.kpi_id)}</td>'
                f'<td class="text" colspan="7">no overall value: by {esc(trend.dimension)}'
                " in the chart and the breakdowns</td></tr>"
            )
            continue
        interval = (
            f"{scale.format(point.ci_low)} – {scale.format(point.ci_high)}"
            if point.ci_low is not None and point.ci_high is not None
            else "—"
        )
        sample = "—" if point.denominator is None else f"{point.denominator:,.0f}"
        low = ' <span class="low" title="low sample">°</span>' if point.is_low_sample else ""
        rows.append(
            f'<tr data-kpi-id="{esc(kpi.kpi_id)}">'
            f'<td class="text"><a href="#chart-{esc(kpi.kpi_id)}">{esc(kpi.kpi_id)}</a></td>'
            f'<td class="month">{point.period_start:%b %Y}</td>'
            f'<td class="value">{scale.format(point.value)}{low}</td>'
            f'<td class="interval">{interval}</td>'
            f'<td class="sample">{sample}</td>'
            f'<td class="change {change_class(kpi, point.change)}">'
            f"{scale.format_change(point.change)}</td>"
            f'<td class="target">{scale.format(point.target_value)}</td>'
            f"{status_cell(point)}</tr>"
        )
    return (
        f'<table class="latest" id="latest-{esc(family)}"><thead><tr>'
        '<th class="text">KPI</th><th>month</th><th>value</th><th>95 % interval</th>'
        '<th>sample</th><th>change</th><th>target</th><th class="text">status</th>'
        f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def breakdown_table(
    family: str, dimension: str, trends: Sequence[Trend], points: dict[str, list[Point]]
) -> str:
    """KPIs as rows, the values of the dimension as columns (the latest month of each KPI)."""
    present = [trend for trend in trends if points.get(trend.kpi.kpi_id)]
    if not present:
        return ""
    values = sorted(
        {point.dimension_value for trend in present for point in points[trend.kpi.kpi_id]}
    )
    head = "".join(f"<th>{esc(value)}</th>" for value in values)
    rows = []
    for trend in present:
        by_value = {point.dimension_value: point for point in points[trend.kpi.kpi_id]}
        month = points[trend.kpi.kpi_id][0].period_start
        cells = []
        for value in values:
            point = by_value.get(value)
            if point is None:
                cells.append("<td>—</td>")
                continue
            low = ' <span class="low" title="low sample">°</span>' if point.is_low_sample else ""
            sample = "" if point.denominator is None else f' title="n={point.denominator:,.0f}"'
            cells.append(
                f'<td data-value="{esc(value)}"{sample}>{trend.scale.format(point.value)}{low}</td>'
            )
        rows.append(
            f'<tr data-kpi-id="{esc(trend.kpi.kpi_id)}"><td class="text">{esc(trend.kpi.kpi_id)}'
            f'</td><td class="month">{month:%b %Y}</td>{"".join(cells)}</tr>'
        )
    return (
        f"<h3>By {esc(dimension)}</h3>"
        f'<table class="breakdown" id="by-{esc(dimension)}-{esc(family)}"><thead><tr>'
        f'<th class="text">KPI</th><th>month</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def chart_figure(trend: Trend) -> str:
    kpi = trend.kpi
    how = "" if trend.dimension == "all" else f", by {esc(trend.dimension)}"
    return (
        f'<figure class="chart" id="chart-{esc(kpi.kpi_id)}" data-kpi-id="{esc(kpi.kpi_id)}">'
        f'<figcaption title="{esc(kpi.definition)}"><b>{esc(kpi.kpi_id)}</b>'
        f" <small>({esc(trend.scale.label)}{how}; {esc(kpi.good_direction)} is better)</small>"
        f"</figcaption>{chart_svg(trend)}</figure>"
    )


def family_section(
    family: str, kpis: Sequence[Kpi], data: ReportData, progress: bool
) -> tuple[str, int]:
    """The section of one family and the number of charts drawn in it."""
    started = time.perf_counter()
    members = [kpi for kpi in kpis if kpi.family == family]
    trends = [data.trends[kpi.kpi_id] for kpi in members if kpi.kpi_id in data.trends]
    without_rows = [kpi.kpi_id for kpi in members if kpi.kpi_id not in data.trends]
    parts = [f'<section id="family-{esc(family)}"><h2>{esc(title_of(family))}</h2>']
    if without_rows:
        parts.append(f'<p class="note">No monthly values yet: {esc(", ".join(without_rows))}.</p>')
    if trends:
        parts.append(latest_table(family, trends))
        parts.append('<div class="charts">')
        parts.extend(chart_figure(trend) for trend in trends)
        parts.append("</div>")
        for dimension in BREAKDOWNS:
            parts.append(breakdown_table(family, dimension, trends, data.breakdowns[dimension]))
    parts.append("</section>")
    if progress:
        print(
            f"    {family:<14} {len(trends):>2} charts ({time.perf_counter() - started:.1f} s)",
            flush=True,
        )
    return "".join(parts), len(trends)


def scorecard_table(card: Scorecard, scales: dict[str, Scale], units: dict[str, str]) -> str:
    if not card.rows:
        return f"<h3>{esc(card.title)}</h3><p class='note'>No rows.</p>"
    metric_scales = {
        metric: scales.get(metric)
        or scale_for(units.get(metric, "count"), (row[metric] for row in card.rows))  # type: ignore[misc]
        for metric in card.metrics
    }
    head = "".join(f'<th class="text">{esc(key)}</th>' for key in card.key_columns) + "".join(
        f"<th>{esc(metric)}</th>" for metric in card.metrics
    )
    body = []
    for row in card.rows:
        keys = "".join(f'<td class="text">{esc(row[key])}</td>' for key in card.key_columns)
        cells = []
        for metric in card.metrics:
            sample = row[f"{metric}_sample_size"]
            n = "" if sample is None else f" <small>n={sample:,.0f}</small>"
            cells.append(
                f'<td data-metric="{esc(metric)}">'
                f"{metric_scales[metric].format(row[metric])}{n}</td>"  # type: ignore[arg-type]
            )
        key = esc(row[card.key_columns[-1]])
        body.append(f'<tr data-key="{key}">{keys}{"".join(cells)}</tr>')
    month = "" if card.month is None else f" — {card.month:%B %Y}"
    return (
        f"<h3>{esc(card.title)}{month}</h3>"
        f'<table class="scorecard" id="scorecard-{esc(card.title.lower())}"><thead><tr>{head}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def differences_link(out: Path) -> str:
    """The DECISIONLOG section on differences with the helpdesk's own reports, relative to the
    page (the repository's file, opened beside the report)."""
    relative = os.path.relpath(DECISIONLOG, out.resolve().parent)
    return f"{Path(relative).as_posix()}#{DIFFERENCES_ANCHOR}"


def render_html(data: ReportData, out: Path, progress: bool = False) -> tuple[str, int]:
    """The whole page and the number of charts in it."""
    families = ordered_families(data.kpis)
    sections = []
    charts = 0
    for family in families:
        section, drawn = family_section(family, data.kpis, data, progress)
        sections.append(section)
        charts += drawn
    scales = {kpi_id: trend.scale for kpi_id, trend in data.trends.items()}
    units = {kpi.kpi_id: kpi.unit for kpi in data.kpis}
    scorecards = "".join(scorecard_table(card, scales, units) for card in data.scorecards)
    nav = "".join(
        f'<a href="#family-{esc(family)}">{esc(title_of(family))}</a>' for family in families
    )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    key = (
        '<p class="key note">'
        f'<span><i class="swatch" style="background:{COLOURS["line"]};height:3px"></i>value</span>'
        f'<span><i class="swatch" style="background:{COLOURS["band"]};opacity:.25"></i>'
        "95 % confidence interval</span>"
        f'<span><i class="swatch" style="border-top:2px dashed {COLOURS["target"]};'
        'height:0"></i>target</span>'
        f'<span><span class="low">○</span> / <span class="low">°</span> low sample'
        " (fewer than the minimum sample, see DECISIONLOG)</span></p>"
    )
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cx-warehouse KPI report</title>
<style>{STYLE}</style>
</head>
<body>
<header>
<h1>Customer-service KPI report</h1>
<p class="meta">{len(data.trends)} KPIs with monthly values, {charts} charts. Warehouse
<code>{esc(data.db_path.name)}</code>, report written {generated}. Monthly values, dimension
<code>all</code>; each chart shows the last {TREND_MONTHS} months up to the KPI's latest
month. Durations in hours, minutes or seconds; changes of percents in percentage points (pp).
</p>
{key}
<p class="note">The numbers can differ from your helpdesk's own reports (bot replies, tickets
opened by an agent, reopened tickets, several CSAT answers, …): see
<a href="{esc(differences_link(out))}">why the numbers can differ from the helpdesk's own
reports</a>.</p>
<nav>{nav}<a href="#scorecards">Scorecards</a></nav>
</header>
<main>
{"".join(sections)}
<section id="scorecards"><h2>Scorecards</h2>
<p class="note">The latest month of the marts <code>team_monthly_performance</code> and
<code>agent_monthly_performance</code>; n is the sample of each value.</p>
{scorecards}
</section>
</main>
</body>
</html>
"""
    return page, charts


def write_report(db_path: Path, out: Path, progress: bool = True) -> tuple[int, int]:
    """Write the report; returns (bytes written, charts drawn)."""
    data = read_report_data(db_path)
    page, charts = render_html(data, out, progress)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(page, encoding="utf-8")
    temporary.replace(out)
    return len(page.encode("utf-8")), charts


# ---------------------------------------------------------------- headless Chromium


def chromium_binary() -> str | None:
    """The system Chromium (Debian package `chromium`), or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass(frozen=True)
class BrowserRun:
    dom: str
    console: list[str]
    seconds: float


def run_chromium(page: Path, extra: Sequence[str], timeout: float = 120.0) -> BrowserRun:
    """Load a page in headless Chromium with its console logged to stderr; the DOM after
    loading (when --dump-dom is in `extra`), every console message, and the wall time."""
    binary = chromium_binary()
    if binary is None:
        raise ReportError("no chromium on PATH: install it (`apt-get install chromium`)")
    with tempfile.TemporaryDirectory(prefix="cx-report-chromium-") as profile:
        command = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            *extra,
            page.resolve().as_uri(),
        ]
        started = time.perf_counter()
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
        seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise ReportError(f"chromium failed on {page} (exit {result.returncode}): {result.stderr}")
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    return BrowserRun(result.stdout, console, seconds)


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 1800) -> BrowserRun:
    """A PNG of the top of the page (width x height pixels)."""
    png.parent.mkdir(parents=True, exist_ok=True)
    run = run_chromium(page, [f"--window-size={width},{height}", f"--screenshot={png.resolve()}"])
    if not png.exists():
        raise ReportError(f"chromium wrote no screenshot {png}")
    return run


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help=f"published warehouse (default {DEFAULT_DB})"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"HTML file to write (default {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--screenshot", type=Path, help="also save a PNG of the page (needs chromium)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if not args.quiet:
        print(f"==> KPI report from {args.db}", flush=True)
    try:
        size, charts = write_report(args.db, args.out, progress=not args.quiet)
        if not args.quiet:
            print(
                f"    wrote {args.out} ({size / 1024:,.0f} KiB, {charts} charts)"
                f" in {time.perf_counter() - started:.1f} s; open it in a browser:"
                f" {args.out.resolve().as_uri()}",
                flush=True,
            )
        if args.screenshot:
            run = screenshot(args.out, args.screenshot)
            if not args.quiet:
                print(f"    screenshot {args.screenshot} ({run.seconds:.1f} s)", flush=True)
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
