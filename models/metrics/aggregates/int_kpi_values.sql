-- Every KPI aggregate with its value, 95 % confidence interval (clipped to the KPI's scale) and
-- low-sample flag, computed by the formulas of macros/kpi/kpi_formulas.sql for the KPI's method
-- (seed kpi_definitions).
-- is_from_observations: the row comes from the period-incremental observation aggregates (the
-- other aggregate models are small and rebuilt every run).
-- A view: its one reader, int_kpi_values__published, computes the rows it republishes as part
-- of its own build, so the 5 M rows (at 2 M tickets) are not written twice; kpi_values tests
-- the key.
{{ config(materialized='view') }}

with

observation_aggregates as (
    -- without its bookkeeping column _computed_at
    select
        kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        numerator,
        denominator,
        squares,
        p50_value,
        p90_value,
        true as is_from_observations
    from {{ ref('int_kpi_aggregates__observations') }}
),

customer_base_aggregates as (
    select
        *,
        false as is_from_observations
    from {{ ref('int_kpi_aggregates__customer_base') }}
),

ticket_snapshot_aggregates as (
    select
        *,
        false as is_from_observations
    from {{ ref('int_kpi_aggregates__ticket_snapshots') }}
),

channel_share_aggregates as (
    select
        *,
        false as is_from_observations
    from {{ ref('int_kpi_aggregates__channel_share') }}
),

relationship_aggregates as (
    select
        *,
        false as is_from_observations
    from {{ ref('int_kpi_aggregates__relationship') }}
),

definitions as (
    select * from {{ ref('kpi_definitions') }}
),

aggregates as (
    select * from observation_aggregates
    union all
    select * from customer_base_aggregates
    union all
    select * from ticket_snapshot_aggregates
    union all
    select * from channel_share_aggregates
    union all
    select * from relationship_aggregates
),

computed as (
    select
        aggregates.kpi_id,
        aggregates.period_grain,
        aggregates.period_start,
        aggregates.dimension,
        aggregates.dimension_value,
        {{ kpi_value('definitions.method', 'aggregates.numerator', 'aggregates.denominator') }} as value,
        aggregates.p50_value,
        aggregates.p90_value,
        aggregates.numerator,
        aggregates.denominator,
        {{ kpi_ci_low('definitions.method', 'aggregates.numerator', 'aggregates.denominator', 'aggregates.squares') }}
            as unclipped_ci_low,
        {{ kpi_ci_high('definitions.method', 'aggregates.numerator', 'aggregates.denominator', 'aggregates.squares') }}
            as unclipped_ci_high,
        {{ kpi_is_low_sample('definitions.method', 'aggregates.denominator') }} as is_low_sample,
        aggregates.is_from_observations,
        definitions.value_min,
        definitions.value_max
    from aggregates
    inner join definitions
        on aggregates.kpi_id = definitions.kpi_id
),

final as (
    select
        kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        value,
        p50_value,
        p90_value,
        numerator,
        denominator,
        -- an interval never leaves the KPI's scale (seed kpi_definitions: value_min, value_max),
        -- e.g. a t interval of a CES mean from two responses stays within 1..7
        case
            when unclipped_ci_low is not null and value_min is not null then greatest(unclipped_ci_low, value_min)
            else unclipped_ci_low
        end as ci_low,
        case
            when unclipped_ci_high is not null and value_max is not null then least(unclipped_ci_high, value_max)
            else unclipped_ci_high
        end as ci_high,
        is_low_sample,
        is_from_observations
    from computed
)

select * from final
