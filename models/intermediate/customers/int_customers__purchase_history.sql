-- One row per customer with a completed order or a subscription: when they first and second
-- purchased (only `completed` orders are purchases), how many completed orders they made and
-- for how much, and when they first brought revenue (a completed order with an amount, or the
-- start of a paid subscription). Gives the cumulative repurchase rate to any date d:
--   count(repeat_purchase_at < d) / count(first_purchase_at < d)
-- and the paying-customer base of revenue_per_customer (DECISIONLOG.md "Relationship KPIs").
with

orders as (
    select * from {{ ref('stg_shop__orders') }}
    where _row_status = 'staged'
),

subscriptions as (
    select * from {{ ref('stg_crm__subscriptions') }}
    where _row_status = 'staged'
),

completed_orders as (
    select
        customer_id,
        ordered_at,
        amount,
        row_number() over (
            partition by customer_id
            order by ordered_at, order_id
        ) as purchase_number
    from orders
    where
        status = 'completed'
        and customer_id is not null
),

order_summary as (
    select
        customer_id,
        count(*) as completed_order_count,
        sum(amount) as completed_order_amount,
        min(ordered_at) as first_purchase_at,
        min(case when purchase_number = 2 then ordered_at end) as repeat_purchase_at,
        min(case when amount > 0 then ordered_at end) as first_paid_order_at
    from completed_orders
    group by customer_id
),

subscription_summary as (
    select
        customer_id,
        count(*) as subscription_count,
        min(started_at) as first_subscription_at,
        min(case when monthly_amount > 0 then started_at end) as first_paid_subscription_at
    from subscriptions
    where customer_id is not null
    group by customer_id
),

final as (
    select
        coalesce(order_summary.customer_id, subscription_summary.customer_id) as customer_id,
        coalesce(order_summary.completed_order_count, 0) as completed_order_count,
        coalesce(order_summary.completed_order_amount, 0) as completed_order_amount,
        order_summary.first_purchase_at,
        order_summary.repeat_purchase_at,
        coalesce(subscription_summary.subscription_count, 0) as subscription_count,
        subscription_summary.first_subscription_at,
        case
            when order_summary.first_paid_order_at is null
                then subscription_summary.first_paid_subscription_at
            when subscription_summary.first_paid_subscription_at is null
                then order_summary.first_paid_order_at
            else least(order_summary.first_paid_order_at, subscription_summary.first_paid_subscription_at)
        end as first_revenue_at
    from order_summary
    full outer join subscription_summary
        on order_summary.customer_id = subscription_summary.customer_id
)

select * from final
