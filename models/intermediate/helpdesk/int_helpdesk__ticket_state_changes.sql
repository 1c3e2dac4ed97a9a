-- One row per instant a ticket enters or leaves the backlog (open = not solved/closed) or the
-- "awaiting response" state (open, and its latest public message is the customer's, with no
-- agent reply yet): +1 on entering, -1 on leaving (DECISIONLOG.md "Backlog snapshots").
-- Running sums of these deltas give both snapshots at any instant without a ticket × day
-- expansion. Bot and private replies do not answer the customer. A ticket's steps are ordered by
-- instant, then the creation (0) and each event's event_precedence (customer message 1, reply 2,
-- status change 3), then id (DECISIONLOG.md "Events in the same second"); change_number keeps
-- that order for the changes of the same second.
-- Incremental by ticket (like int_helpdesk__ticket_lifecycles): the tickets whose row or events
-- a new load batch changed are recomputed from all their events. _load_batch is the batch of
-- the change's own step (the ticket row for the creation, the classified event otherwise), so
-- fct_backlog_daily finds the changes new since its last run; _computed_at is the start of the
-- run that recomputed the ticket.
{{ config(
    materialized='incremental',
    unique_key='ticket_id',
    incremental_strategy='delete+insert',
) }}

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

ticket_steps as (
    -- the ticket's creation opens it, with the customer's request waiting for a reply
    select
        ticket_id,
        created_at as changed_at,
        0 as step_order,
        'created:' || ticket_id as step_id,
        true as is_open_after,
        true as is_customer_turn_after,
        _load_batch
    from tickets
    where created_at is not null
    union all
    select
        ticket_id,
        occurred_at as changed_at,
        -- in the same second a customer message (1) comes before the reply that answers it (2)
        event_precedence as step_order,
        event_id as step_id,
        cast(null as boolean) as is_open_after,
        is_customer_message as is_customer_turn_after,
        _load_batch
    from events
    where
        (is_customer_message or is_agent_reply)
        and occurred_at is not null
        -- events of an unknown or quarantined ticket are orphans (audit_quarantined_rows)
        and ticket_id in (select tickets.ticket_id from tickets)
    union all
    select
        ticket_id,
        occurred_at as changed_at,
        -- the event_precedence of every status change
        3 as step_order,
        event_id as step_id,
        new_status not in ('solved', 'closed') as is_open_after,
        cast(null as boolean) as is_customer_turn_after,
        _load_batch
    from events
    where
        event_type = 'status_change'
        and new_status is not null
        and occurred_at is not null
        and ticket_id in (select tickets.ticket_id from tickets)
),

states as (
    select
        ticket_id,
        changed_at,
        step_order,
        step_id,
        coalesce(last_value(is_open_after ignore nulls) over ticket_steps, true) as is_open,
        coalesce(last_value(is_customer_turn_after ignore nulls) over ticket_steps, true) as is_customer_turn,
        _load_batch
    from ticket_steps
    window ticket_steps as (
        partition by ticket_id
        order by changed_at, step_order, step_id
        rows between unbounded preceding and current row
    )
),

flagged as (
    select
        ticket_id,
        changed_at,
        step_order,
        step_id,
        case when is_open then 1 else 0 end as open_flag,
        case when is_open and is_customer_turn then 1 else 0 end as awaiting_flag,
        _load_batch
    from states
),

deltas as (
    select
        flagged.ticket_id,
        flagged.changed_at,
        flagged.step_order,
        flagged.step_id,
        flagged.open_flag - coalesce(lag(flagged.open_flag) over ticket_steps, 0) as open_delta,
        flagged.awaiting_flag - coalesce(lag(flagged.awaiting_flag) over ticket_steps, 0) as awaiting_delta,
        -- the ticket's creation (null without a staged ticket row: events of an unknown ticket)
        tickets.created_at as ticket_created_at,
        tickets.ticket_id is not null as is_ticket_staged,
        flagged._load_batch
    from flagged
    left join tickets
        on flagged.ticket_id = tickets.ticket_id
    window ticket_steps as (
        partition by flagged.ticket_id
        order by flagged.changed_at, flagged.step_order, flagged.step_id
    )
),

changes as (
    select
        ticket_id,
        changed_at,
        step_order,
        step_id,
        open_delta,
        awaiting_delta,
        ticket_created_at,
        is_ticket_staged,
        _load_batch
    from deltas
    where open_delta != 0 or awaiting_delta != 0
),

final as (
    select
        ticket_id,
        changed_at,
        cast(changed_at as date) as changed_date,
        -- the order of the ticket's changes (several may share a second: a reply at the instant
        -- of the creation); fct_backlog_daily closes each +1 with the next change in this order
        row_number() over (
            partition by ticket_id
            order by changed_at, step_order, step_id
        ) as change_number,
        open_delta,
        awaiting_delta,
        ticket_created_at,
        is_ticket_staged,
        _load_batch,
        {{ run_stamp() }} as _computed_at
    from changes
)

select * from final
