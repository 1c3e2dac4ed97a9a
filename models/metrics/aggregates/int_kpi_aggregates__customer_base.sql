-- churn_rate and retention_rate per period grain, overall and per customer tier, from the
-- customer activity spans (kpi-catalog.md "Attribution"; DECISIONLOG.md "Churn and retention").
-- For a period P, active_customer_counts (macros/kpi/active_customers.sql) gives per tier:
--   active at start S   spans that started before P and had not ended before it
--   lost                spans active at P's start that end within P
-- churn_rate = lost / S; retention_rate = (active at end - acquired) / S = (S - lost) / S.
with

spans as {{ inlined_cte() }} (
    select * from {{ ref('fct_customer_activity_spans') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

calendar_periods as (
    {{ calendar_periods('calendar') }}
),

per_tier as (
    {{ active_customer_counts('spans', 'customer_key', 'calendar_periods') }}  -- noqa: PRS
),

per_dimension as (
    select
        period_grain,
        period_start,
        'all' as dimension,
        'all' as dimension_value,
        sum(active_at_start) as active_at_start,
        sum(lost_customers) as lost_customers
    from per_tier
    group by period_grain, period_start
    union all
    select
        period_grain,
        period_start,
        'customer_tier' as dimension,
        customer_tier as dimension_value,
        active_at_start,
        lost_customers
    from per_tier
),

final as (
    select
        'churn_rate' as kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        cast(lost_customers as double) as numerator,
        cast(active_at_start as double) as denominator,
        cast(lost_customers as double) * lost_customers as squares,
        cast(null as double) as p50_value,
        cast(null as double) as p90_value
    from per_dimension
    where active_at_start > 0
    union all
    select
        'retention_rate' as kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        -- (active at end - acquired) = active at start - lost
        cast(active_at_start - lost_customers as double) as numerator,
        cast(active_at_start as double) as denominator,
        cast(active_at_start - lost_customers as double) * (active_at_start - lost_customers) as squares,
        cast(null as double) as p50_value,
        cast(null as double) as p90_value
    from per_dimension
    where active_at_start > 0
)

select * from final
