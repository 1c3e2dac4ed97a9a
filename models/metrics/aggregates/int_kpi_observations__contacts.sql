-- Customer requests across channels (DECISIONLOG.md "Contact volume and self-service"):
--   contact_volume     every ticket (its channel), and every call attempt or chat request not
--                      logged against a ticket (one request is counted once), by the day, hour
--                      of day and ISO day of week (UTC) it arrived
--   self_service_rate  requests resolved without an agent (self-service sessions that opened no
--                      ticket, chats the bot resolved) / those plus agent-handled requests
--                      (tickets, answered calls and chats not logged against a ticket)
--   article_helpfulness  help-centre votes: helpful / all votes
-- A view: cheaper to compute again for its readers (the day checksums and sums of
-- int_kpi_aggregates__observations; the percentiles skip it, it has no measure) than to copy.
{{ config(materialized='view') }}
with

tickets as (
    select * from {{ ref('fct_tickets') }}
),

queue_contacts as (
    select * from {{ ref('fct_queue_contacts') }}
),

self_service as (
    select * from {{ ref('stg_self_service__sessions') }}
    where _row_status = 'staged'
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
    where _row_status = 'staged'
),

requests as (
    select
        tickets.created_at as arrived_at,
        {{- breakdown_columns(ticket_breakdowns('tickets')) }}
        true as is_agent_handled,
        false as is_self_served
    from tickets
    where tickets.created_at is not null
    union all
    select
        queue_contacts.offered_at as arrived_at,
        queue_contacts.channel,
        queue_contacts.team,
        case
            when queue_contacts.is_bot_agent then 'unassigned' else coalesce(queue_contacts.agent_id, 'unassigned')
        end as agent_id,
        queue_contacts.category,
        queue_contacts.priority,
        queue_contacts.customer_tier,
        queue_contacts.is_answered as is_agent_handled,
        queue_contacts.outcome = 'bot_resolved' as is_self_served
    from queue_contacts
    where queue_contacts.ticket_id is null
),

sessions as (
    select
        self_service.started_at,
        self_service.source,
        self_service.escalated_ticket_id is null as is_self_served,
        self_service.helpful_vote,
        coalesce(customers.customer_tier, 'unknown') as customer_tier
    from self_service
    left join customers
        on self_service.customer_id = customers.customer_id
    where self_service.started_at is not null
),

volume as (
    select
        'contact_volume' as kpi_id,
        cast(arrived_at as date) as metric_date,
        {{ kpi_observation_breakdowns({
            'channel': 'channel',
            'team': 'team',
            'agent_id': 'agent_id',
            'category': 'category',
            'priority': 'priority',
            'customer_tier': 'customer_tier',
            'hour_of_day': "lpad(cast(hour(arrived_at) as varchar), 2, '0')",
            'day_of_week': 'cast(' ~ iso_day_of_week('arrived_at') ~ ' as varchar)',
        }) }}
        cast(1 as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from requests
),

self_service_rate as (
    select
        'self_service_rate' as kpi_id,
        cast(arrived_at as date) as metric_date,
        {{ kpi_observation_breakdowns({
            'customer_tier': 'customer_tier',
        }) }}
        cast(case when is_self_served then 1 else 0 end as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from requests
    where is_agent_handled or is_self_served
    union all
    select
        'self_service_rate' as kpi_id,
        cast(started_at as date) as metric_date,
        {{ kpi_observation_breakdowns({
            'customer_tier': 'customer_tier',
        }) }}
        cast(1 as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from sessions
    -- an escalated session is counted once, as the ticket it opened
    where is_self_served
),

helpfulness as (
    select
        'article_helpfulness' as kpi_id,
        cast(started_at as date) as metric_date,
        {{ kpi_observation_breakdowns({
            'customer_tier': 'customer_tier',
        }) }}
        cast(case when helpful_vote = 'yes' then 1 else 0 end as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from sessions
    where source = 'help_center' and helpful_vote in ('yes', 'no')
),

final as (
    select * from volume
    union all
    select * from self_service_rate
    union all
    select * from helpfulness
)

select * from final
