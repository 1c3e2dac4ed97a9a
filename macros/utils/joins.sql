{#
    latest_row_before_join(relation, alias, key, left_key, left_instant, instant_column)

    Join clause attaching to each left row the row of `relation` with the same key whose
    instant_column is the latest one strictly before left_instant (no such row: no output row,
    like an inner join). For non-overlapping intervals (activity spans) this is "the interval
    in force at left_instant, or the last one before it". A hash join on the key with the range
    [instant, next instant) as a filter: standard SQL, cheap when the key has few rows. (DuckDB's
    ASOF join gives the same rows, but a quantile aggregate over its output ran out of memory
    at 2 M tickets.) Rows of one key must have distinct instants.
#}
{% macro latest_row_before_join(relation, alias, key, left_key, left_instant, instant_column) -%}
    inner join (
        select
            *,
            lead({{ instant_column }}) over (
                partition by {{ key }}
                order by {{ instant_column }}
            ) as _next_instant
        from {{ relation }}
    ) as {{ alias }}
        on
            {{ left_key }} = {{ alias }}.{{ key }}
            and {{ left_instant }} > {{ alias }}.{{ instant_column }}
            and ({{ alias }}._next_instant is null or {{ left_instant }} <= {{ alias }}._next_instant)
{%- endmacro %}
