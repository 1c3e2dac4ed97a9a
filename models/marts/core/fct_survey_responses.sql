-- One row per survey response, normalised to its scale, with the ticket's and customer's
-- breakdown dimensions. The survey rules (kpi-catalog.md section A) are written here, once:
-- CSAT satisfied = 4 or 5 on the 1-5 scale, 'good' (1) on the 0-1 scale; NPS promoter 9-10
-- (+1), passive 7-8 (0), detractor 0-6 (-1); CES easy = 5-7 on the 1-7 scale. Every survey KPI
-- reads these columns.
-- A table: one row per response, a single pass.
{{ config(materialized='table') }}

with

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

final as (
    select
        responses.response_id,
        responses.invitation_id,
        responses.survey_type,
        case when responses.customer_id is not null then {{ pseudonymise('responses.customer_id') }} end
            as customer_key,
        responses.ticket_id,
        responses.responded_at,
        cast(responses.responded_at as date) as responded_date,
        responses.score,
        responses.scale_min,
        responses.scale_max,
        (responses.score - responses.scale_min) / (responses.scale_max - responses.scale_min)
            as score_normalised,
        case
            when responses.survey_type = 'csat' and responses.scale_min = 0 and responses.scale_max = 1
                then responses.score = 1
            when responses.survey_type = 'csat' and responses.scale_min = 1 and responses.scale_max = 5
                then responses.score >= 4
        end as is_satisfied,
        case
            when responses.survey_type = 'nps' and responses.score >= 9 then 'promoter'
            when responses.survey_type = 'nps' and responses.score >= 7 then 'passive'
            when responses.survey_type = 'nps' and responses.score >= 0 then 'detractor'
        end as nps_group,
        case
            when responses.survey_type = 'nps' and responses.score >= 9 then 1
            when responses.survey_type = 'nps' and responses.score >= 7 then 0
            when responses.survey_type = 'nps' and responses.score >= 0 then -1
        end as nps_points,
        case when responses.survey_type = 'ces' then responses.score end as effort_score,
        case when responses.survey_type = 'ces' then responses.score >= 5 end as is_easy,
        coalesce(tickets.channel, 'unknown') as channel,
        coalesce(tickets.category, 'unknown') as category,
        coalesce(tickets.priority, 'unknown') as priority,
        tickets.assignee_agent_id as agent_id,
        coalesce(tickets.team, 'unknown') as team,
        coalesce(customers.customer_tier, tickets.customer_tier, 'unknown') as customer_tier,
        greatest(responses._load_batch, tickets._load_batch, customers._load_batch) as _load_batch,
        {{ run_stamp() }} as _computed_at
    from responses
    left join tickets
        on responses.ticket_id = tickets.ticket_id
    left join customers
        on responses.customer_id = customers.customer_id
)

select * from final
