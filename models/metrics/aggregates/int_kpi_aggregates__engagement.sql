-- engagement_rate and touchpoints_per_customer per period grain, overall and per customer tier,
-- in the aggregate shape of int_kpi_aggregates__customer_base (DECISIONLOG.md "Relationship
-- KPIs"):
--   engagement_rate           active customers (an activity span overlaps the period) with a
--                             touchpoint event in the period / active customers
--   touchpoints_per_customer  touchpoint events / engaged active customers (mean, p50, p90)
-- The active customers per period come from active_customer_counts
-- (macros/kpi/active_customers.sql), as churn and retention's do.
with

spans as {{ inlined_cte() }} (
    select * from {{ ref('fct_customer_activity_spans') }}
),

touch_events as (
    select * from {{ ref('int_customers__touchpoint_events') }}
),

customer_touch_counts as {{ inlined_cte() }} (
    select * from {{ ref('int_customers__touch_periods') }}
),

engaged_periods as (
    select * from {{ ref('int_customers__engaged_periods') }}
),

bounds as {{ inlined_cte() }} (
    select * from {{ ref('int_calendar__data_bounds') }}
),

-- the customers' touch events per period (all of them), less those after the as-of date
-- (usually none: the as-of date is the last day of the exports, or var('as_of_date'))
late_touch_events as (
    select
        touch_events.customer_id,
        touch_events.occurred_date
    from touch_events
    cross join bounds
    where touch_events.occurred_date > bounds.as_of_date
),

late_touch_periods as (
    {{ period_counts('late_touch_events', 'customer_id', 'occurred_date') }}  -- noqa: PRS
),

-- the periods with a touch by the as-of date: more customers touched in them than customers
-- whose touches there all fall after it (counted on the per-period tables, not on the 18 M
-- customer-periods of int_customers__touch_periods)
period_touch_customers as (
    select
        period_grain,
        period_start,
        count(*) as touch_customers
    from customer_touch_counts
    group by period_grain, period_start
),

period_late_customers as (
    select
        customer_touch_counts.period_grain,
        customer_touch_counts.period_start,
        count(*) as late_customers
    from customer_touch_counts
    inner join late_touch_periods
        on
            customer_touch_counts.period_grain = late_touch_periods.period_grain
            and customer_touch_counts.period_start = late_touch_periods.period_start
            and customer_touch_counts.customer_id = late_touch_periods.customer_id
    where late_touch_periods.event_count >= customer_touch_counts.event_count
    group by customer_touch_counts.period_grain, customer_touch_counts.period_start
),

touch_periods as (
    select
        period_touch_customers.period_grain,
        period_touch_customers.period_start
    from period_touch_customers
    left join period_late_customers
        on
            period_touch_customers.period_grain = period_late_customers.period_grain
            and period_touch_customers.period_start = period_late_customers.period_start
    where period_touch_customers.touch_customers > coalesce(period_late_customers.late_customers, 0)
),

active_customers as (
    {{ active_customer_counts('spans', 'customer_key', 'touch_periods') }}  -- noqa: PRS
),

engaged_customers as (
    -- the engaged customer-periods (active, with a touch) by the as-of date: less the touches
    -- after it, and none left when all of them fall after it
    select
        engaged_periods.period_grain,
        engaged_periods.period_start,
        engaged_periods.customer_id,
        engaged_periods.customer_tier,
        engaged_periods.event_count - coalesce(late_touch_periods.event_count, 0) as event_count
    from engaged_periods
    left join late_touch_periods
        on
            engaged_periods.period_grain = late_touch_periods.period_grain
            and engaged_periods.period_start = late_touch_periods.period_start
            and engaged_periods.customer_id = late_touch_periods.customer_id
    where engaged_periods.event_count > coalesce(late_touch_periods.event_count, 0)
),

-- the touch counts as a histogram (how many engaged customers had n touches): the sums and
-- exact percentiles come from it, without holding 9 M counts in memory (histogram_percentiles)
engaged_histogram as (
    select
        period_grain,
        period_start,
        customer_tier,
        event_count,
        count(*) as customers
    from engaged_customers
    group by period_grain, period_start, customer_tier, event_count
),

engaged_counts as (
    select
        period_grain,
        period_start,
        customer_tier,
        sum(customers) as engaged_customers,
        sum(event_count * customers) as touch_events,
        sum(event_count * event_count * customers) as touch_event_squares
    from engaged_histogram
    group by period_grain, period_start, customer_tier
),

engaged_percentiles as (
    {{ histogram_percentiles(
        'engaged_histogram', ['period_grain', 'period_start', 'customer_tier'], 'event_count', 'customers'
    ) }}  -- noqa: PRS
),

engaged_histogram_all as (
    select
        period_grain,
        period_start,
        event_count,
        sum(customers) as customers
    from engaged_histogram
    group by period_grain, period_start, event_count
),

engaged_percentiles_all as (
    {{ histogram_percentiles(
        'engaged_histogram_all', ['period_grain', 'period_start'], 'event_count', 'customers'
    ) }}  -- noqa: PRS
),

engagement_by_tier as (
    select
        active_customers.period_grain,
        active_customers.period_start,
        'customer_tier' as dimension,
        active_customers.customer_tier as dimension_value,
        active_customers.active_customers,
        coalesce(engaged_counts.engaged_customers, 0) as engaged_customers,
        coalesce(engaged_counts.touch_events, 0) as touch_events,
        coalesce(engaged_counts.touch_event_squares, 0) as touch_event_squares,
        engaged_percentiles.p50_value as p50_touch_events,
        engaged_percentiles.p90_value as p90_touch_events
    from active_customers
    left join engaged_counts
        on
            active_customers.period_grain = engaged_counts.period_grain
            and active_customers.period_start = engaged_counts.period_start
            and active_customers.customer_tier = engaged_counts.customer_tier
    left join engaged_percentiles
        on
            active_customers.period_grain = engaged_percentiles.period_grain
            and active_customers.period_start = engaged_percentiles.period_start
            and active_customers.customer_tier = engaged_percentiles.customer_tier
),

engagement_all as (
    select
        engagement_by_tier.period_grain,
        engagement_by_tier.period_start,
        'all' as dimension,
        'all' as dimension_value,
        sum(engagement_by_tier.active_customers) as active_customers,
        sum(engagement_by_tier.engaged_customers) as engaged_customers,
        sum(engagement_by_tier.touch_events) as touch_events,
        sum(engagement_by_tier.touch_event_squares) as touch_event_squares,
        max(engaged_percentiles_all.p50_value) as p50_touch_events,
        max(engaged_percentiles_all.p90_value) as p90_touch_events
    from engagement_by_tier
    left join engaged_percentiles_all
        on
            engagement_by_tier.period_grain = engaged_percentiles_all.period_grain
            and engagement_by_tier.period_start = engaged_percentiles_all.period_start
    group by engagement_by_tier.period_grain, engagement_by_tier.period_start
),

engagement as (
    select * from engagement_by_tier
    union all
    select * from engagement_all
),

final as (
    select
        'engagement_rate' as kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        cast(engaged_customers as double) as numerator,
        cast(active_customers as double) as denominator,
        cast(engaged_customers as double) as squares,
        cast(null as double) as p50_value,
        cast(null as double) as p90_value
    from engagement
    where active_customers > 0
    union all
    select
        'touchpoints_per_customer' as kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        cast(touch_events as double) as numerator,
        cast(engaged_customers as double) as denominator,
        cast(touch_event_squares as double) as squares,
        cast(p50_touch_events as double) as p50_value,
        cast(p90_touch_events as double) as p90_value
    from engagement
    where engaged_customers > 0
)

select * from final
