with

base as (
    select * from {{ ref('base_chat__sessions') }}
),

final as (
    select
        chat_id,
        customer_id,
        requested_at,
        answered_at,
        ended_at,
        outcome,
        agent_id,
        wrap_up_seconds,
        ticket_id,
        _load_batch
    from base
    where _row_status = 'staged'
)

select * from final
