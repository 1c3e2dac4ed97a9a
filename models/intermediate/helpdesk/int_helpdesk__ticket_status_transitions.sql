{{ config(materialized='incremental', unique_key='ticket_id', incremental_strategy='delete+insert') }}

-- One row per status change, with the status it left: a resolution enters solved (or closed
-- without passing solved); a reopen leaves solved/closed for another status (raw-contract.md).
-- Events in time order as they count (int_helpdesk__ticket_events_classified: an event exported
-- before its ticket's creation counts at the creation), ties by event_precedence (the same for
-- every status change) and event_id (DECISIONLOG.md "Events in the same second").
-- Incremental: every status change of the tickets that have events in new load batches (an
-- event's batch there includes its ticket's, whose creation instant the event may count from).
with

events as {{ inlined_cte() }} (
    select * from {{ ref('int_helpdesk__ticket_events_classified') }}
),

changed_tickets as (
    select distinct ticket_id
    from events
    where {{ since_last_run('_load_batch') }}
),

status_changes as (
    select
        event_id,
        ticket_id,
        occurred_at,
        event_precedence,
        new_status,
        _load_batch
    from events
    where
        event_type = 'status_change'
        and new_status is not null
        and ticket_id in (select changed_tickets.ticket_id from changed_tickets)
),

sequenced as (
    select
        *,
        coalesce(
            lag(new_status) over (partition by ticket_id order by occurred_at, event_precedence, event_id),
            'new'
        ) as previous_status,
        row_number() over (
            partition by ticket_id order by occurred_at desc, event_precedence desc, event_id desc
        ) = 1 as is_latest_change,
        max(_load_batch) over (partition by ticket_id) as ticket_load_batch
    from status_changes
),

final as (
    select
        event_id,
        ticket_id,
        occurred_at,
        previous_status,
        new_status,
        is_latest_change,
        new_status in ('solved', 'closed')
        and previous_status not in ('solved', 'closed') as is_resolution,
        previous_status in ('solved', 'closed')
        and new_status not in ('solved', 'closed') as is_reopen,
        ticket_load_batch as _load_batch
    from sequenced
)

select * from final
