-- churn_rate and retention_rate per period grain, overall and per customer tier, from the
-- customer activity spans (kpi-catalog.md "Attribution"; DECISIONLOG.md "Churn and retention").
-- For a period P = [start, next start):
--   active at start S   spans that started before P and had not ended before it
--   lost                spans active at P's start that end within P
--   acquired N          spans that start within P and are still active at its end
--   active at end E     S - lost + N
-- churn_rate = lost / S; retention_rate = (E - N) / S. Counting uses running sums of span
-- starts and ends, so the cost grows with spans × grains, not spans × days.
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

span_periods as (
    {%- for grain in var('kpi_period_grains') %}
    select
        '{{ grain }}' as period_grain,
        customer_tier,
        {{ period_start(grain, 'span_start_at') }} as start_period,
        {{ period_start(grain, 'span_end_at') }} as end_period
    from spans
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

starts as (
    select
        period_grain,
        customer_tier,
        start_period as period_start,
        count(*) as started_spans,
        sum(case when end_period is null or end_period > start_period then 1 else 0 end)
            as acquired_customers
    from span_periods
    group by period_grain, customer_tier, start_period
),

ends as (
    select
        period_grain,
        customer_tier,
        end_period as period_start,
        count(*) as ended_spans,
        sum(case when start_period < end_period then 1 else 0 end) as lost_customers
    from span_periods
    where end_period is not null
    group by period_grain, customer_tier, end_period
),

tiers as (
    select distinct customer_tier from spans
),

movement_keys as (
    select
        period_grain,
        customer_tier,
        period_start
    from starts
    union
    select
        period_grain,
        customer_tier,
        period_start
    from ends
    union
    select
        calendar_periods.period_grain,
        tiers.customer_tier,
        calendar_periods.period_start
    from calendar_periods
    cross join tiers
),

movements as (
    select
        movement_keys.period_grain,
        movement_keys.customer_tier,
        movement_keys.period_start,
        coalesce(starts.started_spans, 0) as started_spans,
        coalesce(starts.acquired_customers, 0) as acquired_customers,
        coalesce(ends.ended_spans, 0) as ended_spans,
        coalesce(ends.lost_customers, 0) as lost_customers
    from movement_keys
    left join starts
        on
            movement_keys.period_grain = starts.period_grain
            and movement_keys.customer_tier = starts.customer_tier
            and movement_keys.period_start = starts.period_start
    left join ends
        on
            movement_keys.period_grain = ends.period_grain
            and movement_keys.customer_tier = ends.customer_tier
            and movement_keys.period_start = ends.period_start
),

running as (
    select
        *,
        coalesce(sum(started_spans - ended_spans) over (
            partition by period_grain, customer_tier
            order by period_start
            rows between unbounded preceding and 1 preceding
        ), 0) as active_at_start
    from movements
),

per_tier as (
    select running.*
    from running
    inner join calendar_periods
        on
            running.period_grain = calendar_periods.period_grain
            and running.period_start = calendar_periods.period_start
),

per_dimension as (
    select
        period_grain,
        period_start,
        'all' as dimension,
        'all' as dimension_value,
        sum(active_at_start) as active_at_start,
        sum(lost_customers) as lost_customers,
        sum(acquired_customers) as acquired_customers
    from per_tier
    group by period_grain, period_start
    union all
    select
        period_grain,
        period_start,
        'customer_tier' as dimension,
        customer_tier as dimension_value,
        active_at_start,
        lost_customers,
        acquired_customers
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
