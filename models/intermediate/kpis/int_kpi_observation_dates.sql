-- One row per metric_date of the KPI observations: how many there are and a fingerprint of all of
-- them (the sum of their row hashes), with _computed_in_batch, the latest load batch in which
-- the date's observations changed. The period-incremental aggregates recompute the periods that
-- hold a date stamped after their own last run (macros/kpi/incremental_periods.sql). A date
-- whose observations all disappear stays, with 0 observations, so that its periods are redone.
{{ config(
    materialized='incremental',
    unique_key='metric_date',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set observation_columns = ['kpi_id'] + (kpi_dimensions().values() | list)
    + ['numerator', 'denominator', 'measure'] %}

with

observations as (
    select * from {{ ref('int_kpi_observations') }}
),

fingerprints as (
    select
        metric_date,
        count(*) as observation_count,
        sum({{ row_hash(observation_columns) }}) as fingerprint
    from observations
    group by metric_date
),

{% if is_incremental() %}
previous_fingerprints as (
    select * from {{ this }}
),

changed_dates as (
    select
        coalesce(fingerprints.metric_date, previous_fingerprints.metric_date) as metric_date,
        coalesce(fingerprints.observation_count, 0) as observation_count,
        coalesce(fingerprints.fingerprint, 0) as fingerprint
    from fingerprints
    full outer join previous_fingerprints
        on fingerprints.metric_date = previous_fingerprints.metric_date
    where
        previous_fingerprints.metric_date is null
        or coalesce(fingerprints.observation_count, 0) != previous_fingerprints.observation_count
        or coalesce(fingerprints.fingerprint, 0) != previous_fingerprints.fingerprint
),
{% else %}
changed_dates as (
    select * from fingerprints
),
{% endif %}

final as (
    select
        metric_date,
        observation_count,
        fingerprint,
        {{ latest_load_batch() }} as _computed_in_batch
    from changed_dates
)

select * from final
