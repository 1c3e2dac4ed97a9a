-- Snapshot KPIs of the ticket backlog at the end of each period (the last instant of its last
-- day, UTC), overall and per ticket breakdown (DECISIONLOG.md "Backlog snapshots"):
--   backlog                 tickets open (not solved/closed) at the period end
--   open_awaiting_response  open tickets whose latest public message is the customer's
--   resolution_rate         assigned tickets finally resolved in the period / (those + assigned
--                           tickets still open at its end): of the assigned workload, the share
--                           cleared; per agent and team this is "resolved / assigned"
-- The movements are each +1/-1 change of the open and awaiting-response counts
-- (int_helpdesk__ticket_state_changes) with its ticket's breakdowns, and each final resolution of
-- an assigned ticket (resolved_count 1; resolution_rate counts assigned tickets only). Summed per
-- day and breakdown, then per period, their running sums carry the counts from period to period,
-- so the cost grows with tickets + periods, not tickets × days. A table, rebuilt every run.
{%- set dimensions = {
    'channel': 'channel',
    'team': 'team',
    'agent': 'agent_id',
    'category': 'category',
    'priority': 'priority',
    'customer_tier': 'customer_tier',
} %}
{%- set movement_sums = {
    'open_delta': 'open_delta',
    'awaiting_delta': 'awaiting_delta',
    'assigned_open_delta': 'assigned_open_delta',
    'resolved_count': 'resolved_count',
} %}

with

state_changes as (
    select * from {{ ref('int_helpdesk__ticket_state_changes') }}
),

tickets as {{ inlined_cte() }} (
    select * from {{ ref('fct_tickets') }}
),

calendar as (
    select * from {{ ref('dim_date') }}
),

state_change_movements as (
    select
        state_changes.changed_date as movement_date,
        {{- breakdown_columns(ticket_breakdowns('tickets')) }}
        state_changes.open_delta,
        state_changes.awaiting_delta,
        case when tickets.assignee_agent_id is not null then state_changes.open_delta else 0 end
            as assigned_open_delta,
        0 as resolved_count
    from state_changes
    inner join tickets
        on state_changes.ticket_id = tickets.ticket_id
),

resolution_movements as (
    select
        tickets.final_resolved_date as movement_date,
        {{- breakdown_columns(ticket_breakdowns('tickets')) }}
        0 as open_delta,
        0 as awaiting_delta,
        0 as assigned_open_delta,
        1 as resolved_count
    from tickets
    where tickets.is_resolved and tickets.assignee_agent_id is not null
),

movements as (
    select * from state_change_movements
    union all
    select * from resolution_movements
),

-- the movements summed per day and breakdown (overall and per ticket breakdown)
movement_days as (
    {{ rollup_day_rows('movements', 'movement_date', dimensions, movement_sums) }}  -- noqa: PRS
),

-- the day sums added up per period
period_movements as (
    {{ rollup_day_sums('movement_days', 'period_start', movement_sums.keys() | list) }}  -- noqa: PRS
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
