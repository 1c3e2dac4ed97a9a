with

base as (
    select * from {{ ref('base_crm__subscriptions') }}
),

final as (
    select
        subscription_id,
        customer_id,
        plan,
        started_at,
        ended_at,
        monthly_amount,
        _load_batch
    from base
    where _row_status = 'staged'
)

select * from final
