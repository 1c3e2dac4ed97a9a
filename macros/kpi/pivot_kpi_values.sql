{#
    pivot_kpi_values(kpi_ids, with_percentiles=false)

    Body of a wide per-family KPI mart: one row per period_grain × period_start × dimension ×
    dimension_value, and for each kpi_id the columns <kpi_id>, <kpi_id>_sample_size,
    <kpi_id>_ci_low, <kpi_id>_ci_high, <kpi_id>_is_low_sample (p50/p90 too for time KPIs).
    It reads kpi_values, so a wide mart never recomputes a formula.
#}
{% macro pivot_kpi_values(kpi_ids, with_percentiles=false) -%}
{%- set kpi_list = "('" ~ (kpi_ids | join("', '")) ~ "')" %}
with

kpi_values as (
    select * from {{ ref('kpi_values') }}
    where kpi_id in {{ kpi_list }}
),

final as (
    select
        period_grain,
        period_start,
        dimension,
        dimension_value,
        {%- for kpi_id in kpi_ids %}
        max(case when kpi_id = '{{ kpi_id }}' then value end) as {{ kpi_id }},
        {%- if with_percentiles %}
        max(case when kpi_id = '{{ kpi_id }}' then p50_value end) as {{ kpi_id }}_p50,
        max(case when kpi_id = '{{ kpi_id }}' then p90_value end) as {{ kpi_id }}_p90,
        {%- endif %}
        max(case when kpi_id = '{{ kpi_id }}' then denominator end) as {{ kpi_id }}_sample_size,
        max(case when kpi_id = '{{ kpi_id }}' then ci_low end) as {{ kpi_id }}_ci_low,
        max(case when kpi_id = '{{ kpi_id }}' then ci_high end) as {{ kpi_id }}_ci_high,
        bool_or(case when kpi_id = '{{ kpi_id }}' then is_low_sample end) as {{ kpi_id }}_is_low_sample
        {{- ',' if not loop.last }}
        {%- endfor %}
    from kpi_values
    group by period_grain, period_start, dimension, dimension_value
)

select * from final
{%- endmacro %}
