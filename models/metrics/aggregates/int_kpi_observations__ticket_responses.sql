-- One row per agent reply that answered the customer (int_helpdesk__ticket_responses), for
-- avg_response_time: the mean over every reply, not only the first. Attributed to the day of
-- the reply; the agent and team are the replying agent's (DECISIONLOG.md "Response times").
-- A table, rebuilt every run: a join of every reply with its ticket and agent, which the
-- observation aggregates read several times.
{{ config(materialized='table') }}

with

responses as (
    select * from {{ ref('int_helpdesk__ticket_responses') }}
),

tickets as (
    select * from {{ ref('fct_tickets') }}
),

agents as (
    select * from {{ ref('dim_agents') }}
),

final as (
    select
        'avg_response_time' as kpi_id,
        responses.replied_date as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets', overrides={
            'team': "coalesce(agents.team, 'unassigned')",
            'agent_id': "coalesce(responses.agent_id, 'unassigned')",
        })) }}
        cast(responses.response_seconds as double) as numerator,
        cast(1 as double) as denominator,
        cast(responses.response_seconds as double) as measure,
        responses.ticket_id
    from responses
    inner join tickets
        on responses.ticket_id = tickets.ticket_id
    left join agents
        on responses.agent_id = agents.agent_id
)

select * from final
