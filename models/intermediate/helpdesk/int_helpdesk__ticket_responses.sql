{{ config(
    materialized='incremental',
    unique_key='ticket_id',
    incremental_strategy='delete+insert',
) }}
{%- set business_time_zone = '(select min(business_days.time_zone) from business_days)' %}

-- One row per agent reply that answers the customer: the reply, and since when the customer had
-- been waiting (the earliest customer message after the previous agent reply; the ticket's
-- creation counts as the first customer message). A reply that follows another reply with no
-- customer message between them answers nobody and is left out (DECISIONLOG.md "Response
-- times"). Bot replies and private replies are not agent replies. Events of the same second are
-- ordered by event_precedence, then event_id (DECISIONLOG.md "Events in the same second"): a
-- reply in the same second as a customer message answers it, in 0 s.
-- Incremental by ticket: all replies of the tickets whose row or events a new load batch changed
-- (a changed business calendar is a settings change: run_warehouse.py rebuilds in full).
with

all_tickets as (
    select * from {{ ref('stg_helpdesk__tickets') }}
    where _row_status = 'staged'
),

all_events as (
    select * from {{ ref('int_helpdesk__ticket_events_classified') }}
),

business_days as {{ inlined_cte() }} (
    select * from {{ ref('int_calendar__business_days') }}
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

conversation as (
    select
        ticket_id,
        'created:' || ticket_id as event_id,
        created_at as occurred_at,
        0 as event_precedence,
        cast(null as varchar) as agent_id,
        false as is_agent_reply,
        _load_batch
    from tickets
    where created_at is not null
    union all
    select
        ticket_id,
        event_id,
        occurred_at,
        event_precedence,
        agent_id,
        is_agent_reply,
        _load_batch
    from events
    where (is_customer_message or is_agent_reply) and occurred_at is not null
),

numbered as (
    select
        *,
        -- agent replies up to and including this row; in the same second the creation comes
        -- first, then customer messages, then replies (event_precedence), then event_id
        count(case when is_agent_reply then 1 end) over (
            partition by ticket_id
            order by occurred_at, event_precedence, event_id
            rows between unbounded preceding and current row
        ) as reply_number,
        max(_load_batch) over (partition by ticket_id) as ticket_load_batch
    from conversation
),

waiting as (
    select
        ticket_id,
        -- customer messages after reply n wait for reply n + 1
        reply_number + 1 as answered_by_reply_number,
        min(occurred_at) as waiting_since_at
    from numbered
    where not is_agent_reply
    group by ticket_id, reply_number
),

replies as (
    select * from numbered
    where is_agent_reply
),

answered as (
    select
        replies.ticket_id,
        replies.event_id,
        replies.agent_id,
        replies.reply_number,
        replies.reply_number = 1 as is_first_response,
        waiting.waiting_since_at,
        replies.occurred_at as replied_at,
        replies.ticket_load_batch as _load_batch,
        {{ business_local_date('waiting.waiting_since_at', business_time_zone) }} as waiting_local_date,
        {{ business_local_date('replies.occurred_at', business_time_zone) }} as replied_local_date
    from replies
    inner join waiting
        on
            replies.ticket_id = waiting.ticket_id
            and replies.reply_number = waiting.answered_by_reply_number
),

final as (
    select
        answered.ticket_id,
        answered.event_id,
        answered.agent_id,
        answered.reply_number,
        answered.is_first_response,
        answered.waiting_since_at,
        answered.replied_at,
        cast(answered.replied_at as date) as replied_date,
        {{ seconds_between('answered.waiting_since_at', 'answered.replied_at') }} as response_seconds,
        -- the same wait in business hours (published only per ticket: the catalog has no kpi_id)
        {{ business_seconds_at('answered.replied_at', 'replied_day') }}
        - {{ business_seconds_at('answered.waiting_since_at', 'waiting_day') }} as response_business_seconds,
        answered._load_batch,
        {{ run_stamp() }} as _computed_at
    from answered
    left join business_days as waiting_day
        on answered.waiting_local_date = waiting_day.calendar_date
    left join business_days as replied_day
        on answered.replied_local_date = replied_day.calendar_date
)

select * from final
