-- One row per span during which a customer was active (subscription held, or for customers
-- without subscriptions, a completed order within the inactivity window). The customer-period
-- fact behind churn_rate and retention_rate: a customer is active at an instant when a span
-- started before it and has not ended before it; lost in the period in which its span ends.
with

spans as (
    select * from {{ ref('int_customers__activity_spans') }}
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
    where _row_status = 'staged'
),

final as (
    select
        {{ pseudonymise('spans.customer_id') }} || ':' || cast(spans.span_number as varchar)
            as customer_span_id,
        {{ pseudonymise('spans.customer_id') }} as customer_key,
        spans.span_number,
        spans.activity_basis,
        coalesce(customers.customer_tier, 'unknown') as customer_tier,
        spans.span_start_at,
        spans.span_end_at,
        spans.span_end_at is null as is_active_at_as_of
    from spans
    left join customers
        on spans.customer_id = customers.customer_id
)

select * from final
