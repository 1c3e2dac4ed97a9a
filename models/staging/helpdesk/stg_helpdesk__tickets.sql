with

base as (
    select * from {{ ref('base_helpdesk__tickets') }}
),

final as (
    select
        ticket_id,
        customer_id,
        channel,
        category,
        priority,
        created_at,
        assignee_agent_id,
        status,
        _load_batch
    from base
    where _row_status = 'staged'
)

select * from final
