-- One row per seed row or var value that incremental models read for every row they hold, with
-- its setting group and a hash of its values; int_settings__fingerprints sums the hashes per group.
--   business_calendar  seeds business_hours and holidays, the calendar's span and as-of vars
--   ticket_sla         seed sla_policies
--   pseudonymisation   var pseudonymisation_salt (customer_key)
--   service_level      var service_level_threshold_seconds
--   kpi_publication    seeds kpi_definitions and kpi_targets, var kpi_min_sample_size (kpi_values)
--   customer_journeys  var journey_touchpoints_threshold (fct_customer_journeys)
{{ config(materialized='view') }}
{%- set var_groups = {
    'business_calendar': ['business_calendar_days_before', 'business_calendar_days_after', 'as_of_date'],
    'pseudonymisation': ['pseudonymisation_salt'],
    'service_level': ['service_level_threshold_seconds'],
    'kpi_publication': ['kpi_min_sample_size'],
    'customer_journeys': ['journey_touchpoints_threshold'],
} %}

with

business_hours as (
    select * from {{ ref('business_hours') }}
),

holidays as (
    select * from {{ ref('holidays') }}
),

sla_policies as (
    select * from {{ ref('sla_policies') }}
),

kpi_definitions as (
    select * from {{ ref('kpi_definitions') }}
),

kpi_targets as (
    select * from {{ ref('kpi_targets') }}
),

seed_values as (
    select
        'business_calendar' as setting_group,
        'business_hours' as setting_name,
        {{ row_hash(['weekday', 'opens_at', 'closes_at', 'time_zone']) }} as value_hash
    from business_hours
    union all
    select
        'business_calendar' as setting_group,
        'holidays' as setting_name,
        {{ row_hash(['holiday_date']) }} as value_hash
    from holidays
    union all
    select
        'ticket_sla' as setting_group,
        'sla_policies' as setting_name,
        {{ row_hash([
            'channel', 'priority', 'customer_tier', 'first_response_target_minutes',
            'resolution_target_minutes', 'uses_business_hours',
        ]) }} as value_hash
    from sla_policies
    union all
    select
        'kpi_publication' as setting_group,
        'kpi_definitions' as setting_name,
        {{ row_hash(['kpi_id', 'method', 'good_direction', 'value_min', 'value_max']) }} as value_hash
    from kpi_definitions
    union all
    select
        'kpi_publication' as setting_group,
        'kpi_targets' as setting_name,
        {{ row_hash(['kpi_id', 'dimension', 'dimension_value', 'target_value', 'good_direction']) }} as value_hash
    from kpi_targets
),

var_values as (
    {%- for setting_group, names in var_groups.items() %}
    {%- set outer_loop = loop %}
    {%- for name in names %}
    {%- set value = (var(name, none) | string | replace("'", "''")) %}
    select
        '{{ setting_group }}' as setting_group,
        '{{ name }}' as setting_name,
        {{ row_hash(["'" ~ value ~ "'"]) }} as value_hash
    {%- if not (loop.last and outer_loop.last) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
),

final as (
    select * from seed_values
    union all
    select * from var_values
)

select * from final
