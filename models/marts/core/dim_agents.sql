-- One row per agent or bot. Agents that act in the exports but are missing from the agent
-- directory are inferred members (is_known_in_directory = false, team 'unknown', not a bot).
with

agents as (
    select * from {{ ref('stg_helpdesk__agents') }}
    where _row_status = 'staged'
),

mentioned as (
    select agent_id from {{ ref('stg_helpdesk__ticket_events') }}
    where _row_status = 'staged'
    union
    select new_assignee_agent_id from {{ ref('stg_helpdesk__ticket_events') }}
    where _row_status = 'staged'
    union
    select assignee_agent_id from {{ ref('stg_helpdesk__tickets') }}
    where _row_status = 'staged'
    union
    select agent_id from {{ ref('stg_telephony__calls') }}
    where _row_status = 'staged'
    union
    select agent_id from {{ ref('stg_chat__sessions') }}
    where _row_status = 'staged'
    union
    select agent_id from {{ ref('stg_qa__reviews') }}
    where _row_status = 'staged'
),

directory_agents as (
    select
        agent_id,
        coalesce(team, 'unknown') as team,
        is_bot,
        cast(hired_at as date) as hired_date,
        cast(left_at as date) as left_date,
        true as is_known_in_directory
    from agents
),

inferred_agents as (
    select
        agent_id,
        'unknown' as team,
        false as is_bot,
        cast(null as date) as hired_date,
        cast(null as date) as left_date,
        false as is_known_in_directory
    from mentioned
    where
        agent_id is not null
        and agent_id not in (select agents.agent_id from agents)
),

final as (
    select * from directory_agents
    union all
    select * from inferred_agents
)

select * from final
