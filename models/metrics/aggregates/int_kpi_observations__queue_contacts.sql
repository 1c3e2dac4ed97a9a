-- One row per call or chat and call-centre KPI it feeds, attributed to the day it was offered
-- (kpi-catalog.md "Attribution"; DECISIONLOG.md "Calls and chats"):
--   aht            handled (answered) calls and chats: talk + hold + wrap-up seconds
--   asa            answered calls and chats: seconds from offer to answer
--   service_level  offered calls and chats answered within var('service_level_threshold_seconds')
--   answer_rate, abandon_rate   offered calls (blocked calls were never offered)
--   blockage_rate  every call attempt
-- A view: a filter and projection of one fact table, cheaper to read again (by the observation
-- fingerprints, the sums and the percentiles of each grain) than to copy.
{{ config(materialized='view') }}
{%- set queue_kpis = [
    {'kpi_id': 'aht', 'where': 'is_answered and handle_seconds is not null',
     'numerator': 'handle_seconds', 'measure': 'handle_seconds'},
    {'kpi_id': 'asa', 'where': 'is_answered and wait_seconds is not null',
     'numerator': 'wait_seconds', 'measure': 'wait_seconds'},
    {'kpi_id': 'service_level', 'where': 'is_offered',
     'numerator': 'case when is_answered_within_threshold then 1 else 0 end', 'measure': none},
    {'kpi_id': 'answer_rate', 'where': "contact_type = 'call' and is_offered",
     'numerator': 'case when is_answered then 1 else 0 end', 'measure': none},
    {'kpi_id': 'abandon_rate', 'where': "contact_type = 'call' and is_offered",
     'numerator': 'case when is_abandoned then 1 else 0 end', 'measure': none},
    {'kpi_id': 'blockage_rate', 'where': "contact_type = 'call'",
     'numerator': 'case when is_blocked then 1 else 0 end', 'measure': none},
] %}

with

contacts as (
    select * from {{ ref('fct_queue_contacts') }}
),

final as (
    {%- for kpi in queue_kpis %}
    select
        '{{ kpi.kpi_id }}' as kpi_id,
        offered_date as metric_date,
        {{ kpi_observation_breakdowns({
            'channel': 'channel',
            'team': 'team',
            'agent_id': "coalesce(agent_id, 'unassigned')",
            'category': 'category',
            'priority': 'priority',
            'customer_tier': 'customer_tier',
        }) }}
        cast({{ kpi.numerator }} as double) as numerator,
        cast(1 as double) as denominator,
        cast({{ kpi.measure if kpi.measure else 'null' }} as double) as measure
    from contacts
    where {{ kpi.where }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from final
