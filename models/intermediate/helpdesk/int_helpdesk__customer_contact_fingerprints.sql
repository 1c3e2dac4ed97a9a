-- One row per customer with tickets, calls or chats: row_count, a fingerprint of what the repeat
-- contact and next issue rules read (each ticket's customer, creation and final resolution; each
-- call and chat with its start and the ticket it is logged against; the two window vars) and
-- _computed_at, the start of the latest run in which it changed (macros/kpi/incremental_periods.sql,
-- key_fingerprints). int_helpdesk__ticket_repeat_contacts and int_helpdesk__ticket_next_issues
-- recompute the customers stamped after their own last run; a ticket moved to another customer
-- changes both customers' fingerprints.
{{ config(
    materialized='incremental',
    unique_key='customer_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

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

contacts as (
    select
        customer_id,
        'ticket' as contact_type,
        ticket_id as contact_id,
        created_at as started_at,
        final_resolved_at,
        is_resolved,
        cast(null as varchar) as logged_ticket_id
    from lifecycles
    union all
    select
        customer_id,
        'call' as contact_type,
        call_id as contact_id,
        offered_at as started_at,
        cast(null as timestamp) as final_resolved_at,
        cast(null as boolean) as is_resolved,
        ticket_id as logged_ticket_id
    from calls
    union all
    select
        customer_id,
        'chat' as contact_type,
        chat_id as contact_id,
        requested_at as started_at,
        cast(null as timestamp) as final_resolved_at,
        cast(null as boolean) as is_resolved,
        ticket_id as logged_ticket_id
    from chats
),

final as (
    {{ key_fingerprints(
        'contacts',
        'customer_id',
        [
            'contact_type', 'contact_id', 'started_at', 'final_resolved_at', 'is_resolved', 'logged_ticket_id',
            var('fcr_repeat_contact_window_days') | string, var('next_issue_window_days') | string,
        ],
    ) }}
)

select * from final
