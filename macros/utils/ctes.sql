{#
    How the engine evaluates a CTE that several parts of a query read (DECISIONLOG.md
    "Import CTEs are read in place"). Both return the keyword that goes between `<name> as`
    and the CTE's parenthesis; on engines without the keyword (Spark) they return nothing and
    the engine decides.

    materialized_cte(): compute the CTE once and let every reader scan the result (DuckDB
    `materialized`). For a filtered or aggregated CTE read several times.

    inlined_cte(): substitute the CTE's query into every reader (DuckDB `not materialized`). For
    an import CTE (`select * from <model table>`) read several times: DuckDB otherwise copies
    the whole table once per query before reading it, and a filter or join of a reader cannot
    reach the table's scan. Not for views (each reader would run the view again).
#}
{% macro materialized_cte() -%}
    {{ return(adapter.dispatch('materialized_cte', 'cx_warehouse')()) }}
{%- endmacro %}

{% macro default__materialized_cte() -%}
{%- endmacro %}

{% macro duckdb__materialized_cte() -%}
    materialized
{%- endmacro %}


{% macro inlined_cte() -%}
    {{ return(adapter.dispatch('inlined_cte', 'cx_warehouse')()) }}
{%- endmacro %}

{% macro default__inlined_cte() -%}
{%- endmacro %}

{% macro duckdb__inlined_cte() -%}
    not materialized
{%- endmacro %}
