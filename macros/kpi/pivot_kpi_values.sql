{#
    pivot_kpi_values(kpi_ids, with_percentiles=false, by_period=false)

    Body of a wide per-family KPI mart: one row per period_grain × period_start × dimension ×
    dimension_value, and for each kpi_id the columns <kpi_id>, <kpi_id>_sample_size,
    <kpi_id>_ci_low, <kpi_id>_ci_high, <kpi_id>_is_low_sample (p50/p90 too for time KPIs).
    It reads kpi_values, so a wide mart never recomputes a formula.
    by_period: the mart is incremental with strategy 'replace_periods' and setting_groups
    ['kpi_publication']; a run pivots only the periods kpi_periods_to_recompute() lists and adds
    _computed_at. Only for marts whose KPIs all come from the observation aggregates (the others
    change in every period every run): an incremental run stops with an error otherwise.
#}
{% macro pivot_kpi_values(kpi_ids, with_percentiles=false, by_period=false) -%}
{%- set kpi_list = "('" ~ (kpi_ids | join("', '")) ~ "')" %}
{%- set periods = kpi_periods_to_recompute(['kpi_publication']) if by_period else none %}
{%- set published = ref('int_kpi_values__published') if by_period else none %}
{%- if by_period and execute and is_incremental() %}
    {%- set not_by_period = run_query(
        "select distinct kpi_id from " ~ published
        ~ " where not is_from_observations and kpi_id in " ~ kpi_list
    ).columns[0].values() %}
    {%- if not_by_period | length > 0 %}
        {{ exceptions.raise_compiler_error(
            this.identifier ~ " is incremental by period (pivot_kpi_values by_period), but some of its"
            ~ " KPIs do not come from the observation aggregates and change in every run ("
            ~ (not_by_period | join(', ')) ~ "): build this mart as a table (by_period=false)"
        ) }}
    {%- endif %}
{%- endif %}
with

kpi_values as (
    select * from {{ ref('kpi_values') }}
    where
        kpi_id in {{ kpi_list }}
        and {{ in_kpi_periods('period_grain', 'period_start', periods) }}
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
        {{- ',' if (by_period or not loop.last) }}
        {%- endfor %}
        {%- if by_period %}
        {{ run_stamp() }} as _computed_at
        {%- endif %}
    from kpi_values
    group by period_grain, period_start, dimension, dimension_value
)

select * from final
{%- endmacro %}
