{#
    How the engine evaluates a CTE that several parts of a query read (docs/architecture.md
    "Import CTEs are read in place"). DuckDB computes such a CTE once and keeps the result; a CTE
    read once is read in place.

    inlined_cte(): substitute the CTE's query into every reader (DuckDB `not materialized`). For
    an import CTE (`select * from <model table>`) read several times: DuckDB otherwise copies
    the whole table once per query before reading it, and a filter or join of a reader cannot
    reach the table's scan. Not for views (each reader would run the view again).
#}
{% macro inlined_cte() -%}
    {{ return(adapter.dispatch('inlined_cte', 'cx_warehouse')()) }}
{%- endmacro %}

{% macro default__inlined_cte() -%}
{%- endmacro %}

{% macro duckdb__inlined_cte() -%}
    not materialized
{%- endmacro %}
