{{ config(materialized='table') }}

-- One row per inbound call attempt or chat request: how it was offered, answered, abandoned or
-- blocked, how long the customer waited and how long it took to handle (DECISIONLOG.md
-- "Calls and chats"). Feeds aht, asa, service_level, answer_rate, abandon_rate, blockage_rate.
-- A table: one row per call or chat, a single pass; _load_batch is the latest load batch of the
-- contact's row, ticket, customer and agent.
with

calls as (
    select * from {{ ref('stg_telephony__calls') }}
    where _row_status = 'staged'
),

chats as (
    select * from {{ ref('stg_chat__sessions') }}
    where _row_status = 'staged'
),

tickets as (
    select * from {{ ref('stg_helpdesk__tickets') }}
    where _row_status = 'staged'
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
    where _row_status = 'staged'
),

agents as (
    select * from {{ ref('dim_agents') }}
),

agent_directory as (
    select * from {{ ref('stg_helpdesk__agents') }}
    where _row_status = 'staged'
),

call_contacts as (
    select
        'call' as contact_type,
        call_id as source_record_id,
        'phone' as channel,
        customer_id,
        ticket_id,
        agent_id,
        offered_at,
        answered_at,
        ended_at,
        outcome,
        -- blocked calls never reached a queue: they are attempts, not offered calls
        outcome != 'blocked' as is_offered,
        outcome = 'answered' as is_answered,
        outcome = 'abandoned' as is_abandoned,
        outcome = 'blocked' as is_blocked,
        case
            when outcome = 'answered'
                then coalesce(talk_seconds, 0) + coalesce(hold_seconds, 0) + coalesce(wrap_up_seconds, 0)
        end as handle_seconds,
        _load_batch
    from calls
),

chat_contacts as (
    select
        'chat' as contact_type,
        chat_id as source_record_id,
        'chat' as channel,
        customer_id,
        ticket_id,
        agent_id,
        requested_at as offered_at,
        answered_at,
        ended_at,
        outcome,
        -- a chat the bot resolved never waited for an agent
        outcome != 'bot_resolved' as is_offered,
        outcome = 'answered' as is_answered,
        outcome = 'missed' as is_abandoned,
        false as is_blocked,
        case
            when outcome = 'answered'
                then {{ seconds_between('answered_at', 'ended_at') }} + coalesce(wrap_up_seconds, 0)
        end as handle_seconds,
        _load_batch
    from chats
),

all_contacts as (
    select * from call_contacts
    union all
    select * from chat_contacts
),

contacts as (
    select * from all_contacts
),

final as (
    select
        contacts.contact_type || ':' || contacts.source_record_id as queue_contact_id,
        contacts.contact_type,
        contacts.source_record_id,
        contacts.channel,
        case when contacts.customer_id is not null then {{ pseudonymise('contacts.customer_id') }} end
            as customer_key,
        contacts.ticket_id,
        contacts.agent_id,
        coalesce(agents.is_bot, false) as is_bot_agent,
        -- a bot is not an agent (raw-contract.md): its contacts belong to no team
        case when agents.is_bot then 'unassigned' else coalesce(agents.team, 'unassigned') end as team,
        coalesce(lower(trim(tickets.category)), 'unknown') as category,
        coalesce(tickets.priority, 'unknown') as priority,
        coalesce(customers.customer_tier, 'unknown') as customer_tier,
        contacts.offered_at,
        cast(contacts.offered_at as date) as offered_date,
        contacts.answered_at,
        contacts.ended_at,
        contacts.outcome,
        contacts.is_offered,
        contacts.is_answered,
        contacts.is_abandoned,
        contacts.is_blocked,
        case
            when contacts.is_answered then {{ seconds_between('contacts.offered_at', 'contacts.answered_at') }}
        end as wait_seconds,
        contacts.handle_seconds,
        contacts.is_answered
        and {{ seconds_between('contacts.offered_at', 'contacts.answered_at') }}
        <= {{ var('service_level_threshold_seconds') }} as is_answered_within_threshold,
        -- greatest() skips nulls: a contact without ticket, customer or directory agent
        greatest(
            contacts._load_batch, tickets._load_batch, customers._load_batch, agent_directory._load_batch
        ) as _load_batch,
        {{ run_stamp() }} as _computed_at
    from contacts
    left join tickets
        on contacts.ticket_id = tickets.ticket_id
    left join customers
        on contacts.customer_id = customers.customer_id
    left join agents
        on contacts.agent_id = agents.agent_id
    left join agent_directory
        on contacts.agent_id = agent_directory.agent_id
)

select * from final
