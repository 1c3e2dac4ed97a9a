{{ config(materialized='incremental', unique_key='interaction_id', incremental_strategy='delete+insert') }}

-- One row per customer contact, across channels: customer messages on tickets, calls, chats
-- and self-service sessions. interaction_id = '<interaction_type>:<source id>'.
-- Incremental: contacts of new load batches, and the messages of tickets a new batch updates.
with

ticket_events as (
    select * from {{ ref('int_helpdesk__ticket_events_classified') }}
),

tickets as (
    select * from {{ ref('stg_helpdesk__tickets') }}
    where _row_status = 'staged'
),

calls as (
    select * from {{ ref('stg_telephony__calls') }}
    where _row_status = 'staged'
),

chats as (
    select * from {{ ref('stg_chat__sessions') }}
    where _row_status = 'staged'
),

self_service as (
    select * from {{ ref('stg_self_service__sessions') }}
    where _row_status = 'staged'
),

ticket_messages as (
    select
        'ticket_message' as interaction_type,
        ticket_events.event_id as source_record_id,
        tickets.channel,
        tickets.customer_id,
        ticket_events.ticket_id,
        tickets.assignee_agent_id as agent_id,
        ticket_events.occurred_at,
        true as is_agent_handled,
        greatest(ticket_events._load_batch, tickets._load_batch) as _load_batch
    from ticket_events
    inner join tickets
        on ticket_events.ticket_id = tickets.ticket_id
    where
        ticket_events.is_customer_message
        and (
            {{ since_last_run('ticket_events._load_batch') }}
            or {{ since_last_run('tickets._load_batch') }}
        )
),

call_contacts as (
    select
        'call' as interaction_type,
        call_id as source_record_id,
        'phone' as channel,
        customer_id,
        ticket_id,
        agent_id,
        offered_at as occurred_at,
        outcome = 'answered' as is_agent_handled,
        _load_batch
    from calls
    where {{ since_last_run('_load_batch') }}
),

chat_contacts as (
    select
        'chat' as interaction_type,
        chat_id as source_record_id,
        'chat' as channel,
        customer_id,
        ticket_id,
        agent_id,
        requested_at as occurred_at,
        outcome = 'answered' as is_agent_handled,
        _load_batch
    from chats
    where {{ since_last_run('_load_batch') }}
),

self_service_contacts as (
    select
        'self_service' as interaction_type,
        session_id as source_record_id,
        source as channel,
        customer_id,
        escalated_ticket_id as ticket_id,
        cast(null as varchar) as agent_id,
        started_at as occurred_at,
        false as is_agent_handled,
        _load_batch
    from self_service
    where {{ since_last_run('_load_batch') }}
),

unioned as (
    select * from ticket_messages
    union all
    select * from call_contacts
    union all
    select * from chat_contacts
    union all
    select * from self_service_contacts
),

final as (
    select
        interaction_type || ':' || source_record_id as interaction_id,
        interaction_type,
        source_record_id,
        channel,
        case when customer_id is not null then {{ pseudonymise('customer_id') }} end as customer_key,
        ticket_id,
        agent_id,
        occurred_at,
        cast(occurred_at as date) as occurred_date,
        is_agent_handled,
        _load_batch
    from unioned
)

select * from final
