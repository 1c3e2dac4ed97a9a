{{ config(materialized='incremental', unique_key='ticket_id', incremental_strategy='delete+insert') }}

-- One row per staged ticket: when it was first answered and resolved, how often it was
-- reopened, and how much work it took. Tickets without events keep null times and zero counts.
-- Resolutions and reopens come from the status changes, each with the status it left: a
-- resolution enters solved (or closed without passing solved); a reopen leaves solved/closed
-- for another status (raw-contract.md). Status changes are ordered by the instant they count
-- at, then event_id (every status change has event_precedence 3; DECISIONLOG.md "Events in the
-- same second").
-- Incremental by ticket: the tickets whose row or events a new load batch changed are
-- recomputed from all their events, so a ticket reopened weeks later gets its new resolution.
with

all_tickets as (
    select * from {{ ref('stg_helpdesk__tickets') }}
    where _row_status = 'staged'
),

all_events as (
    select * from {{ ref('int_helpdesk__ticket_events_classified') }}
),

{%- if is_incremental() %}

changed_tickets as (
    {{ changed_tickets('all_tickets', 'all_events') }}
),
{%- endif %}

tickets as (
    {{ rows_of_changed_tickets('all_tickets') }}
),

events as (
    {{ rows_of_changed_tickets('all_events') }}
),

status_changes as (
    select
        ticket_id,
        occurred_at,
        new_status,
        coalesce(
            lag(new_status) over (partition by ticket_id order by occurred_at, event_precedence, event_id),
            'new'
        ) as previous_status,
        row_number() over (
            partition by ticket_id order by occurred_at desc, event_precedence desc, event_id desc
        ) = 1 as is_latest_change
    from events
    where event_type = 'status_change' and new_status is not null
),

transitions as (
    select
        ticket_id,
        occurred_at,
        new_status,
        is_latest_change,
        new_status in ('solved', 'closed')
        and previous_status not in ('solved', 'closed') as is_resolution,
        previous_status in ('solved', 'closed')
        and new_status not in ('solved', 'closed') as is_reopen
    from status_changes
),

resolutions as (
    select
        ticket_id,
        min(case when is_resolution then occurred_at end) as first_resolved_at,
        max(case when is_resolution then occurred_at end) as last_resolved_at,
        count(case when is_reopen then 1 end) as reopen_count,
        max(case when is_latest_change then new_status end) as latest_event_status
    from transitions
    group by ticket_id
),

resolution_state as (
    select
        ticket_id,
        first_resolved_at,
        reopen_count,
        -- the final resolution stands only while the ticket is still solved/closed
        case
            when latest_event_status in ('solved', 'closed') then last_resolved_at
        end as final_resolved_at
    from resolutions
),

activity as (
    select
        events.ticket_id,
        min(case when events.is_agent_reply then events.occurred_at end) as first_agent_reply_at,
        count(case when events.is_agent_reply then 1 end) as agent_reply_count,
        count(
            case
                when events.is_agent_reply and events.occurred_at <= resolution_state.final_resolved_at
                    then 1
            end
        ) as agent_replies_before_resolution,
        count(case when events.is_bot_reply then 1 end) as bot_reply_count,
        count(case when events.is_customer_message then 1 end) as customer_message_count,
        count(case when events.is_agent_touch then 1 end) as agent_touch_count,
        -- events exported before the ticket's creation, counted from it (clock skew)
        count(case when events.is_before_ticket_creation then 1 end) as events_before_creation_count,
        max(events._load_batch) as events_load_batch
    from events
    left join resolution_state
        on events.ticket_id = resolution_state.ticket_id
    group by events.ticket_id
),

final as (
    select
        tickets.ticket_id,
        tickets.customer_id,
        tickets.created_at,
        activity.first_agent_reply_at,
        resolution_state.first_resolved_at,
        resolution_state.final_resolved_at,
        resolution_state.final_resolved_at is not null as is_resolved,
        coalesce(resolution_state.reopen_count, 0) as reopen_count,
        coalesce(activity.agent_reply_count, 0) as agent_reply_count,
        coalesce(activity.agent_replies_before_resolution, 0) as agent_replies_before_resolution,
        coalesce(activity.bot_reply_count, 0) as bot_reply_count,
        coalesce(activity.customer_message_count, 0) as customer_message_count,
        coalesce(activity.agent_touch_count, 0) as agent_touch_count,
        coalesce(activity.events_before_creation_count, 0) as events_before_creation_count,
        greatest(tickets._load_batch, coalesce(activity.events_load_batch, 0)) as _load_batch
    from tickets
    left join resolution_state
        on tickets.ticket_id = resolution_state.ticket_id
    left join activity
        on tickets.ticket_id = activity.ticket_id
)

select * from final
