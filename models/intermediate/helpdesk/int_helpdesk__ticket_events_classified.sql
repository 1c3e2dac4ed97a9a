{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

-- One row per staged ticket event, classified by who acted and what it counts as
-- (DECISIONLOG.md: "What counts as an agent reply").
-- Incremental: events of new load batches, and the events of agents a new batch updates.
with

events as (
    select * from {{ ref('stg_helpdesk__ticket_events') }}
),

agents as (
    select * from {{ ref('stg_helpdesk__agents') }}
),

{%- if is_incremental() %}

changed_agents as (
    select agent_id
    from agents
    where {{ since_last_run('_load_batch') }}
),
{%- endif %}

changed_events as (
    select events.*
    from events
    where
        {{ since_last_run('events._load_batch') }}
        or {{ 'events.agent_id in (select agent_id from changed_agents)' if is_incremental() else 'false' }}
),

classified as (
    select
        changed_events.event_id,
        changed_events.ticket_id,
        changed_events.occurred_at,
        changed_events.event_type,
        changed_events.agent_id,
        changed_events.new_status,
        changed_events.new_assignee_agent_id,
        coalesce(agents.is_bot, false) as is_bot_actor,
        changed_events.event_type = 'customer_message' as is_customer_message,
        changed_events.event_type = 'agent_reply'
        and coalesce(changed_events.is_public, true)
        and not coalesce(agents.is_bot, false) as is_agent_reply,
        changed_events.event_type = 'agent_reply'
        and coalesce(agents.is_bot, false) as is_bot_reply,
        -- an agent update: a reply, note, field or status change or assignment by a person
        changed_events.event_type in ('agent_reply', 'internal_note', 'field_change', 'status_change', 'assignment')
        and changed_events.agent_id is not null
        and not coalesce(agents.is_bot, false) as is_agent_touch,
        greatest(changed_events._load_batch, coalesce(agents._load_batch, 0)) as _load_batch
    from changed_events
    left join agents
        on changed_events.agent_id = agents.agent_id
),

final as (
    select * from classified
)

select * from final
