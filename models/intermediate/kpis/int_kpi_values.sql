-- Every KPI aggregate with its value, 95 % confidence interval and low-sample flag, computed
-- by the formulas of macros/kpi/kpi_formulas.sql for the KPI's method (seed kpi_definitions).
with

observation_aggregates as (
    select * from {{ ref('int_kpi_aggregates__observations') }}
),

customer_base_aggregates as (
    select * from {{ ref('int_kpi_aggregates__customer_base') }}
),

ticket_snapshot_aggregates as (
    select * from {{ ref('int_kpi_aggregates__ticket_snapshots') }}
),

channel_share_aggregates as (
    select * from {{ ref('int_kpi_aggregates__channel_share') }}
),

relationship_aggregates as (
    select * from {{ ref('int_kpi_aggregates__relationship') }}
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

final as (
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
            as ci_low,
        {{ kpi_ci_high('definitions.method', 'aggregates.numerator', 'aggregates.denominator', 'aggregates.squares') }}
            as ci_high,
        {{ kpi_is_low_sample('definitions.method', 'aggregates.denominator') }} as is_low_sample
    from aggregates
    inner join definitions
        on aggregates.kpi_id = definitions.kpi_id
)

select * from final
