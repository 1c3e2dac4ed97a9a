-- One row per resolved ticket of a known customer, with its repeat contact and next issue flags.
-- Repeat contact: another contact from the same customer between the ticket's creation and
-- var('fcr_repeat_contact_window_days') after its final resolution (DECISIONLOG.md "What counts
-- as a repeat contact"):
--   - another ticket whose life [created, resolved] overlaps that window (two channels, one issue);
--   - a call or chat not logged against this ticket, started inside the window.
-- Next issue: another ticket of the same customer created after the final resolution and within
-- var('next_issue_window_days') (next_issue_avoidance, DECISIONLOG.md "Next issue avoidance").
-- A table: one pass over the lifecycles, calls and chats, joined per customer.
{{ config(materialized='table') }}

with

lifecycles as (
    select * from {{ ref('int_helpdesk__ticket_lifecycles') }}
),

calls as (
    select * from {{ ref('stg_telephony__calls') }}
    where _row_status = 'staged'
),

chats as (
    select * from {{ ref('stg_chat__sessions') }}
    where _row_status = 'staged'
),

resolved_tickets as (
    select
        ticket_id,
        customer_id,
        created_at as window_start_at,
        final_resolved_at,
        {{ add_days('final_resolved_at', var('fcr_repeat_contact_window_days')) }} as window_end_at,
        {{ add_days('final_resolved_at', var('next_issue_window_days')) }} as next_issue_window_end_at
    from lifecycles
    where is_resolved and customer_id is not null
),

repeat_tickets as (
    select
        resolved_tickets.ticket_id,
        resolved_tickets.customer_id
    from resolved_tickets
    inner join lifecycles as other_tickets
        on
            resolved_tickets.customer_id = other_tickets.customer_id
            and resolved_tickets.ticket_id != other_tickets.ticket_id
            and resolved_tickets.window_end_at >= other_tickets.created_at
            -- a ticket still open is alive until now ...
            and coalesce(other_tickets.final_resolved_at, cast('9999-12-31' as timestamp))
            >= resolved_tickets.window_start_at
            -- ... but only one opened at most the window length before this ticket is a contact
            -- about the same issue (a stale ticket from months ago is not)
            and {{ add_days('other_tickets.created_at', var('fcr_repeat_contact_window_days')) }}
            >= resolved_tickets.window_start_at
),

repeat_calls as (
    select
        resolved_tickets.ticket_id,
        resolved_tickets.customer_id
    from resolved_tickets
    inner join calls
        on
            resolved_tickets.customer_id = calls.customer_id
            and calls.ticket_id is distinct from resolved_tickets.ticket_id
            and calls.offered_at between resolved_tickets.window_start_at and resolved_tickets.window_end_at
),

repeat_chats as (
    select
        resolved_tickets.ticket_id,
        resolved_tickets.customer_id
    from resolved_tickets
    inner join chats
        on
            resolved_tickets.customer_id = chats.customer_id
            and chats.ticket_id is distinct from resolved_tickets.ticket_id
            and chats.requested_at between resolved_tickets.window_start_at and resolved_tickets.window_end_at
),

repeated as (
    select
        ticket_id,
        customer_id
    from repeat_tickets
    union
    select
        ticket_id,
        customer_id
    from repeat_calls
    union
    select
        ticket_id,
        customer_id
    from repeat_chats
),

next_issues as (
    select
        resolved_tickets.ticket_id,
        min(next_tickets.created_at) as next_ticket_created_at
    from resolved_tickets
    inner join lifecycles as next_tickets
        on
            resolved_tickets.customer_id = next_tickets.customer_id
            and resolved_tickets.ticket_id != next_tickets.ticket_id
            and resolved_tickets.final_resolved_at < next_tickets.created_at
            and resolved_tickets.next_issue_window_end_at >= next_tickets.created_at
    group by resolved_tickets.ticket_id
),

final as (
    select
        resolved_tickets.ticket_id,
        resolved_tickets.customer_id,
        repeated.ticket_id is not null as has_repeat_contact,
        next_issues.ticket_id is not null as has_next_issue,
        next_issues.next_ticket_created_at
    from resolved_tickets
    left join repeated
        on resolved_tickets.ticket_id = repeated.ticket_id
    left join next_issues
        on resolved_tickets.ticket_id = next_issues.ticket_id
)

select * from final
