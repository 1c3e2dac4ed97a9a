-- One row per resolved ticket for the resolution-based ticket KPIs (fcr_rate), attributed to
-- the day of the ticket's final resolution (kpi-catalog.md "Attribution").
with

tickets as (
    select * from {{ ref('fct_tickets') }}
),

final as (
    select
        'fcr_rate' as kpi_id,
        final_resolved_date as metric_date,
        channel,
        team,
        coalesce(assignee_agent_id, 'unassigned') as agent_id,
        category,
        priority,
        customer_tier,
        cast(null as varchar) as survey_type,
        cast(case when is_first_contact_resolution then 1 else 0 end as double) as numerator,
        cast(1 as double) as denominator,
        cast(null as double) as measure
    from tickets
    where is_resolved
)

select * from final
