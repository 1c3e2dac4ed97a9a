-- Every KPI observation of every family, in one shape (see macros/kpi/aggregate_kpi_observations.sql).
-- A new KPI family adds an int_kpi_observations__<family> model and one entry here.
-- A view: its readers (the observation fingerprints, the sums and the percentiles of each grain)
-- scan the family tables themselves, and tens of millions of rows are not copied once more.
{{ config(materialized='view') }}
{%- set observation_models = [
    'int_kpi_observations__survey_responses',
    'int_kpi_observations__survey_invitations',
    'int_kpi_observations__quality_reviews',
    'int_kpi_observations__tickets',
    'int_kpi_observations__ticket_responses',
    'int_kpi_observations__queue_contacts',
    'int_kpi_observations__contacts',
] %}

with

unioned as (
    {%- for model in observation_models %}
    select
        kpi_id,
        metric_date,
        {%- for column in kpi_dimensions().values() %}
        {{ column }},
        {%- endfor %}
        numerator,
        denominator,
        measure
    from {{ ref(model) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select * from unioned
    where metric_date is not null
)

select * from final
