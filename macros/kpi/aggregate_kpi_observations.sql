{#
    aggregate_kpi_observations(observations)

    Rolls KPI observations up to every period grain of var('kpi_period_grains') and every
    breakdown dimension. `observations` is a relation with the columns of
    int_kpi_observations: kpi_id, metric_date, one column per dimension (null = the dimension
    does not apply to that KPI, so no row is published for it), numerator, denominator and
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


{% macro aggregate_kpi_observations(observations) -%}
    {%- set dimensions = kpi_dimensions() -%}
    {%- for grain in var('kpi_period_grains') %}
    select
        kpi_id,
        '{{ grain }}' as period_grain,
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
        sum(numerator) as numerator,
        sum(denominator) as denominator,
        sum(numerator * numerator) as squares,
        {{ percentile('measure', 0.5) }} as p50_value,
        {{ percentile('measure', 0.9) }} as p90_value
    from (
        select
            *,
            {{ period_start(grain, 'metric_date') }} as period_start
        from {{ observations }}
    ) as observations_{{ grain }}
    group by grouping sets (
        (kpi_id, period_start),
        {%- for column in dimensions.values() %}
        (kpi_id, period_start, {{ column }}){{ ',' if not loop.last }}
        {%- endfor %}
    )
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
