{#
    get_where_subquery(relation)

    Overrides dbt's built-in: the relation a data test reads, filtered by the test's `where`
    config. A `where` may hold the placeholder __test_from_batch__, replaced at run time by the
    environment variable CX_TEST_FROM_BATCH (default 0): a full build tests every row, an
    incremental run (scripts/run_warehouse.py --append) only the load batches it adds
    (docs/architecture.md "Incremental builds"). Read at run time only, never while parsing, so a new
    value does not invalidate dbt's partial parsing (a changed --vars would re-parse everything).
    The placeholder __latest_computed_at__ becomes the relation's latest _computed_at, so a test
    of an incremental model with `where: _computed_at = __latest_computed_at__` reads the rows the
    latest run wrote (every row after a full build).
#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where -%}
        {%- if '__test_from_batch__' in where -%}
            {%- set from_batch = (env_var('CX_TEST_FROM_BATCH', '0') | int) if execute else 0 -%}
            {%- set where = where | replace('__test_from_batch__', from_batch | string) -%}
        {%- endif -%}
        {%- if '__latest_computed_at__' in where -%}
            {%- set latest -%}
                (select max(latest_rows._computed_at) from {{ relation }} as latest_rows)
            {%- endset -%}
            {%- set where = where | replace('__latest_computed_at__', latest) -%}
        {%- endif -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) as dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}
