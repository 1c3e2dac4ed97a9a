{#
    period_counts(relation, key_column, date_column, max_column=none)

    A query of the rows of `relation` counted per `key_column` (a column, or a list of columns)
    and period of every grain of
    var('kpi_period_grains'): period_grain, period_start, <key_column>, event_count, and with
    `max_column` the largest value of that column among the period's rows (e.g. _load_batch, the
    latest load batch counted), under the same name. Days are
    counted from the rows; every coarser grain from the finest grain that nests in it (a quarter
    from its months, a year from its quarters, a week or a month from its days), never from the
    rows again. Rows with a null key or date are not counted. Used for the touch events per
    customer and period (int_customers__touch_periods, int_kpi_aggregates__engagement) and the
    journeys per touchpoint count, tier and period (the histogram of journey_touchpoints).
#}
{% macro period_counts(relation, key_column, date_column, max_column=none) -%}
    {%- set grains = var('kpi_period_grains') -%}
    {%- set key_list = [key_column] if key_column is string else key_column -%}
    {%- set keys = key_list | join(', ') -%}
    {%- set nests_in = {'quarter': 'month', 'year': 'quarter'} %}
    with

    counts_day as (
        select
            {{ date_column }} as period_start,
            {{ keys }},
            {%- if max_column %}
            max({{ max_column }}) as {{ max_column }},
            {%- endif %}
            count(*) as event_count
        from {{ relation }}
        where
            {%- for key in key_list %}
            {{ key }} is not null and
            {%- endfor %}
            {{ date_column }} is not null
        group by {{ date_column }}, {{ keys }}
    ),
    {%- for grain in grains if grain != 'day' %}
    {%- set source_grain = nests_in.get(grain) if nests_in.get(grain) in grains else 'day' %}

    counts_{{ grain }} as (
        select
            {{ period_start(grain, 'period_start') }} as period_start,
            {{ keys }},
            {%- if max_column %}
            max({{ max_column }}) as {{ max_column }},
            {%- endif %}
            -- a count stays a bigint (DuckDB sums integers into a 128-bit hugeint)
            cast(sum(event_count) as bigint) as event_count
        from counts_{{ source_grain }}
        group by {{ period_start(grain, 'period_start') }}, {{ keys }}
    ),
    {%- endfor %}

    all_counts as (
        {%- for grain in grains %}
        select
            '{{ grain }}' as period_grain,
            period_start,
            {{ keys }},
            {%- if max_column %}
            {{ max_column }},
            {%- endif %}
            event_count
        from counts_{{ grain }}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    )

    select * from all_counts
{%- endmacro %}
