"""Data-quality gate of the warehouse: great-expectations suites for the raw layer and the marts.

Two suites, one DuckDB file:

- ``raw`` runs before the build and catches an export that is broken as a whole (a column
  missing, a timestamp format that changed, an enum that is half unknown values). Single bad
  rows are staging's job (it quarantines them one by one), so every row-level check here is a
  proportion (``mostly``). The checks follow the raw contract of ``raw_contract.load_contract``.
- ``marts`` runs before anyone reads the marts: the published ``kpi_values`` interface and the
  keys of the dimensions and facts, described by the small data-driven ``MARTS`` spec below.

Why the pandas path: great-expectations' SQL datasource through ``duckdb_engine`` fails every
expectation with an ``IndexError`` in ``resolve_metric_bundle`` (an upstream bug). So each table
is read with the duckdb Python API into a pandas DataFrame -- the SQL normalises values the way
staging does (trimmed, empty string = null, enums and booleans lower-cased) and takes a
repeatable reservoir sample of at most ``--max-rows`` rows of a large table -- and validated
with GE's pandas datasource and ExpectationSuites built in code.

Usage::

    python scripts/validate_quality.py --db warehouse/kpi.duckdb --suite raw
    python scripts/validate_quality.py --db warehouse/kpi.duckdb --suite marts --max-rows 50000

Exit code 1 when an expectation failed, 0 otherwise (warnings do not fail the gate), 2 on a
usage error. Data Docs HTML is written under ``--docs-dir`` (a GE file context).
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context import AbstractDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
)
from great_expectations.expectations.row_conditions import Column as RowColumn
from raw_contract import PROJECT_ROOT, Table, load_contract

Suite = Literal["raw", "marts"]
Status = Literal["PASS", "FAIL", "WARN"]

SUITES: tuple[Suite, ...] = ("raw", "marts")
DEFAULT_MAX_ROWS = 100_000
DEFAULT_DOCS_DIR = PROJECT_ROOT / "target" / "data_docs"
SAMPLE_SEED = 42
DATASOURCE_NAME = "quality_gate"
EXAMPLE_LIMIT = 5

# --------------------------------------------------------------------------------------------
# Raw suite thresholds and patterns (the gate catches broken exports, not single bad rows).
# --------------------------------------------------------------------------------------------
RAW_PK_NOT_NULL_MOSTLY = 0.99
RAW_PK_MIN_UNIQUE_PROPORTION = 0.98
RAW_REQUIRED_MOSTLY = 0.99
RAW_FORMAT_MOSTLY = 0.98
# A handful of bad rows in a tiny table says nothing about the export as a whole: every
# threshold above tolerates at least this many offending rows (staging quarantines them).
RAW_MIN_TOLERATED_ROWS = 2

ISO_8601_REGEX = (
    r"^\d{4}-\d{2}-\d{2}"  # date
    r"([Tt ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?"  # optional time with optional seconds, fraction
    r"([Zz]|[+-]\d{2}(:?\d{2})?)?)?$"  # optional UTC designator or offset
)
INTEGER_REGEX = r"^[+-]?\d+(\.0*)?$"
DECIMAL_REGEX = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
BOOLEAN_VALUES = ("true", "false", "1", "0", "yes", "no")

# --------------------------------------------------------------------------------------------
# Marts suite spec: one MartSpec per table. Add a table (or a rule) here, not in the code below.
# --------------------------------------------------------------------------------------------
KPI_VALUES_COLUMNS = (
    "kpi_id",
    "period_grain",
    "period_start",
    "dimension",
    "dimension_value",
    "value",
    "p50_value",
    "p90_value",
    "numerator",
    "denominator",
    "ci_low",
    "ci_high",
    "is_low_sample",
    "target_value",
    "is_target_met",
    "previous_value",
    "change",
)
PERIOD_GRAINS = ("day", "week", "month", "quarter", "year")
DIMENSIONS = (
    "all",
    "channel",
    "team",
    "agent",
    "category",
    "priority",
    "customer_tier",
    "survey_type",
    "hour_of_day",
    "day_of_week",
)
KPI_DEFINITIONS_CSV = PROJECT_ROOT / "seeds" / "kpi_definitions.csv"


def load_kpi_definitions(path: Path = KPI_DEFINITIONS_CSV) -> list[dict[str, str]]:
    """The rows of seed kpi_definitions, the only list of KPIs, in the seed's order."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


KPI_DEFINITIONS = load_kpi_definitions()
# Every kpi_id whose value is a share "x 100" (0-100): unit percent in the seed.
PERCENT_KPIS = tuple(row["kpi_id"] for row in KPI_DEFINITIONS if row["unit"] == "percent")
# Every score KPI with a bounded scale (nps -100..100, ces 1-7, cx_rating 1-5): its
# (kpi_id, value_min, value_max) from the seed.
SCORE_SCALES = tuple(
    (row["kpi_id"], float(row["value_min"]), float(row["value_max"]))
    for row in KPI_DEFINITIONS
    if row["unit"] == "score" and row["value_min"] and row["value_max"]
)


@dataclass(frozen=True)
class Range:
    """`column` between `low` and `high` (inclusive), optionally only where kpi_id is in `kpis`."""

    column: str
    low: float | None
    high: float | None
    kpis: tuple[str, ...] = ()
    label: str = ""
    strict_low: bool = False


@dataclass(frozen=True)
class MartSpec:
    """The checks of one mart table."""

    table: str
    key: tuple[str, ...]
    columns: tuple[str, ...] = ()  # exact column set; empty = not checked
    not_null: tuple[str, ...] = ()
    accepted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ranges: tuple[Range, ...] = ()
    ordered: tuple[tuple[str, str], ...] = ()  # (low, high): low <= high where both not null


MARTS: tuple[MartSpec, ...] = (
    MartSpec(
        table="kpi_values",
        key=("kpi_id", "period_grain", "period_start", "dimension", "dimension_value"),
        columns=KPI_VALUES_COLUMNS,
        not_null=("value", "is_low_sample"),
        accepted={"period_grain": PERIOD_GRAINS, "dimension": DIMENSIONS},
        ranges=(
            Range("value", 0, 100, kpis=PERCENT_KPIS, label="percent KPIs"),
            *(
                Range("value", low, high, kpis=(kpi_id,), label=kpi_id)
                for kpi_id, low, high in SCORE_SCALES
            ),
            # a count KPI (backlog) can be 0; a share or mean with no sample has no row
            Range("denominator", 0, None, label=">= 0"),
        ),
        ordered=(("ci_low", "value"), ("value", "ci_high")),
    ),
    MartSpec(table="dim_customers", key=("customer_key",)),
    MartSpec(table="dim_agents", key=("agent_id",)),
    MartSpec(table="dim_date", key=("date_day",)),
    MartSpec(table="fct_tickets", key=("ticket_id",)),
    MartSpec(table="fct_interactions", key=("interaction_id",)),
    MartSpec(table="fct_survey_responses", key=("response_id",)),
    MartSpec(table="fct_queue_contacts", key=("queue_contact_id",)),
    MartSpec(table="agent_monthly_performance", key=("month_start", "agent_id")),
    MartSpec(table="team_monthly_performance", key=("month_start", "team")),
)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Failure:
    """One failed expectation."""

    schema: str
    table: str
    column: str | None
    expectation_type: str
    detail: str

    @property
    def target(self) -> str:
        parts = [self.schema, self.table] + ([self.column] if self.column else [])
        return ".".join(parts)

    def __str__(self) -> str:
        return f"FAIL {self.target} {self.expectation_type}: {self.detail}"


@dataclass
class TableResult:
    """The outcome for one table: PASS, FAIL or WARN, with a note and its failures."""

    schema: str
    table: str
    status: Status
    note: str
    failures: list[Failure] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [f"{self.status} {self.schema}.{self.table}: {self.note}"] + [
            f"  {failure}" for failure in self.failures
        ]


@dataclass
class Report:
    """Everything one run found; `failures` decides the exit code."""

    suite: str
    tables: list[TableResult] = field(default_factory=list)
    docs_index: Path | None = None

    @property
    def failures(self) -> list[Failure]:
        return [failure for result in self.tables for failure in result.failures]

    def count(self, status: Status) -> int:
        return sum(1 for result in self.tables if result.status == status)

    def lines(self) -> list[str]:
        lines = [line for result in self.tables for line in result.lines()]
        lines.append(
            f"{self.suite} suite: {self.count('PASS')} PASS, {self.count('FAIL')} FAIL, "
            f"{self.count('WARN')} WARN"
        )
        if self.docs_index is not None:
            lines.append(f"Data Docs: {self.docs_index}")
        return lines


@dataclass
class Batch:
    """A table read into pandas, and how much of it."""

    frame: pd.DataFrame
    total_rows: int

    @property
    def sampled(self) -> bool:
        return len(self.frame) < self.total_rows

    def describe(self) -> str:
        if self.sampled:
            return f"sampled {len(self.frame):,} of {self.total_rows:,} rows"
        return f"{self.total_rows:,} rows"


# --------------------------------------------------------------------------------------------
# DuckDB access
# --------------------------------------------------------------------------------------------
def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    """The single value of a query (fetched to the end: duckdb 2 refuses unfinished results)."""
    return con.execute(sql).fetchall()[0][0]


def table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str] | None:
    """Column names of schema.table in the open database, or None when the table is missing."""
    rows = con.execute(
        """
        select column_name from information_schema.columns
        where table_catalog = current_database() and table_schema = ? and table_name = ?
        order by ordinal_position
        """,
        [schema, table],
    ).fetchall()
    return [row[0] for row in rows] or None


def read_batch(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    select: str,
    max_rows: int,
    where: str | None = None,
) -> Batch:
    """Read `select` from schema.table (rows matching `where`), a repeatable reservoir sample
    when there are more than max_rows."""
    catalog = scalar(con, "select current_database()")
    # Fully qualified: a file named raw.duckdb makes a bare `raw.x` ambiguous (catalog/schema).
    source = f"{quote(catalog)}.{quote(schema)}.{quote(table)}"
    if where:
        source = f"(select * from {source} where {where}) as rows_in_scope"
    total = scalar(con, f"select count(*) from {source}")
    sample = ""
    if total > max_rows:
        sample = f" using sample reservoir({max_rows} rows) repeatable ({SAMPLE_SEED})"
    frame = con.execute(f"select {select} from {source}{sample}").df()
    return Batch(frame=frame, total_rows=int(total))


# --------------------------------------------------------------------------------------------
# Raw suite
# --------------------------------------------------------------------------------------------
def raw_select(table: Table, present: Sequence[str]) -> str:
    """SQL select list normalising the contract columns that exist, the way staging reads them."""
    items = []
    for column in table.columns:
        if column.name not in present:
            continue
        value = f"trim({quote(column.name)})"
        if column.type in ("enum", "boolean"):
            value = f"lower({value})"
        items.append(f"nullif({value}, '') as {quote(column.name)}")
    return ", ".join(items) or "null as _no_contract_column"


def tolerant(proportion: float, rows: int) -> float:
    """The `mostly` proportion for a table of `rows` rows: never stricter than allowing
    RAW_MIN_TOLERATED_ROWS offending rows."""
    if rows <= 0:
        return proportion
    return round(max(0.0, min(proportion, 1 - RAW_MIN_TOLERATED_ROWS / rows)), 6)


def raw_expectations(table: Table, present: Sequence[str], rows: int) -> list[Any]:
    """The raw-suite expectations for one contract table (only the schema check when empty)."""
    expectations: list[Any] = [
        gxe.ExpectTableColumnsToMatchSet(column_set=table.column_names, exact_match=False)
    ]
    if rows == 0:
        return expectations
    if table.primary_key in present:
        expectations += [
            gxe.ExpectColumnValuesToNotBeNull(
                column=table.primary_key, mostly=tolerant(RAW_PK_NOT_NULL_MOSTLY, rows)
            ),
            gxe.ExpectColumnProportionOfUniqueValuesToBeBetween(
                column=table.primary_key,
                min_value=tolerant(RAW_PK_MIN_UNIQUE_PROPORTION, rows),
            ),
        ]
    for column in table.columns:
        if column.name in present:
            expectations += raw_column_expectations(
                column.name, column.type, column.values, tolerant(RAW_FORMAT_MOSTLY, rows)
            )
        if column.name in present and column.required and column.name != table.primary_key:
            expectations.append(
                gxe.ExpectColumnValuesToNotBeNull(
                    column=column.name, mostly=tolerant(RAW_REQUIRED_MOSTLY, rows)
                )
            )
    return expectations


def raw_column_expectations(
    name: str, kind: str, values: Sequence[str], mostly: float = RAW_FORMAT_MOSTLY
) -> list[Any]:
    """Format expectations of one raw column by its contract type."""
    if kind == "enum":
        value_set = [value.lower() for value in values]
        return [gxe.ExpectColumnValuesToBeInSet(column=name, value_set=value_set, mostly=mostly)]
    if kind == "boolean":
        value_set = list(BOOLEAN_VALUES)
        return [gxe.ExpectColumnValuesToBeInSet(column=name, value_set=value_set, mostly=mostly)]
    regex = {"timestamp": ISO_8601_REGEX, "integer": INTEGER_REGEX, "decimal": DECIMAL_REGEX}
    if kind in regex:
        return [gxe.ExpectColumnValuesToMatchRegex(column=name, regex=regex[kind], mostly=mostly)]
    return []


def validate_raw(
    con: duckdb.DuckDBPyConnection, runner: GateRunner, max_rows: int, load_batch: int | None
) -> None:
    where = None if load_batch is None else f"_load_batch = {int(load_batch)}"
    for table in load_contract().values():
        present = table_columns(con, "raw", table.name)
        if present is None:
            runner.warn("raw", table.name, "table missing (no export delivered), skipped")
            continue
        select = raw_select(table, present)
        batch = read_batch(con, "raw", table.name, select, max_rows, where)
        expectations = raw_expectations(table, present, rows=len(batch.frame))
        runner.run("raw", table.name, batch, expectations)


# --------------------------------------------------------------------------------------------
# Marts suite
# --------------------------------------------------------------------------------------------
def mart_expectations(spec: MartSpec) -> list[Any]:
    """The marts-suite expectations of one MartSpec."""
    expectations: list[Any] = []
    if spec.columns:
        expectations.append(
            gxe.ExpectTableColumnsToMatchSet(column_set=list(spec.columns), exact_match=True)
        )
    for column in dict.fromkeys(spec.key + spec.not_null):
        expectations.append(gxe.ExpectColumnValuesToNotBeNull(column=column))
    if len(spec.key) == 1:
        expectations.append(gxe.ExpectColumnValuesToBeUnique(column=spec.key[0]))
    else:
        expectations.append(gxe.ExpectCompoundColumnsToBeUnique(column_list=list(spec.key)))
    for column, values in spec.accepted.items():
        expectations.append(gxe.ExpectColumnValuesToBeInSet(column=column, value_set=list(values)))
    expectations += [range_expectation(rule) for rule in spec.ranges]
    for low, high in spec.ordered:
        expectations.append(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=high,
                column_B=low,
                or_equal=True,
                ignore_row_if="either_value_is_missing",
                meta={"label": f"{low} <= {high}"},
            )
        )
    return expectations


def range_expectation(rule: Range) -> Any:
    options: dict[str, Any] = {"meta": {"label": rule.label}} if rule.label else {}
    if rule.kpis:
        options["row_condition"] = RowColumn("kpi_id").is_in(list(rule.kpis))
    return gxe.ExpectColumnValuesToBeBetween(
        column=rule.column,
        min_value=rule.low,
        max_value=rule.high,
        strict_min=rule.strict_low,
        **options,
    )


def mart_select(spec: MartSpec, present: Sequence[str]) -> str:
    """SQL select list of the columns the spec's expectations read: all of them when it checks
    the column set, else only those named (a sample of a wide fact then scans its key alone,
    not every column). A named column the table lacks is left out, so its expectation fails
    (column not found) as it would on the whole table."""
    if spec.columns:
        return "*"
    named = [*spec.key, *spec.not_null, *spec.accepted]
    named += [rule.column for rule in spec.ranges] + [c for pair in spec.ordered for c in pair]
    if any(rule.kpis for rule in spec.ranges):
        named.append("kpi_id")
    wanted = [column for column in dict.fromkeys(named) if column in present]
    return ", ".join(quote(column) for column in wanted) if wanted else "*"


def validate_marts(con: duckdb.DuckDBPyConnection, runner: GateRunner, max_rows: int) -> None:
    for spec in MARTS:
        present = table_columns(con, "marts", spec.table)
        if present is None:
            runner.warn("marts", spec.table, "table does not exist yet, skipped")
            continue
        batch = read_batch(con, "marts", spec.table, mart_select(spec, present), max_rows)
        runner.run("marts", spec.table, batch, mart_expectations(spec))


# --------------------------------------------------------------------------------------------
# Great-expectations plumbing
# --------------------------------------------------------------------------------------------
@contextmanager
def quiet_gx() -> Iterator[None]:
    """Silence GE's logs and warnings (deprecations, pandas/numpy chatter) for the block."""
    logger = logging.getLogger("great_expectations")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def make_context(docs_dir: Path | None) -> AbstractDataContext:
    """A GE file context under docs_dir (for Data Docs), or an in-memory one without docs."""
    if docs_dir is None:
        context = gx.get_context(mode="ephemeral")
    else:
        docs_dir.mkdir(parents=True, exist_ok=True)
        context = gx.get_context(mode="file", project_root_dir=docs_dir)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


class GateRunner:
    """Runs one suite per table through GE's pandas datasource and collects the results."""

    def __init__(self, context: AbstractDataContext, report: Report) -> None:
        self.context = context
        self.report = report
        self.run_id = RunIdentifier(run_name=f"{report.suite}-gate", run_time=datetime.now(UTC))
        self.datasource = context.data_sources.add_or_update_pandas(name=DATASOURCE_NAME)
        self.suite_names: list[str] = []

    def warn(self, schema: str, table: str, note: str) -> None:
        self.report.tables.append(TableResult(schema, table, "WARN", note))

    def run(
        self,
        schema: str,
        table: str,
        batch: Batch,
        expectations: list[Any],
    ) -> None:
        name = f"{schema}.{table}"
        result = self._validate(name, batch.frame, expectations)
        failures = [describe_failure(schema, table, item) for item in result.results]
        failures = [failure for failure in failures if failure is not None]
        note = f"{batch.describe()}, {len(expectations)} expectation"
        note += "" if len(expectations) == 1 else "s"
        status: Status = "FAIL" if failures else "PASS"
        if failures:
            note += f", {len(failures)} failed"
        elif batch.total_rows == 0:
            status, note = "WARN", f"table is empty ({note})"
        self.report.tables.append(TableResult(schema, table, status, note, failures))

    def _validate(self, name: str, frame: pd.DataFrame, expectations: list[Any]) -> Any:
        suite = self.context.suites.add_or_update(
            gx.ExpectationSuite(name=name, expectations=expectations)
        )
        asset = self.datasource.add_dataframe_asset(name=name)
        batch_definition = asset.add_batch_definition_whole_dataframe(name="whole_table")
        definition = self.context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=name, data=batch_definition, suite=suite)
        )
        self.suite_names.append(name)
        return definition.run(
            batch_parameters={"dataframe": frame}, result_format="SUMMARY", run_id=self.run_id
        )

    def build_docs(self) -> Path | None:
        """Render this run's suites and results into the Data Docs site; path of index.html."""
        if self.context.root_directory is None:
            return None
        store = self.context.validation_results_store
        run_key = self.run_id.to_tuple()
        identifiers: list[Any] = [
            key for key in store.list_keys() if key.run_id.to_tuple() == run_key
        ]
        identifiers += [ExpectationSuiteIdentifier(name=name) for name in self.suite_names]
        if not identifiers:
            return None
        urls = self.context.build_data_docs(resource_identifiers=identifiers)
        url = next(iter(urls.values()))
        return Path(url.removeprefix("file://"))


# --------------------------------------------------------------------------------------------
# Turning GE results into failure lines
# --------------------------------------------------------------------------------------------
def describe_failure(schema: str, table: str, item: Any) -> Failure | None:
    """A Failure for a failed ExpectationValidationResult, None for a passed one."""
    if item.success:
        return None
    config = item.expectation_config
    kwargs = dict(config.kwargs)
    result = dict(item.result or {})
    column = kwargs.get("column")
    if kwargs.get("column_list"):
        column = ",".join(kwargs["column_list"])
    if kwargs.get("column_A"):
        column = f"{kwargs['column_A']},{kwargs['column_B']}"
    if config.type == "expect_table_columns_to_match_set":
        mismatched = (result.get("details") or {}).get("mismatched") or {}
        wrong = list(mismatched.get("missing") or []) + list(mismatched.get("unexpected") or [])
        column = ",".join(wrong) or None
    detail = observed_figure(config.type, kwargs, result, item.exception_info)
    label = (config.meta or {}).get("label")
    expectation_type = f"{config.type} [{label}]" if label else config.type
    return Failure(schema, table, column, expectation_type, detail)


def observed_figure(
    expectation_type: str, kwargs: dict[str, Any], result: dict[str, Any], exception: Any
) -> str:
    """The observed figure of a failed expectation, e.g. `41.0% unexpected, e.g. ['fax']`."""
    message = exception_message(exception)
    if message:
        return f"error: {message}"
    if expectation_type == "expect_table_columns_to_match_set":
        mismatched = (result.get("details") or {}).get("mismatched") or {}
        parts = [(key, sorted(mismatched.get(key) or [])) for key in ("missing", "unexpected")]
        return "; ".join(f"{key} {names}" for key, names in parts if names)
    if "unexpected_percent" in result:
        return unexpected_figure(expectation_type, kwargs, result)
    if "observed_value" in result:
        return f"observed {format_number(result['observed_value'])}{bounds(kwargs)}"
    return "failed"


def unexpected_figure(expectation_type: str, kwargs: dict[str, Any], result: dict[str, Any]) -> str:
    percent = result.get("unexpected_percent") or 0.0
    count = result.get("unexpected_count") or 0
    noun = "null" if expectation_type == "expect_column_values_to_not_be_null" else "unexpected"
    checked = (result.get("element_count") or 0) - (result.get("missing_count") or 0)
    text = f"{percent:.1f}% {noun} ({count:,} of {checked:,} rows)"
    examples = distinct_examples(result)
    if examples and noun != "null":
        text += f", e.g. {examples}"
    if kwargs.get("mostly") is not None:
        text += f"; mostly={kwargs['mostly']}"
    return text


def distinct_examples(result: dict[str, Any]) -> list[Any]:
    counts = result.get("partial_unexpected_counts") or []
    values = [entry["value"] for entry in counts if isinstance(entry, dict) and "value" in entry]
    if not values:
        values = list(result.get("partial_unexpected_list") or [])
    unique: list[Any] = []
    for value in values:
        if value not in unique:
            unique.append(value)
    return [plain(value) for value in unique[:EXAMPLE_LIMIT]]


def plain(value: Any) -> Any:
    """numpy / pandas scalars as plain Python values so that examples print readably."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return type(value)(plain(item) for item in value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    item = getattr(value, "item", None)
    if callable(item):
        try:
            return item()
        except (TypeError, ValueError):
            return value
    return value


def bounds(kwargs: dict[str, Any]) -> str:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    parts = ([f"min {low}"] if low is not None else []) + (
        [f"max {high}"] if high is not None else []
    )
    return f" (expected {', '.join(parts)})" if parts else ""


def format_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(plain(value))


def exception_message(exception: Any) -> str | None:
    if not isinstance(exception, dict):
        return None
    if exception.get("raised_exception"):
        return str(exception.get("exception_message"))
    for nested in exception.values():
        if isinstance(nested, dict) and nested.get("raised_exception"):
            return str(nested.get("exception_message"))
    return None


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------
def validate(
    db_path: Path,
    suite: str,
    docs_dir: Path | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    load_batch: int | None = None,
) -> Report:
    """Run `suite` ('raw' or 'marts') against the DuckDB file; `report.failures` lists failures.

    With `docs_dir`, the Data Docs site is built there (`report.docs_index`); without, GE runs
    in memory and writes nothing.
    """
    if suite not in SUITES:
        raise ValueError(f"unknown suite {suite!r}; expected one of {SUITES}")
    if max_rows < 1:
        raise ValueError("max_rows must be at least 1")
    if not db_path.is_file():
        raise FileNotFoundError(f"no DuckDB file at {db_path}")
    report = Report(suite=suite)
    with quiet_gx(), duckdb.connect(str(db_path), read_only=True) as con:
        runner = GateRunner(make_context(docs_dir), report)
        if suite == "raw":
            validate_raw(con, runner, max_rows, load_batch)
        else:
            validate_marts(con, runner, max_rows)
        report.docs_index = runner.build_docs()
    return report


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Data-quality gate: validate the raw layer (before the build) or the marts "
        "(before anyone reads them) of the DuckDB warehouse with great-expectations.",
    )
    parser.add_argument("--db", type=Path, required=True, help="path of the DuckDB file")
    parser.add_argument("--suite", choices=SUITES, required=True, help="which suite to run")
    parser.add_argument(
        "--docs-dir",
        type=Path,
        default=DEFAULT_DOCS_DIR,
        help="GE file context for the Data Docs HTML (default: %(default)s)",
    )
    parser.add_argument(
        "--max-rows",
        type=int,
        default=DEFAULT_MAX_ROWS,
        help="validate at most this many rows per table, a repeatable sample of larger tables "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--load-batch",
        type=int,
        help="raw suite: validate only the rows of this load batch (the export just appended)",
    )
    args = parser.parse_args(argv)
    if args.max_rows < 1:
        parser.error("--max-rows must be at least 1")
    if not args.db.is_file():
        parser.error(f"no DuckDB file at {args.db}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    report = validate(args.db, args.suite, args.docs_dir, args.max_rows, args.load_batch)
    print("\n".join(report.lines()))
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
