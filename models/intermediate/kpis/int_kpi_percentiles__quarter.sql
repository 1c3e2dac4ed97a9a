-- p50 and p90 of the time KPIs (observations with a measure) at the quarter grain, per breakdown.
-- One model per grain: percentiles keep every value of a group in memory, so the grains are
-- built one after another (each depends on the previous one) rather than in one query.
-- depends_on: {{ ref('int_kpi_percentiles__month') }}
with

percentiles as (
    {{ kpi_observation_percentiles(ref('int_kpi_observations'), grains=['quarter']) }}  -- noqa: PRS
),

final as (
    select * from percentiles
)

select * from final
