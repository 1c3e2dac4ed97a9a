{{ config(materialized='incremental', unique_key='event_id', incremental_strategy='delete+insert') }}

-- One row per staged ticket event, classified by who acted and what it counts as
-- (DECISIONLOG.md: "What counts as an agent reply").
-- occurred_at is the instant the event counts at: an event the export dates before its ticket's
-- creation (clock skew between systems) counts from the creation instant, and keeps its exported
-- time in reported_occurred_at with is_before_ticket_creation (DECISIONLOG.md "Events dated
-- before their ticket's creation").
-- event_precedence orders events of the same second: customer message (1), agent or bot reply
-- (2), any other event (3); the ticket's creation is 0. Every model that orders a ticket's events
-- sorts by occurred_at, event_precedence, event_id (DECISIONLOG.md "Events in the same second").
-- Incremental: events of new load batches, the events of agents a new batch updates (a bot flag
-- changed) and of tickets a new batch updates (a changed creation instant).
with

events as (
    select * from {{ ref('stg_helpdesk__ticket_events') }}
    where _row_status = 'staged'
),

agents as (
    select * from {{ ref('stg_helpdesk__agents') }}
    where _row_status = 'staged'
),

tickets as (
    select * from {{ ref('stg_helpdesk__tickets') }}
    where _row_status = 'staged'
),

{%- if is_incremental() %}

changed_agents as (
    select agent_id
    from agents
    where {{ since_last_run('_load_batch') }}
),

changed_tickets as (
    select ticket_id
    from tickets
    where {{ since_last_run('_load_batch') }}
),
{%- endif %}

changed_events as (
    select events.*
    from events
    where
        {{ since_last_run('events._load_batch') }}
        or {{ 'events.agent_id in (select agent_id from changed_agents)' if is_incremental() else 'false' }}
        or {{ 'events.ticket_id in (select ticket_id from changed_tickets)' if is_incremental() else 'false' }}
),

classified as (
    select
        changed_events.event_id,
        changed_events.ticket_id,
        -- counted from the ticket's creation when exported before it (no ticket row: as exported)
        case
            when changed_events.occurred_at < tickets.created_at then tickets.created_at
            else changed_events.occurred_at
        end as occurred_at,
        changed_events.occurred_at as reported_occurred_at,
        coalesce(changed_events.occurred_at < tickets.created_at, false) as is_before_ticket_creation,
        case changed_events.event_type
            when 'customer_message' then 1
            when 'agent_reply' then 2
            else 3
        end as event_precedence,
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
        greatest(
            changed_events._load_batch,
            coalesce(agents._load_batch, 0),
            coalesce(tickets._load_batch, 0)
        ) as _load_batch
    from changed_events
    left join agents
        on changed_events.agent_id = agents.agent_id
    left join tickets
        on changed_events.ticket_id = tickets.ticket_id
),

final as (
    select * from classified
)

select * from final
