"""The raw export contract, read from the dbt source definitions.

`models/staging/<source>/_<source>__sources.yml` declares every export table of
`../shared/docs/raw-contract.md` with a `meta` block per column (type, required, accepted
values, optional). This module turns those files into plain Python objects so that the loader, the
demo-data generator and the great-expectations suites follow the same definition as the
dbt staging layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STAGING_DIR = PROJECT_ROOT / "models" / "staging"

COLUMN_TYPES = {"id", "text", "timestamp", "boolean", "integer", "decimal", "enum"}


@dataclass(frozen=True)
class Column:
    """One column of an export table."""

    name: str
    type: str
    required: bool = False
    values: tuple[str, ...] = ()
    personal_data: bool = False
    # an export may leave the column out (loaded as null): no KPI reads it
    optional: bool = False


@dataclass(frozen=True)
class Table:
    """One export table: its source system, primary key and columns."""

    name: str
    source: str
    primary_key: str
    columns: tuple[Column, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def optional_column_names(self) -> list[str]:
        return [column.name for column in self.columns if column.optional]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")


def _parse_table(source_name: str, raw: dict) -> Table:
    meta = raw.get("meta") or {}
    columns = []
    for raw_column in raw.get("columns", []):
        column_meta = raw_column.get("meta") or {}
        column_type = column_meta.get("type", "text")
        if column_type not in COLUMN_TYPES:
            raise ValueError(
                f"{raw['name']}.{raw_column['name']}: unknown contract type {column_type!r}"
            )
        column = Column(
            name=raw_column["name"],
            type=column_type,
            required=bool(column_meta.get("required", False)),
            values=tuple(str(v) for v in column_meta.get("values", [])),
            personal_data=bool(column_meta.get("personal_data", False)),
            optional=bool(column_meta.get("optional", False)),
        )
        if column.optional and (column.required or column.name == meta["primary_key"]):
            raise ValueError(
                f"{raw['name']}.{column.name}: a primary key or required column cannot be optional"
            )
        columns.append(column)
    return Table(
        name=raw["name"],
        source=source_name,
        primary_key=meta["primary_key"],
        columns=tuple(columns),
    )


@lru_cache(maxsize=1)
def load_contract(staging_dir: Path = STAGING_DIR) -> dict[str, Table]:
    """Return every export table of the contract, keyed by table (file) name."""
    tables: dict[str, Table] = {}
    for path in sorted(staging_dir.glob("*/_*__sources.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for source in document.get("sources", []):
            for raw_table in source.get("tables", []):
                if "primary_key" not in (raw_table.get("meta") or {}):
                    continue  # not an export table (e.g. the loader's own reject table)
                table = _parse_table(source["name"], raw_table)
                if table.name in tables:
                    raise ValueError(f"table {table.name} is declared twice")
                tables[table.name] = table
    if not tables:
        raise FileNotFoundError(f"no source definitions found under {staging_dir}")
    return tables
