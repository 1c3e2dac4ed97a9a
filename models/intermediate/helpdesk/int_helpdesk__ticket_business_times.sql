-- One row per ticket: first response, first resolution and (final) resolution time in business
-- seconds (opening hours of seed business_hours, holidays excluded). Each instant is joined by
-- equality on its local date to int_calendar__business_days and turned into cumulative business
-- seconds (macro business_seconds_at), so a ticket costs the same however long it stays open.
-- Null where the end instant is null (or falls outside the business calendar).
-- A table: one pass over the lifecycles, cheap next to the event models.
{{ config(materialized='table') }}

with

lifecycles as (
    select * from {{ ref('int_helpdesk__ticket_lifecycles') }}
),

business_days as {{ inlined_cte() }} (
    select * from {{ ref('int_calendar__business_days') }}
),

business_zone as (
    select distinct time_zone
    from business_days
),

tickets as (
    select
        lifecycles.ticket_id,
        lifecycles.customer_id,
        lifecycles.created_at,
        lifecycles.first_agent_reply_at,
        lifecycles.first_resolved_at,
        lifecycles.final_resolved_at,
        lifecycles.is_resolved,
        lifecycles._load_batch,
        {{ business_local_date('lifecycles.created_at', 'business_zone.time_zone') }} as created_local_date,
        {{ business_local_date('lifecycles.first_agent_reply_at', 'business_zone.time_zone') }}
            as first_agent_reply_local_date,
        {{ business_local_date('lifecycles.first_resolved_at', 'business_zone.time_zone') }}
            as first_resolved_local_date,
        {{ business_local_date('lifecycles.final_resolved_at', 'business_zone.time_zone') }}
            as final_resolved_local_date
    from lifecycles
    cross join business_zone
),

cumulative as (
    select
        tickets.ticket_id,
        tickets.customer_id,
        tickets.created_at,
        tickets.first_agent_reply_at,
        tickets.first_resolved_at,
        tickets.final_resolved_at,
        tickets.is_resolved,
        tickets._load_batch,
        {{ business_seconds_at('tickets.created_at', 'created_day') }} as created_cumulative_seconds,
        {{ business_seconds_at('tickets.first_agent_reply_at', 'reply_day') }} as reply_cumulative_seconds,
        {{ business_seconds_at('tickets.first_resolved_at', 'first_resolved_day') }}
            as first_resolved_cumulative_seconds,
        {{ business_seconds_at('tickets.final_resolved_at', 'final_resolved_day') }}
            as final_resolved_cumulative_seconds
    from tickets
    left join business_days as created_day
        on tickets.created_local_date = created_day.calendar_date
    left join business_days as reply_day
        on tickets.first_agent_reply_local_date = reply_day.calendar_date
    left join business_days as first_resolved_day
        on tickets.first_resolved_local_date = first_resolved_day.calendar_date
    left join business_days as final_resolved_day
        on tickets.final_resolved_local_date = final_resolved_day.calendar_date
),

final as (
    select
        ticket_id,
        customer_id,
        created_at,
        first_agent_reply_at,
        first_resolved_at,
        final_resolved_at,
        is_resolved,
        reply_cumulative_seconds - created_cumulative_seconds as first_response_business_seconds,
        first_resolved_cumulative_seconds - created_cumulative_seconds as first_resolution_business_seconds,
        final_resolved_cumulative_seconds - created_cumulative_seconds as resolution_business_seconds,
        _load_batch,
        {{ run_stamp() }} as _computed_at
    from cumulative
)

select * from final
