-- One row per staged ticket event, classified by who acted and what it counts as
-- (DECISIONLOG.md: "What counts as an agent reply").
with

events as (
    select * from {{ ref('stg_helpdesk__ticket_events') }}
),

agents as (
    select * from {{ ref('stg_helpdesk__agents') }}
),

classified as (
    select
        events.event_id,
        events.ticket_id,
        events.occurred_at,
        events.event_type,
        events.agent_id,
        events.new_status,
        events.new_assignee_agent_id,
        coalesce(agents.is_bot, false) as is_bot_actor,
        events.event_type = 'customer_message' as is_customer_message,
        events.event_type = 'agent_reply'
        and coalesce(events.is_public, true)
        and not coalesce(agents.is_bot, false) as is_agent_reply,
        events.event_type = 'agent_reply'
        and coalesce(agents.is_bot, false) as is_bot_reply,
        events.event_type in ('agent_reply', 'internal_note', 'field_change')
        and not coalesce(agents.is_bot, false) as is_agent_touch
    from events
    left join agents
        on events.agent_id = agents.agent_id
),

final as (
    select * from classified
)

select * from final
