-- One row per resolved ticket that has a repeat contact: another contact from the same
-- customer between the ticket's creation and var('fcr_repeat_contact_window_days') after its
-- final resolution (DECISIONLOG.md "What counts as a repeat contact"):
--   - another ticket whose life [created, resolved] overlaps that window (two channels, one issue);
--   - a call or chat not logged against this ticket, started inside the window.
-- Incremental by customer: a run recomputes the customers whose tickets, calls or chats changed
-- since its last run (int_helpdesk__customer_contact_fingerprints) and replaces their rows.
{{ config(
    materialized='incremental',
    unique_key='customer_id',
    incremental_strategy='replace_keys',
    key_fingerprints='int_helpdesk__customer_contact_fingerprints',
    on_schema_change='fail',
) }}
{%- set fingerprints = ref('int_helpdesk__customer_contact_fingerprints') %}

with

all_lifecycles as (
    select * from {{ ref('int_helpdesk__ticket_lifecycles') }}
),

all_calls as (
    select * from {{ ref('stg_telephony__calls') }}
    where _row_status = 'staged'
),

all_chats as (
    select * from {{ ref('stg_chat__sessions') }}
    where _row_status = 'staged'
),

lifecycles as (
    select all_lifecycles.*
    from all_lifecycles
    {%- if is_incremental() %}
    where all_lifecycles.customer_id in ({{ keys_changed_since_last_run(fingerprints, 'customer_id') }})
    {%- endif %}
),

calls as (
    select all_calls.*
    from all_calls
    {%- if is_incremental() %}
    where all_calls.customer_id in ({{ keys_changed_since_last_run(fingerprints, 'customer_id') }})
    {%- endif %}
),

chats as (
    select all_chats.*
    from all_chats
    {%- if is_incremental() %}
    where all_chats.customer_id in ({{ keys_changed_since_last_run(fingerprints, 'customer_id') }})
    {%- endif %}
),

resolved_tickets as (
    select
        ticket_id,
        customer_id,
        created_at as window_start_at,
        {{ add_days('final_resolved_at', var('fcr_repeat_contact_window_days')) }} as window_end_at
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

final as (
    select
        ticket_id,
        customer_id,
        {{ run_stamp() }} as _computed_at
    from repeated
)

select * from final
