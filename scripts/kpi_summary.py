"""Print the latest month of every KPI from the warehouse's `marts.kpi_values`.

One line per kpi_id: the overall value of its most recent month, the sample, the 95 %
confidence interval, the target and the change from the previous month.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

SUMMARY_SQL = """
with latest as (
    select kpi_id, max(period_start) as period_start
    from marts.kpi_values
    where period_grain = 'month' and dimension = 'all'
    group by kpi_id
)
select
    kpi_values.kpi_id,
    kpi_values.period_start,
    kpi_values.value,
    kpi_values.denominator,
    kpi_values.ci_low,
    kpi_values.ci_high,
    kpi_values.is_low_sample,
    kpi_values.target_value,
    kpi_values.is_target_met,
    kpi_values.change
from marts.kpi_values
inner join latest
    on kpi_values.kpi_id = latest.kpi_id and kpi_values.period_start = latest.period_start
where kpi_values.period_grain = 'month' and kpi_values.dimension = 'all'
order by kpi_values.kpi_id
"""

Row = tuple[
    str,
    object,
    float | None,
    float | None,
    float | None,
    float | None,
    bool,
    float | None,
    bool | None,
    float | None,
]  # noqa: E501


def fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def format_row(row: Row) -> str:
    kpi_id, period, value, sample, low, high, low_sample, target, met, change = row
    interval = f"[{fmt(low)}, {fmt(high)}]" if low is not None else ""
    target_text = "" if target is None else f"target {fmt(target)} {'met' if met else 'missed'}"
    change_text = "" if change is None else f"{change:+.1f}"
    flag = " (low sample)" if low_sample else ""
    return (
        f"{kpi_id:<30} {period!s:<10} {fmt(value, 2):>10} n={fmt(sample, 0):<8}"
        f" {interval:<18} {change_text:>7}  {target_text}{flag}"
    )


MISSING_SQL = """
select kpi_id
from reference.kpi_definitions
where kpi_id not in (select distinct kpi_id from marts.kpi_values)
order by kpi_id
"""


def missing_kpis(db_path: Path) -> list[str]:
    """The kpi_ids of seed kpi_definitions that have no row at all in kpi_values."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return [row[0] for row in con.execute(MISSING_SQL).fetchall()]
    finally:
        con.close()


def summary_lines(db_path: Path) -> list[str]:
    """The summary as printable lines (header first)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute(SUMMARY_SQL).fetchall()
    finally:
        con.close()
    header = (
        f"{'kpi_id':<30} {'month':<10} {'value':>10} {'sample':<10} {'95% CI':<18}"
        f" {'change':>7}  target"
    )
    return [header, "-" * len(header)] + [format_row(row) for row in rows]  # type: ignore[arg-type]


AUDIT_SQL = """
select
    source_table,
    raw_rows,
    staged_rows,
    duplicate_rows,
    superseded_rows,
    quarantined_rows,
    unreadable_lines,
    orphaned_rows
from audit.audit_row_reconciliation
order by source_table
"""

REASONS_SQL = """
select source_table, kind, reason, count(*) as row_count
from audit.audit_quarantined_rows
group by source_table, kind, reason
order by source_table, kind, row_count desc, reason
"""


EARLY_EVENTS_SQL = "select sum(events_before_creation_count) from marts.fct_tickets"


def audit_lines(db_path: Path) -> list[str]:
    """Where the raw rows went: per table, the rows set aside, and the count per reason."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = con.execute(AUDIT_SQL).fetchall()
        reasons = con.execute(REASONS_SQL).fetchall()
        found = con.execute(EARLY_EVENTS_SQL).fetchone()
        early = int(found[0] or 0) if found else 0
    finally:
        con.close()
    raw = sum(row[1] for row in tables)
    staged = sum(row[2] for row in tables)
    aside = [row for row in tables if any(row[3:])]
    lines = [
        f"audit: {raw:,} raw rows, {staged:,} staged; rows set aside or left out"
        f" ({len(aside)} of {len(tables)} tables, audit.audit_quarantined_rows):"
    ]
    for table, _raw, _staged, duplicates, superseded, quarantined, unreadable, orphaned in aside:
        lines.append(
            f"  {table:<26} {quarantined:>8,} quarantined {unreadable:>6,} unreadable lines"
            f" {orphaned:>6,} orphaned {duplicates:>8,} duplicates {superseded:>8,} superseded"
        )
    for table, kind, reason, count in reasons:
        lines.append(f"    {table}: {count:,} {kind} x {reason}")
    if early:
        lines.append(
            f"  helpdesk_ticket_events     {early:>8,} events dated before their ticket's"
            " creation, counted from the creation (DECISIONLOG)"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="DuckDB database file")
    parser.add_argument(
        "--require-all-kpis",
        action="store_true",
        help="exit 1 when a kpi_id of seed kpi_definitions has no row in kpi_values",
    )
    args = parser.parse_args(argv)
    if not args.db.exists():
        print(f"error: no warehouse at {args.db}; run `make run` first", file=sys.stderr)
        return 2
    print("\n".join(summary_lines(args.db)))
    missing = missing_kpis(args.db)
    if missing:
        print(f"warning: no kpi_values rows for {', '.join(missing)}", file=sys.stderr)
        return 1 if args.require_all_kpis else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
