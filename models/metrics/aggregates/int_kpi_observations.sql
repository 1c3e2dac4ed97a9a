-- Every KPI observation in one shape, the union of the int_kpi_observations__<family> models:
-- kpi_id, the day it counts on (metric_date), the nine breakdown columns (null where a breakdown
-- does not apply to the KPI), numerator, denominator and measure (the value of a time KPI, whose
-- percentiles int_kpi_percentiles__observations computes). An observation without a metric_date
-- counts on no day and is left out. A new KPI family adds its observation model here.
-- A view: int_kpi_aggregates__observations and int_kpi_percentiles__observations read it in place.
{{ config(materialized='view') }}

with

survey_responses as (
    select * from {{ ref('int_kpi_observations__survey_responses') }}
),

survey_invitations as (
    select * from {{ ref('int_kpi_observations__survey_invitations') }}
),

quality_reviews as (
    select * from {{ ref('int_kpi_observations__quality_reviews') }}
),

tickets as (
    select * from {{ ref('int_kpi_observations__tickets') }}
),

ticket_responses as (
    select * from {{ ref('int_kpi_observations__ticket_responses') }}
),

queue_contacts as (
    select * from {{ ref('int_kpi_observations__queue_contacts') }}
),

contacts as (
    select * from {{ ref('int_kpi_observations__contacts') }}
),

observations as (
    select
        kpi_id,
        metric_date,
        channel,
        team,
        agent_id,
        category,
        priority,
        customer_tier,
        survey_type,
        hour_of_day,
        day_of_week,
        numerator,
        denominator,
        measure
    from survey_responses
    union all
    select
        kpi_id,
        metric_date,
        channel,
        team,
        agent_id,
        category,
        priority,
        customer_tier,
        survey_type,
        hour_of_day,
        day_of_week,
        numerator,
        denominator,
        measure
    from survey_invitations
    union all
    select
        kpi_id,
        metric_date,
        channel,
        team,
        agent_id,
        category,
        priority,
        customer_tier,
        survey_type,
        hour_of_day,
        day_of_week,
        numerator,
        denominator,
        measure
    from quality_reviews
    union all
    select
        kpi_id,
        metric_date,
        channel,
        team,
        agent_id,
        category,
        priority,
        customer_tier,
        survey_type,
        hour_of_day,
        day_of_week,
        numerator,
        denominator,
        measure
    from tickets
    union all
    select
        kpi_id,
        metric_date,
        channel,
        team,
        agent_id,
        category,
        priority,
        customer_tier,
        survey_type,
        hour_of_day,
        day_of_week,
        numerator,
        denominator,
        measure
    from ticket_responses
    union all
    select
        kpi_id,
        metric_date,
        channel,
        team,
        agent_id,
        category,
        priority,
        customer_tier,
        survey_type,
        hour_of_day,
        day_of_week,
        numerator,
        denominator,
        measure
    from queue_contacts
    union all
    select
        kpi_id,
        metric_date,
        channel,
        team,
        agent_id,
        category,
        priority,
        customer_tier,
        survey_type,
        hour_of_day,
        day_of_week,
        numerator,
        denominator,
        measure
    from contacts
),

final as (
    select * from observations
    where metric_date is not null
)

select * from final
