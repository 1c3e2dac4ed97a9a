{#
    The KPI observations and the percentile post-hooks of int_kpi_aggregates__observations
    (docs/architecture.md "Percentiles"). Exact percentiles hold every value of their groups in
    memory and DuckDB holds the groups of every part of one query at once, so the model's own
    query computes the percentiles of the first grain of var('kpi_period_grains') and one
    post-hook per further grain fills in theirs: one statement per grain, one grain's values in
    memory at a time.
#}


{# kpi_observation_models(): the int_kpi_observations__<family> models; a new KPI family adds its
   model here. #}
{% macro kpi_observation_models() -%}
    {{ return([
        'int_kpi_observations__survey_responses',
        'int_kpi_observations__survey_invitations',
        'int_kpi_observations__quality_reviews',
        'int_kpi_observations__tickets',
        'int_kpi_observations__ticket_responses',
        'int_kpi_observations__queue_contacts',
        'int_kpi_observations__contacts',
    ]) }}
{%- endmacro %}


{# kpi_observations(): a query of every KPI observation with a metric_date, in one shape: kpi_id,
   metric_date, the kpi_dimensions() columns, numerator, denominator, measure. #}
{% macro kpi_observations() -%}
    {%- for model in kpi_observation_models() %}
    select
        kpi_id,
        metric_date,
        {%- for column in kpi_dimensions().values() %}
        {{ column }},
        {%- endfor %}
        numerator,
        denominator,
        measure
    from {{ ref(model) }}
    where metric_date is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{# kpi_percentile_hooks(): the post-hooks of int_kpi_aggregates__observations, one
   fill_kpi_percentiles() per grain of var('kpi_period_grains') after the first, as hook
   templates dbt renders when the model runs. #}
{% macro kpi_percentile_hooks() -%}
    {%- set hooks = [] -%}
    {%- for grain in var('kpi_period_grains')[1:] -%}
        {%- do hooks.append("{{ fill_kpi_percentiles('" ~ grain ~ "') }}") -%}
    {%- endfor -%}
    {{ return(hooks) }}
{%- endmacro %}


{#
    fill_kpi_percentiles(grain)

    A post-hook of int_kpi_aggregates__observations: sets p50_value and p90_value of the rows of
    `grain` that have none yet although their KPI has percentiles (at the first grain, which the
    model's query computes: the time KPIs), i.e. the rows of the periods the query has just
    written (every period after a full build), from the observations of those periods.
#}
{% macro fill_kpi_percentiles(grain) -%}
update {{ this }} as aggregates
set
    p50_value = percentiles.p50_value,
    p90_value = percentiles.p90_value
from (
    with periods_to_fill as {{ materialized_cte() }} (
        select distinct
            period_grain,
            period_start
        from {{ this }}
        where
            period_grain = '{{ grain }}'
            and p50_value is null
            and kpi_id in (
                select kpi_id from {{ this }}
                where period_grain = '{{ var('kpi_period_grains')[0] }}' and p50_value is not null
            )
    ),

    observations as (
        {{ kpi_observations() }}
    ),

    -- an incremental run's few periods: materialised once for every breakdown (read in place,
    -- each breakdown would re-read every observation); a full build's: read in place
    -- (materialised, they would hold every value)
    measured as {{ materialized_cte() if is_incremental() else inlined_cte() }} (
        select * from observations
        where {{ kpi_period_filter(grain, 'metric_date', 'periods_to_fill') }}
    )

    {{ kpi_observation_percentiles('measured', grains=[grain]) }}
) as percentiles
where
    aggregates.kpi_id = percentiles.kpi_id
    and aggregates.period_grain = percentiles.period_grain
    and aggregates.period_start = percentiles.period_start
    and aggregates.dimension = percentiles.dimension
    and aggregates.dimension_value = percentiles.dimension_value
{%- endmacro %}
