-- One row per agent and month with the agent's numbers and, beside each, their team's value
-- for the same month (team_<kpi>), read from kpi_values (no formula is recomputed here).
-- handled_volume = contact_volume attributed to the agent (assigned tickets, answered calls and
-- chats not logged against a ticket). Bots have no row.
{%- set scorecard = agent_scorecard_kpis() %}

with

kpi_values as (
    select * from {{ ref('kpi_values') }}
    where period_grain = 'month' and dimension = 'agent'
),

agents as (
    select * from {{ ref('dim_agents') }}
),

teams as (
    select * from {{ ref('team_monthly_performance') }}
),

agent_months as (
    select
        period_start as month_start,
        dimension_value as agent_id,
        {{ agent_scorecard_columns() }}
        count(*) as kpi_rows
    from kpi_values
    where
        kpi_id in (
            {%- for kpi_id in scorecard.values() %}
            '{{ kpi_id }}'{{ ',' if not loop.last }}
            {%- endfor %}
        )
    group by period_start, dimension_value
),

final as (
    select
        agent_months.month_start,
        agent_months.agent_id,
        agents.team,
        {%- for column in scorecard.keys() %}
        agent_months.{{ column }},
        agent_months.{{ column }}_sample_size,
        teams.{{ column }} as team_{{ column }},
        {%- endfor %}
        agent_months.kpi_rows
    from agent_months
    inner join agents
        on agent_months.agent_id = agents.agent_id
    left join teams
        on
            agent_months.month_start = teams.month_start
            and agents.team = teams.team
    where not agents.is_bot
)

select * from final
