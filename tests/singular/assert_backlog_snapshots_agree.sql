-- Layer integrity: the daily backlog counted from open intervals (fct_backlog_daily) equals the
-- running-sum snapshots of kpi_values (backlog, open_awaiting_response; day grain, all).
-- Returns the days where the two disagree.
with

daily as (
    select * from {{ ref('fct_backlog_daily') }}
),

kpi_values as (
    select * from {{ ref('kpi_values') }}
    where period_grain = 'day' and dimension = 'all'
),

final as (
    select
        daily.date_day,
        daily.open_tickets,
        backlog.value as backlog_value,
        daily.awaiting_response_tickets,
        awaiting.value as awaiting_value
    from daily
    left join kpi_values as backlog
        on daily.date_day = backlog.period_start and backlog.kpi_id = 'backlog'
    left join kpi_values as awaiting
        on daily.date_day = awaiting.period_start and awaiting.kpi_id = 'open_awaiting_response'
    where
        daily.open_tickets != coalesce(backlog.value, 0)
        or daily.awaiting_response_tickets != coalesce(awaiting.value, 0)
)

select * from final
