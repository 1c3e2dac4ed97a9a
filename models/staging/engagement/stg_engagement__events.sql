with

base as (
    select * from {{ ref('base_engagement__events') }}
),

final as (
    select
        event_id,
        customer_id,
        occurred_at,
        touchpoint,
        action,
        _load_batch
    from base
    where _row_status = 'staged'
)

select * from final
