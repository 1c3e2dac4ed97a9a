{#
    aggregate_kpi_observations(observations)

    Rolls KPI observations up to every period grain of var('kpi_period_grains') and every
    breakdown dimension. `observations` is a relation with the columns of
    int_kpi_observations: kpi_id, metric_date, one column per dimension of kpi_dimensions()
    (null = the dimension does not apply to that KPI, so no row is published for it; hour_of_day
    '00'..'23' and day_of_week '1'..'7', ISO Monday = 1, in UTC), numerator, denominator and
    measure (the raw value whose p50/p90 are published, for time KPIs).
    Returns one row per kpi_id × period_grain × period_start × dimension × dimension_value with
    the additive sums numerator, denominator, squares (Σ numerator²) and the p50/p90 of measure.
#}
{% macro kpi_dimensions() -%}
    {{ return({
        'channel': 'channel',
        'team': 'team',
        'agent': 'agent_id',
        'category': 'category',
        'priority': 'priority',
        'customer_tier': 'customer_tier',
        'survey_type': 'survey_type',
        'hour_of_day': 'hour_of_day',
        'day_of_week': 'day_of_week',
    }) }}
{%- endmacro %}


{% macro percentile(expression, fraction) -%}
    {{ return(adapter.dispatch('percentile', 'cx_warehouse')(expression, fraction)) }}
{%- endmacro %}

{% macro default__percentile(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__percentile(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}


{#
    rollup_by_period(relation, date_column, dimensions, aggregates, keys=[])

    For every grain of var('kpi_period_grains'): GROUP BY GROUPING SETS of (keys, period_start)
    alone (dimension 'all') and with each breakdown column of `dimensions` (a dict dimension name
    -> column), unioned. Returns keys, period_grain, period_start, dimension, dimension_value and
    one column per entry of `aggregates` (a dict column name -> aggregate SQL expression).
#}
{% macro rollup_by_period(relation, date_column, dimensions, aggregates, keys=[]) -%}
    {%- set key_prefix = keys | join(', ') ~ (', ' if keys else '') -%}
    {%- for grain in var('kpi_period_grains') %}
    select
        {{ key_prefix }}'{{ grain }}' as period_grain,
        period_start,
        case
            {%- for dimension, column in dimensions.items() %}
            when grouping({{ column }}) = 0 then '{{ dimension }}'
            {%- endfor %}
            else 'all'
        end as dimension,
        case
            {%- for dimension, column in dimensions.items() %}
            when grouping({{ column }}) = 0 then {{ column }}
            {%- endfor %}
            else 'all'
        end as dimension_value,
        {%- for name, expression in aggregates.items() %}
        {{ expression }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            *,
            {{ period_start(grain, date_column) }} as period_start
        from {{ relation }}
    ) as rows_by_{{ grain }}
    group by grouping sets (
        ({{ key_prefix }}period_start),
        {%- for column in dimensions.values() %}
        ({{ key_prefix }}period_start, {{ column }}){{ ',' if not loop.last }}
        {%- endfor %}
    )
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{% macro aggregate_kpi_observations(observations) -%}
    {{ rollup_by_period(
        observations,
        'metric_date',
        kpi_dimensions(),
        {
            'numerator': 'sum(numerator)',
            'denominator': 'sum(denominator)',
            'squares': 'sum(numerator * numerator)',
            'p50_value': percentile('measure', 0.5),
            'p90_value': percentile('measure', 0.9),
        },
        keys=['kpi_id'],
    ) }}
{%- endmacro %}
