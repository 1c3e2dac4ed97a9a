-- Example analysis (compiled, never built): CSAT per agent for the last complete month,
-- with its 95 % interval, low-sample rows last. `dbt compile` writes the SQL to target/.
with

kpi_values as (
    select * from {{ ref('kpi_values') }}
),

last_complete_month as (
    select max(period_start) as period_start
    from kpi_values
    where
        kpi_id = 'csat'
        and period_grain = 'month'
        and period_start < date_trunc('month', current_date)
),

final as (
    select
        kpi_values.dimension_value as agent_id,
        kpi_values.value as csat,
        kpi_values.denominator as responses,
        kpi_values.ci_low,
        kpi_values.ci_high,
        kpi_values.is_low_sample
    from kpi_values
    inner join last_complete_month
        on kpi_values.period_start = last_complete_month.period_start
    where
        kpi_values.kpi_id = 'csat'
        and kpi_values.period_grain = 'month'
        and kpi_values.dimension = 'agent'
    order by kpi_values.is_low_sample asc, kpi_values.value desc
)

select * from final
