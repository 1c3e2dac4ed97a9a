-- One row per day from the first day of the exports to the as-of date, with the start of each
-- reporting period that holds it (weeks are ISO weeks, starting on Monday).
with

bounds as {{ inlined_cte() }} (
    select * from {{ ref('int_calendar__data_bounds') }}
),

spine as (
    {{ date_spine('(select first_date from bounds)', '(select as_of_date from bounds)') }}
),

final as (
    select
        date_day,
        {%- for grain in var('kpi_period_grains') %}
        {{ period_start(grain, 'date_day') }} as {{ grain }}_start,
        {%- endfor %}
        {{ iso_day_of_week('date_day') }} as iso_day_of_week,
        {{ iso_day_of_week('date_day') }} >= 6 as is_weekend
    from spine
)

select * from final
