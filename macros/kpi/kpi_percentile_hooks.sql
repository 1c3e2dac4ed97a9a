{#
    The hooks of int_kpi_percentiles__observations (docs/architecture.md "Percentiles"). Exact
    percentiles hold every value of their groups in memory and DuckDB holds the groups of every
    part of one query at once, so the model's own query computes the percentiles of the first
    grain of var('kpi_period_grains') and one post-hook per further grain appends theirs: one
    statement per grain, one grain's values in memory at a time. In an incremental run, the
    periods computed are those int_kpi_aggregates__observations has just replaced (their
    _computed_at is the run's start), and the pre-hook deletes their old rows first.
#}


{# clear_kpi_percentile_periods(): the pre-hook; in an incremental run, deletes the rows of every
   grain's periods that the run computes again. Nothing in a full build. #}
{% macro clear_kpi_percentile_periods() -%}
    {%- if is_incremental() %}
delete from {{ this }} as percentiles
using (
    select distinct
        period_grain,
        period_start
    from {{ ref('int_kpi_aggregates__observations') }}
    where _computed_at = {{ run_stamp() }}
) as replaced
where
    percentiles.period_grain = replaced.period_grain
    and percentiles.period_start = replaced.period_start
    {%- endif %}
{%- endmacro %}


{# kpi_percentile_hooks(): the post-hooks, one fill_kpi_percentiles() per grain of
   var('kpi_period_grains') after the first, as hook templates dbt renders when the model runs. #}
{% macro kpi_percentile_hooks() -%}
    {%- set hooks = [] -%}
    {%- for grain in var('kpi_period_grains')[1:] -%}
        {%- do hooks.append("{{ fill_kpi_percentiles('" ~ grain ~ "') }}") -%}
    {%- endfor -%}
    {{ return(hooks) }}
{%- endmacro %}


{#
    fill_kpi_percentiles(grain)

    A post-hook of int_kpi_percentiles__observations: appends the p50_value and p90_value of
    `grain`, for every period in a full build, else for the periods the run computes.
#}
{% macro fill_kpi_percentiles(grain) -%}
insert into {{ this }} (kpi_id, period_grain, period_start, dimension, dimension_value, p50_value, p90_value)
with

measured as (
    select * from {{ ref('int_kpi_observations') }}
    where measure is not null
),

-- an incremental run's few periods: computed once for every breakdown (DuckDB materialises a
-- CTE read several times); a full build's: read in place (materialised, they would hold every
-- value)
measured_in_periods as {{ inlined_cte() if not is_incremental() }} (
    select * from measured
    {%- if is_incremental() %}
    where {{ period_start(grain, 'metric_date') }} in (
        select period_start
        from {{ ref('int_kpi_aggregates__observations') }}
        where period_grain = '{{ grain }}' and _computed_at = {{ run_stamp() }}
    )
    {%- endif %}
)

{{ kpi_observation_percentiles('measured_in_periods', grains=[grain]) }}
{%- endmacro %}
