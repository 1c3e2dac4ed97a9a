-- One row per survey response and survey KPI it feeds (csat, nps, ces, ces_easy_share, cx_rating),
-- attributed to the day it was answered (kpi-catalog.md "Attribution").
-- A view: a few rows per survey response, read by int_kpi_aggregates__observations.
{{ config(materialized='view') }}

with

responses as (
    select * from {{ ref('fct_survey_responses') }}
),

observations as (
    select
        'csat' as kpi_id,
        response_id,
        case when is_satisfied then 1 else 0 end as numerator,
        1 as denominator
    from responses
    where survey_type = 'csat'
    union all
    select
        'nps' as kpi_id,
        response_id,
        nps_points as numerator,
        1 as denominator
    from responses
    where survey_type = 'nps'
    union all
    select
        'ces' as kpi_id,
        response_id,
        effort_score as numerator,
        1 as denominator
    from responses
    where survey_type = 'ces'
    union all
    select
        'ces_easy_share' as kpi_id,
        response_id,
        case when is_easy then 1 else 0 end as numerator,
        1 as denominator
    from responses
    where survey_type = 'ces'
    union all
    select
        'cx_rating' as kpi_id,
        response_id,
        score as numerator,
        1 as denominator
    from responses
    where survey_type = 'cx'
),

final as (
    select
        observations.kpi_id,
        responses.responded_date as metric_date,
        responses.channel,
        responses.team,
        coalesce(responses.agent_id, 'unassigned') as agent_id,
        responses.category,
        responses.priority,
        responses.customer_tier,
        -- breakdowns that do not apply to a survey response
        cast(null as varchar) as survey_type,
        cast(null as varchar) as hour_of_day,
        cast(null as varchar) as day_of_week,
        cast(observations.numerator as double) as numerator,
        cast(observations.denominator as double) as denominator,
        cast(null as double) as measure,
        responses.response_id
    from observations
    inner join responses
        on observations.response_id = responses.response_id
)

select * from final
