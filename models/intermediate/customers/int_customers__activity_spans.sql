-- One row per customer activity span: overlapping or touching activity intervals merged
-- (gaps and islands). A span whose end lies after the as-of date is still open (null end).
-- Churn and retention count spans (metrics/aggregates/int_kpi_aggregates__customer_base.sql).
-- The activity intervals, before merging:
--   - each staged subscription, [started_at, ended_at) (ended_at null while active);
--   - for customers without any subscription, each completed order, active for
--     var('order_inactivity_churn_days') days after it.
with

subscriptions as (
    select * from {{ ref('stg_crm__subscriptions') }}
    where _row_status = 'staged'
),

orders as (
    select * from {{ ref('stg_shop__orders') }}
    where _row_status = 'staged'
),

bounds as (
    select * from {{ ref('int_calendar__data_bounds') }}
),

subscription_intervals as (
    select
        customer_id,
        'subscription' as activity_basis,
        started_at as active_from_at,
        ended_at as active_until_at
    from subscriptions
),

order_intervals as (
    select
        orders.customer_id,
        'orders' as activity_basis,
        orders.ordered_at as active_from_at,
        {{ add_days('orders.ordered_at', var('order_inactivity_churn_days')) }} as active_until_at
    from orders
    where
        orders.status = 'completed'
        and orders.customer_id not in (select subscriptions.customer_id from subscriptions)
),

intervals as (
    select * from subscription_intervals
    union all
    select * from order_intervals
),

ordered as (
    select
        customer_id,
        activity_basis,
        active_from_at,
        active_until_at,
        -- latest end among the earlier intervals of the customer (9999-12-31 = still open)
        max(coalesce(active_until_at, cast('9999-12-31' as timestamp))) over (
            partition by customer_id
            order by active_from_at, active_until_at
            rows between unbounded preceding and 1 preceding
        ) as previous_max_until_at
    from intervals
),

islands as (
    select
        *,
        -- counts the intervals that start a new span: all earlier ones ended before it starts,
        -- or there is none (a count, so a bigint: DuckDB sums integers into a 128-bit hugeint)
        count(case when previous_max_until_at >= active_from_at then null else 1 end) over (
            partition by customer_id
            order by active_from_at, active_until_at
            rows between unbounded preceding and current row
        ) as span_number
    from ordered
),

spans as (
    select
        customer_id,
        span_number,
        min(activity_basis) as activity_basis,
        min(active_from_at) as span_start_at,
        max(coalesce(active_until_at, cast('9999-12-31' as timestamp))) as span_end_at
    from islands
    group by customer_id, span_number
),

final as (
    select
        spans.customer_id,
        spans.span_number,
        spans.activity_basis,
        spans.span_start_at,
        case
            when spans.span_end_at = cast('9999-12-31' as timestamp) then null
            when spans.activity_basis = 'orders' and cast(spans.span_end_at as date) > bounds.as_of_date
                then null
            else spans.span_end_at
        end as span_end_at
    from spans
    cross join bounds
)

select * from final
