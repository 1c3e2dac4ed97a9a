-- One row per team and month: the numbers a team lead opens first, read from kpi_values (no
-- formula is recomputed here). handled_volume = contact_volume of the team's agents.
{%- set scorecard = agent_scorecard_kpis() %}

with

kpi_values as (
    select * from {{ ref('kpi_values') }}
    where period_grain = 'month' and dimension = 'team'
),

final as (
    select
        period_start as month_start,
        dimension_value as team,
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
)

select * from final
