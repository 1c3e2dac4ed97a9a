with

base as (
    select * from {{ ref('base_shop__orders') }}
),

final as (
    select
        order_id,
        customer_id,
        ordered_at,
        amount,
        status,
        _load_batch
    from base
    where _row_status = 'staged'
)

select * from final
