-- One row per QA review for iqs = Σ points earned / Σ points possible × 100, attributed to the
-- day of the review; the agent is the reviewed agent, the other breakdowns the ticket's.
with

reviews as (
    select * from {{ ref('stg_qa__reviews') }}
    where _row_status = 'staged'
),

tickets as (
    select * from {{ ref('fct_tickets') }}
),

agents as (
    select * from {{ ref('dim_agents') }}
),

final as (
    select
        'iqs' as kpi_id,
        cast(reviews.reviewed_at as date) as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets', missing='unknown', overrides={
            'team': "coalesce(agents.team, 'unassigned')",
            'agent_id': "coalesce(reviews.agent_id, 'unassigned')",
        })) }}
        cast(reviews.points_earned as double) as numerator,
        cast(reviews.points_possible as double) as denominator,
        cast(null as double) as measure
    from reviews
    left join tickets
        on reviews.ticket_id = tickets.ticket_id
    left join agents
        on reviews.agent_id = agents.agent_id
    where reviews.reviewed_at is not null
)

select * from final
