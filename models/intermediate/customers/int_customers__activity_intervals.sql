-- One row per interval during which a customer counted as active, before merging:
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

final as (
    select * from subscription_intervals
    union all
    select * from order_intervals
)

select * from final
