-- Every KPI observation of every family, in one shape (see macros/kpi/aggregate_kpi_observations.sql).
-- A new KPI family adds an int_kpi_observations__<family> model and one line here.
with

unioned as (
    select * from {{ ref('int_kpi_observations__survey_responses') }}
    union all
    select * from {{ ref('int_kpi_observations__tickets') }}
),

final as (
    select * from unioned
)

select * from final
