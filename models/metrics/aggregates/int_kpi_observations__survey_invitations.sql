-- One row per survey invitation for survey_response_rate, attributed to the day it was sent
-- (kpi-catalog.md "Attribution"): answered when a staged response names the invitation.
-- Responses to open-link surveys (no invitation) have no denominator and are not counted.
-- A view: cheaper to compute again for its readers (the day checksums and sums of
-- int_kpi_aggregates__observations; the percentiles skip it, it has no measure) than to copy.
{{ config(materialized='view') }}
with

invitations as (
    select * from {{ ref('stg_survey__invitations') }}
    where _row_status = 'staged'
),

responses as (
    select * from {{ ref('stg_survey__responses') }}
    where _row_status = 'staged'
),

tickets as (
    select * from {{ ref('fct_tickets') }}
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
    where _row_status = 'staged'
),

answered as (
    select distinct invitation_id
    from responses
    where invitation_id is not null
),

final as (
    select
        'survey_response_rate' as kpi_id,
        cast(invitations.sent_at as date) as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets', missing='unknown', overrides={
            'customer_tier': "coalesce(customers.customer_tier, tickets.customer_tier, 'unknown')",
            'survey_type': 'invitations.survey_type',
        })) }}
        cast(case when answered.invitation_id is not null then 1 else 0 end as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from invitations
    left join answered
        on invitations.invitation_id = answered.invitation_id
    left join tickets
        on invitations.ticket_id = tickets.ticket_id
    left join customers
        on invitations.customer_id = customers.customer_id
    where invitations.sent_at is not null
)

select * from final
