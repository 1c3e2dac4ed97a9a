-- One row per call or chat and call-centre KPI it feeds, attributed to the day it was offered
-- (kpi-catalog.md "Attribution"; DECISIONLOG.md "Calls and chats"):
--   aht            handled (answered) calls and chats: talk + hold + wrap-up seconds
--   asa            answered calls and chats: seconds from offer to answer
--   service_level  offered calls and chats answered within var('service_level_threshold_seconds')
--   answer_rate, abandon_rate   offered calls (blocked calls were never offered)
--   blockage_rate  every call attempt
-- A view: a filter and projection of one fact table, cheaper to read again (by the day
-- checksums, the sums and the percentiles) than to copy.
-- One CTE per KPI: its rows (where), its numerator and measure. Every KPI carries the contact's
-- six breakdowns (agent_id 'unassigned' without one); kpi_observation_breakdowns() renders them
-- in the order of kpi_dimensions(), the others (survey_type, hour_of_day, day_of_week) null.
{{ config(materialized='view') }}

with

contacts as (
    select * from {{ ref('fct_queue_contacts') }}
),

aht as (
    select
        'aht' as kpi_id,
        offered_date as metric_date,
        {{ kpi_observation_breakdowns({
            'channel': 'channel',
            'team': 'team',
            'agent_id': "coalesce(agent_id, 'unassigned')",
            'category': 'category',
            'priority': 'priority',
            'customer_tier': 'customer_tier',
        }) }}
        cast(handle_seconds as double) as numerator,
        cast(1 as double) as denominator,
        cast(handle_seconds as double) as measure
    from contacts
    where is_answered and handle_seconds is not null
),

asa as (
    select
        'asa' as kpi_id,
        offered_date as metric_date,
        {{ kpi_observation_breakdowns({
            'channel': 'channel',
            'team': 'team',
            'agent_id': "coalesce(agent_id, 'unassigned')",
            'category': 'category',
            'priority': 'priority',
            'customer_tier': 'customer_tier',
        }) }}
        cast(wait_seconds as double) as numerator,
        cast(1 as double) as denominator,
        cast(wait_seconds as double) as measure
    from contacts
    where is_answered and wait_seconds is not null
),

service_level as (
    select
        'service_level' as kpi_id,
        offered_date as metric_date,
        {{ kpi_observation_breakdowns({
            'channel': 'channel',
            'team': 'team',
            'agent_id': "coalesce(agent_id, 'unassigned')",
            'category': 'category',
            'priority': 'priority',
            'customer_tier': 'customer_tier',
        }) }}
        cast(case when is_answered_within_threshold then 1 else 0 end as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from contacts
    where is_offered
),

answer_rate as (
    select
        'answer_rate' as kpi_id,
        offered_date as metric_date,
        {{ kpi_observation_breakdowns({
            'channel': 'channel',
            'team': 'team',
            'agent_id': "coalesce(agent_id, 'unassigned')",
            'category': 'category',
            'priority': 'priority',
            'customer_tier': 'customer_tier',
        }) }}
        cast(case when is_answered then 1 else 0 end as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from contacts
    where contact_type = 'call' and is_offered
),

abandon_rate as (
    select
        'abandon_rate' as kpi_id,
        offered_date as metric_date,
        {{ kpi_observation_breakdowns({
            'channel': 'channel',
            'team': 'team',
            'agent_id': "coalesce(agent_id, 'unassigned')",
            'category': 'category',
            'priority': 'priority',
            'customer_tier': 'customer_tier',
        }) }}
        cast(case when is_abandoned then 1 else 0 end as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from contacts
    where contact_type = 'call' and is_offered
),

blockage_rate as (
    select
        'blockage_rate' as kpi_id,
        offered_date as metric_date,
        {{ kpi_observation_breakdowns({
            'channel': 'channel',
            'team': 'team',
            'agent_id': "coalesce(agent_id, 'unassigned')",
            'category': 'category',
            'priority': 'priority',
            'customer_tier': 'customer_tier',
        }) }}
        cast(case when is_blocked then 1 else 0 end as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from contacts
    where contact_type = 'call'
),

final as (
    select * from aht
    union all
    select * from asa
    union all
    select * from service_level
    union all
    select * from answer_rate
    union all
    select * from abandon_rate
    union all
    select * from blockage_rate
)

select * from final
