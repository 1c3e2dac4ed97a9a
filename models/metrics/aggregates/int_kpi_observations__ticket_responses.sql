-- One row per agent reply that answered the customer (int_helpdesk__ticket_responses), for
-- avg_response_time: the mean over every reply, not only the first. Attributed to the day of
-- the reply; the agent and team are the replying agent's (DECISIONLOG.md "Response times").
-- Incremental by ticket, like the replies it reads: a run redoes the tickets whose replies a new
-- load batch changed, whose fct_tickets row was recomputed since this model last ran (channel,
-- category, priority, customer tier) or that have a reply by an agent a new batch updated (team).
{{ config(
    materialized='incremental',
    unique_key='ticket_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

all_responses as {{ inlined_cte() }} (
    select * from {{ ref('int_helpdesk__ticket_responses') }}
),

tickets as {{ inlined_cte() }} (
    select * from {{ ref('fct_tickets') }}
),

agents as (
    select * from {{ ref('dim_agents') }}
),

-- read by keys_of_new_batches below (sqlfluff cannot see into the macro)
agent_directory as (  -- noqa: ST03
    select * from {{ ref('stg_helpdesk__agents') }}
    where _row_status = 'staged'
),
{%- if is_incremental() %}

changed_tickets as (
    select all_responses.ticket_id from all_responses
    where {{ since_last_run('all_responses._load_batch') }}
    union
    select tickets.ticket_id from tickets
    where tickets.{{ computed_since_last_run() }}
    union
    select all_responses.ticket_id from all_responses
    where all_responses.agent_id in ({{ keys_of_new_batches('agent_directory', 'agent_id') }})
),
{%- endif %}

responses as (
    {{ rows_of_changed_tickets('all_responses') }}
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
        responses.ticket_id,
        greatest(responses._load_batch, tickets._load_batch) as _load_batch,
        {{ run_stamp() }} as _computed_at
    from responses
    inner join tickets
        on responses.ticket_id = tickets.ticket_id
    left join agents
        on responses.agent_id = agents.agent_id
)

select * from final
