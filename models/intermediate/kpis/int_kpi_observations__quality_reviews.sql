-- One row per QA review for iqs = Σ points earned / Σ points possible × 100, attributed to the
-- day of the review; the agent is the reviewed agent, the other breakdowns the ticket's.
with

reviews as (
    select * from {{ ref('stg_qa__reviews') }}
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
        coalesce(tickets.channel, 'unknown') as channel,
        coalesce(agents.team, 'unassigned') as team,
        coalesce(reviews.agent_id, 'unassigned') as agent_id,
        coalesce(tickets.category, 'unknown') as category,
        coalesce(tickets.priority, 'unknown') as priority,
        coalesce(tickets.customer_tier, 'unknown') as customer_tier,
        cast(null as varchar) as survey_type,
        cast(null as varchar) as hour_of_day,
        cast(null as varchar) as day_of_week,
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
