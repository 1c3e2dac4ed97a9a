with

base as (
    select * from {{ ref('base_helpdesk__ticket_events') }}
),

final as (
    select
        event_id,
        ticket_id,
        occurred_at,
        event_type,
        agent_id,
        is_public,
        new_status,
        new_assignee_agent_id,
        _load_batch
    from base
    where _row_status = 'staged'
)

select * from final
