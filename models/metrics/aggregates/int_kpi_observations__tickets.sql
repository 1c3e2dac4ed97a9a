-- One row per ticket and ticket KPI it feeds, in the observation shape of int_kpi_aggregates__observations.
-- Attribution (kpi-catalog.md): resolution-based KPIs to the day of the final resolution,
-- first_response_time to the day of creation, first_resolution_time to the day of the first
-- resolution. Time KPIs carry their seconds in `measure` for p50/p90 (only time KPIs publish
-- percentiles: kpi-catalog.md "How KPIs are published").
-- A view: a filter and projection of one fact table, cheaper to read again (by the day
-- checksums, the sums and the percentiles) than to copy.
-- One CTE per KPI: its date, its rows (where) and its numerator and measure. Every KPI carries
-- the ticket's breakdowns, rendered by kpi_observation_breakdowns(ticket_breakdowns('tickets')):
-- channel, team, agent_id (the assignee, 'unassigned' without one), category, priority,
-- customer_tier; survey_type, hour_of_day and day_of_week are null (do not apply).
{{ config(materialized='view') }}

with

tickets as (
    select * from {{ ref('fct_tickets') }}
),

fcr_rate as (
    select
        'fcr_rate' as kpi_id,
        tickets.final_resolved_date as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets')) }}
        cast(case when tickets.is_first_contact_resolution then 1 else 0 end as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from tickets
    where tickets.is_resolved
),

first_response_time as (
    select
        'first_response_time' as kpi_id,
        tickets.created_date as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets')) }}
        cast(tickets.first_response_seconds as double) as numerator,
        cast(1 as double) as denominator,
        cast(tickets.first_response_seconds as double) as measure
    from tickets
    where tickets.first_response_seconds is not null
),

first_response_time_business as (
    select
        'first_response_time_business' as kpi_id,
        tickets.created_date as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets')) }}
        cast(tickets.first_response_business_seconds as double) as numerator,
        cast(1 as double) as denominator,
        cast(tickets.first_response_business_seconds as double) as measure
    from tickets
    where tickets.first_response_business_seconds is not null
),

first_resolution_time as (
    select
        'first_resolution_time' as kpi_id,
        cast(tickets.first_resolved_at as date) as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets')) }}
        cast(tickets.first_resolution_seconds as double) as numerator,
        cast(1 as double) as denominator,
        cast(tickets.first_resolution_seconds as double) as measure
    from tickets
    where tickets.first_resolution_seconds is not null
),

resolution_time as (
    select
        'resolution_time' as kpi_id,
        tickets.final_resolved_date as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets')) }}
        cast(tickets.resolution_seconds as double) as numerator,
        cast(1 as double) as denominator,
        cast(tickets.resolution_seconds as double) as measure
    from tickets
    where tickets.is_resolved
),

resolution_time_business as (
    select
        'resolution_time_business' as kpi_id,
        tickets.final_resolved_date as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets')) }}
        cast(tickets.resolution_business_seconds as double) as numerator,
        cast(1 as double) as denominator,
        cast(tickets.resolution_business_seconds as double) as measure
    from tickets
    where tickets.is_resolved and tickets.resolution_business_seconds is not null
),

sla_attainment as (
    select
        'sla_attainment' as kpi_id,
        tickets.final_resolved_date as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets')) }}
        cast(case when tickets.is_sla_met then 1 else 0 end as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from tickets
    where tickets.is_resolved and tickets.is_sla_met is not null
),

replies_to_resolution as (
    select
        'replies_to_resolution' as kpi_id,
        tickets.final_resolved_date as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets')) }}
        cast(tickets.agent_replies_before_resolution as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from tickets
    where tickets.is_resolved
),

interactions_per_ticket as (
    select
        'interactions_per_ticket' as kpi_id,
        tickets.final_resolved_date as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets')) }}
        cast(tickets.interaction_count as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from tickets
    where tickets.is_resolved
),

agent_touches as (
    select
        'agent_touches' as kpi_id,
        tickets.final_resolved_date as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets')) }}
        cast(tickets.agent_touch_count as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from tickets
    where tickets.is_resolved
),

reopen_rate as (
    select
        'reopen_rate' as kpi_id,
        tickets.final_resolved_date as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets')) }}
        cast(case when tickets.is_reopened then 1 else 0 end as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from tickets
    where tickets.is_resolved
),

reopens_per_ticket as (
    select
        'reopens_per_ticket' as kpi_id,
        tickets.final_resolved_date as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets')) }}
        cast(tickets.reopen_count as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from tickets
    where tickets.is_resolved
),

next_issue_avoidance as (
    select
        'next_issue_avoidance' as kpi_id,
        tickets.final_resolved_date as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets')) }}
        cast(case when tickets.has_next_issue then 0 else 1 end as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from tickets
    where tickets.is_resolved and tickets.customer_key is not null
),

final as (
    select * from fcr_rate
    union all
    select * from first_response_time
    union all
    select * from first_response_time_business
    union all
    select * from first_resolution_time
    union all
    select * from resolution_time
    union all
    select * from resolution_time_business
    union all
    select * from sla_attainment
    union all
    select * from replies_to_resolution
    union all
    select * from interactions_per_ticket
    union all
    select * from agent_touches
    union all
    select * from reopen_rate
    union all
    select * from reopens_per_ticket
    union all
    select * from next_issue_avoidance
)

select * from final
