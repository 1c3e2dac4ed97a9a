-- Observation-based KPIs rolled up to every period grain and breakdown.
with

observations as (
    select * from {{ ref('int_kpi_observations') }}
),

aggregated as (
    {{ aggregate_kpi_observations('observations') }}  -- noqa: PRS
),

final as (
    select * from aggregated
    -- a dimension that does not apply to a KPI leaves null values: no row for it
    where dimension_value is not null
)

select * from final
