-- One row per day and breakdown (overall and per ticket breakdown) with ticket movements: the
-- sums of the open, awaiting-response and assigned-open deltas and of the final resolutions of
-- assigned tickets. int_kpi_aggregates__ticket_snapshots rolls them up to every grain and
-- carries the counts from period to period.
-- Incremental by day: a run regroups the days whose movements changed since its last run
-- (int_kpi_ticket_movement_dates) and replaces their rows (replace_keys; a day left without
-- movements loses its rows).
{{ config(
    materialized='incremental',
    unique_key='movement_date',
    incremental_strategy='replace_keys',
    key_fingerprints='int_kpi_ticket_movement_dates',
    on_schema_change='fail',
) }}
{%- set dimensions = {
    'channel': 'channel',
    'team': 'team',
    'agent': 'agent_id',
    'category': 'category',
    'priority': 'priority',
    'customer_tier': 'customer_tier',
} %}
{%- set sums = {
    'open_delta': 'sum(open_delta)',
    'awaiting_delta': 'sum(awaiting_delta)',
    'assigned_open_delta': 'sum(assigned_open_delta)',
    'resolved_count': 'sum(resolved_count)',
} %}
{%- set fingerprints = ref('int_kpi_ticket_movement_dates') %}
{%- set changed = none %}
{%- if is_incremental() %}
{%- set changed -%}
    select
        'day' as period_grain,
        movement_date as period_start
    from {{ fingerprints }}
    where {{ computed_since_last_run() }}
{%- endset %}
{%- endif %}

with

movements as (
    select * from {{ ref('int_kpi_ticket_movements') }}
),

daily_sums as (
    {{ rollup_by_period('movements', 'movement_date', dimensions, sums, grains=['day'], periods=changed) }} -- noqa: PRS
),

final as (
    select
        period_start as movement_date,
        dimension,
        dimension_value,
        cast(open_delta as bigint) as open_delta,
        cast(awaiting_delta as bigint) as awaiting_delta,
        cast(assigned_open_delta as bigint) as assigned_open_delta,
        cast(resolved_count as bigint) as resolved_count,
        {{ run_stamp() }} as _computed_at
    from daily_sums
)

select * from final
