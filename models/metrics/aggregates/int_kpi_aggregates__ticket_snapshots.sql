-- Snapshot KPIs of the ticket backlog at the end of each period (the last instant of its last
-- day, UTC), overall and per ticket breakdown (DECISIONLOG.md "Backlog snapshots"):
--   backlog                 tickets open (not solved/closed) at the period end
--   open_awaiting_response  open tickets whose latest public message is the customer's
--   resolution_rate         assigned tickets finally resolved in the period / (those + assigned
--                           tickets still open at its end): of the assigned workload, the share
--                           cleared; per agent and team this is "resolved / assigned"
-- Running sums of the +1/-1 state changes of int_helpdesk__ticket_state_changes (summed per day
-- and breakdown in int_kpi_ticket_movements__daily, incremental by day) carry the counts from
-- period to period, so the cost grows with tickets + periods, not tickets × days.
{%- set movement_columns = ['open_delta', 'awaiting_delta', 'assigned_open_delta', 'resolved_count'] %}

with

movement_days as (
    select * from {{ ref('int_kpi_ticket_movements__daily') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

-- the day sums of every breakdown (int_kpi_ticket_movements__daily) added up per period
period_movements as (
    {{ rollup_day_sums('movement_days', 'movement_date', movement_columns) }}  -- noqa: PRS
),

calendar_periods as (
    {{ calendar_periods('calendar') }}
),

breakdowns as (
    select distinct
        period_grain,
        dimension,
        dimension_value,
        min(period_start) over (partition by period_grain, dimension, dimension_value) as first_period_start
    from period_movements
),

-- every period from a breakdown's first movement on, so a backlog carries over quiet periods
period_keys as (
    select
        breakdowns.period_grain,
        breakdowns.dimension,
        breakdowns.dimension_value,
        calendar_periods.period_start
    from breakdowns
    inner join calendar_periods
        on
            breakdowns.period_grain = calendar_periods.period_grain
            and breakdowns.first_period_start <= calendar_periods.period_start
),

running as (
    select
        period_keys.period_grain,
        period_keys.period_start,
        period_keys.dimension,
        period_keys.dimension_value,
        period_movements.period_start is not null as has_movement,
        coalesce(period_movements.resolved_count, 0) as resolved_count,
        sum(coalesce(period_movements.open_delta, 0)) over breakdown_periods as open_at_end,
        sum(coalesce(period_movements.awaiting_delta, 0)) over breakdown_periods as awaiting_at_end,
        sum(coalesce(period_movements.assigned_open_delta, 0)) over breakdown_periods as assigned_open_at_end
    from period_keys
    left join period_movements
        on
            period_keys.period_grain = period_movements.period_grain
            and period_keys.period_start = period_movements.period_start
            and period_keys.dimension = period_movements.dimension
            and period_keys.dimension_value = period_movements.dimension_value
    window breakdown_periods as (
        partition by period_keys.period_grain, period_keys.dimension, period_keys.dimension_value
        order by period_keys.period_start
        rows between unbounded preceding and current row
    )
),

final as (
    -- a breakdown with nothing open and no movement (e.g. an agent who left) has no row
    {%- for kpi_id, count_column in [('backlog', 'open_at_end'), ('open_awaiting_response', 'awaiting_at_end')] %}
    select
        '{{ kpi_id }}' as kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        cast({{ count_column }} as double) as numerator,
        cast({{ count_column }} as double) as denominator,
        cast({{ count_column }} as double) * {{ count_column }} as squares,
        cast(null as double) as p50_value,
        cast(null as double) as p90_value
    from running
    where open_at_end > 0 or has_movement
    union all
    {%- endfor %}
    select
        'resolution_rate' as kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        cast(resolved_count as double) as numerator,
        cast(resolved_count + assigned_open_at_end as double) as denominator,
        cast(resolved_count as double) as squares,
        cast(null as double) as p50_value,
        cast(null as double) as p90_value
    from running
    where resolved_count + assigned_open_at_end > 0
)

select * from final
