-- One row per resolved ticket of a known customer that was followed by another ticket of the
-- same customer created after its final resolution and within var('next_issue_window_days')
-- (next_issue_avoidance, DECISIONLOG.md "Next issue avoidance").
with

lifecycles as (
    select * from {{ ref('int_helpdesk__ticket_lifecycles') }}
),

resolved_tickets as (
    select
        ticket_id,
        customer_id,
        final_resolved_at,
        {{ add_days('final_resolved_at', var('next_issue_window_days')) }} as window_end_at
    from lifecycles
    where is_resolved and customer_id is not null
),

followed as (
    select
        resolved_tickets.ticket_id,
        min(next_tickets.created_at) as next_ticket_created_at
    from resolved_tickets
    inner join lifecycles as next_tickets
        on
            resolved_tickets.customer_id = next_tickets.customer_id
            and resolved_tickets.ticket_id != next_tickets.ticket_id
            and resolved_tickets.final_resolved_at < next_tickets.created_at
            and resolved_tickets.window_end_at >= next_tickets.created_at
    group by resolved_tickets.ticket_id
),

final as (
    select * from followed
)

select * from final
