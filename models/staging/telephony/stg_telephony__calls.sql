with

base as (
    select * from {{ ref('base_telephony__calls') }}
),

final as (
    select
        call_id,
        customer_id,
        queue,
        offered_at,
        answered_at,
        ended_at,
        outcome,
        blocked_reason,
        agent_id,
        talk_seconds,
        hold_seconds,
        wrap_up_seconds,
        ticket_id,
        _load_batch
    from base
    where _row_status = 'staged'
)

select * from final
