-- One row per ticket and ticket KPI it feeds, in the observation shape of int_kpi_observations.
-- Attribution (kpi-catalog.md): resolution-based KPIs to the day of the final resolution,
-- first_response_time to the day of creation, first_resolution_time to the day of the first
-- resolution. Time KPIs carry their seconds in `measure` for p50/p90 (only time KPIs publish
-- percentiles: kpi-catalog.md "How KPIs are published").
-- A view: a filter and projection of one fact table, cheaper to read again (by the observation
-- fingerprints, the sums and the percentiles of each grain) than to copy.
{{ config(materialized='view') }}
{%- set ticket_kpis = [
    {'kpi_id': 'fcr_rate', 'date': 'final_resolved_date', 'where': 'is_resolved',
     'numerator': 'case when is_first_contact_resolution then 1 else 0 end', 'measure': none},
    {'kpi_id': 'first_response_time', 'date': 'created_date', 'where': 'first_response_seconds is not null',
     'numerator': 'first_response_seconds', 'measure': 'first_response_seconds'},
    {'kpi_id': 'first_response_time_business', 'date': 'created_date',
     'where': 'first_response_business_seconds is not null',
     'numerator': 'first_response_business_seconds', 'measure': 'first_response_business_seconds'},
    {'kpi_id': 'first_resolution_time', 'date': 'cast(first_resolved_at as date)',
     'where': 'first_resolution_seconds is not null',
     'numerator': 'first_resolution_seconds', 'measure': 'first_resolution_seconds'},
    {'kpi_id': 'resolution_time', 'date': 'final_resolved_date', 'where': 'is_resolved',
     'numerator': 'resolution_seconds', 'measure': 'resolution_seconds'},
    {'kpi_id': 'resolution_time_business', 'date': 'final_resolved_date',
     'where': 'is_resolved and resolution_business_seconds is not null',
     'numerator': 'resolution_business_seconds', 'measure': 'resolution_business_seconds'},
    {'kpi_id': 'sla_attainment', 'date': 'final_resolved_date', 'where': 'is_resolved and is_sla_met is not null',
     'numerator': 'case when is_sla_met then 1 else 0 end', 'measure': none},
    {'kpi_id': 'replies_to_resolution', 'date': 'final_resolved_date', 'where': 'is_resolved',
     'numerator': 'agent_replies_before_resolution', 'measure': none},
    {'kpi_id': 'interactions_per_ticket', 'date': 'final_resolved_date', 'where': 'is_resolved',
     'numerator': 'interaction_count', 'measure': none},
    {'kpi_id': 'agent_touches', 'date': 'final_resolved_date', 'where': 'is_resolved',
     'numerator': 'agent_touch_count', 'measure': none},
    {'kpi_id': 'reopen_rate', 'date': 'final_resolved_date', 'where': 'is_resolved',
     'numerator': 'case when is_reopened then 1 else 0 end', 'measure': none},
    {'kpi_id': 'reopens_per_ticket', 'date': 'final_resolved_date', 'where': 'is_resolved',
     'numerator': 'reopen_count', 'measure': none},
    {'kpi_id': 'next_issue_avoidance', 'date': 'final_resolved_date', 'where': 'is_resolved and customer_key is not null',
     'numerator': 'case when has_next_issue then 0 else 1 end', 'measure': none},
] %}

with

tickets as (
    select * from {{ ref('fct_tickets') }}
),

final as (
    {%- for kpi in ticket_kpis %}
    select
        '{{ kpi.kpi_id }}' as kpi_id,
        {{ kpi.date }} as metric_date,
        {{ kpi_observation_breakdowns(ticket_breakdowns('tickets')) }}
        cast({{ kpi.numerator }} as double) as numerator,
        cast(1 as double) as denominator,
        cast({{ kpi.measure if kpi.measure else 'null' }} as double) as measure
    from tickets
    where {{ kpi.where }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select * from final
