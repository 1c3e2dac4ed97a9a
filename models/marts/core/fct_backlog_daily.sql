-- One row per day: the ticket backlog at the end of the day (the last instant before midnight
-- UTC) with the age of the oldest open ticket, and the tickets awaiting a response
-- (DECISIONLOG.md "Backlog snapshots"). The open intervals come from the +1/-1 state changes,
-- each +1 closed by the ticket's next change in change_number order (a +1 and a -1 in the same
-- second, as a reply at the instant of the creation, make an empty interval);
-- the counts equal kpi_values' backlog / open_awaiting_response (day grain, dimension all).
-- Incremental by day: a day's counts depend on every change before its end, so a run redoes the
-- days from the earliest change of the tickets int_helpdesk__ticket_state_changes recomputed
-- since this model last ran (their _computed_at; a recomputed ticket's changes start at its
-- creation), and the days the calendar gained (all of them when it gained days at its start);
-- _computed_at is the start of the run that last computed a row (bookkeeping).
{{ config(
    materialized='incremental',
    unique_key='date_day',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}

with

state_changes as {{ inlined_cte() }} (
    select * from {{ ref('int_helpdesk__ticket_state_changes') }}
),

all_days as {{ inlined_cte() }} (
    select * from {{ ref('dim_date') }}
),

-- the first day to (re)compute: every day in a full build
recompute_from as (
    {%- if is_incremental() %}
    select
        least(
            -- the earliest change of the tickets recomputed since this model last ran
            coalesce(
                (
                    select min(recomputed.changed_date)
                    from state_changes as recomputed
                    where recomputed._computed_at > (select max(processed._computed_at) from {{ this }} as processed)
                ),
                cast('9999-12-31' as date)
            ),
            -- the days the calendar gained after the last computed day
            coalesce(
                (select max(processed.date_day) from {{ this }} as processed) + 1,
                cast('0001-01-01' as date)
            ),
            -- every day when the calendar gained days at its start (an earlier export)
            case
                when (select min(all_days.date_day) from all_days)
                    < (select min(processed.date_day) from {{ this }} as processed)
                    then cast('0001-01-01' as date)
                else cast('9999-12-31' as date)
            end
        ) as first_day
    {%- else %}
    select cast('0001-01-01' as date) as first_day
    {%- endif %}
),

calendar as (
    select all_days.*
    from all_days
    cross join recompute_from
    where all_days.date_day >= recompute_from.first_day
),

open_changes as (
    select
        ticket_id,
        changed_at,
        open_delta,
        ticket_created_at,
        is_ticket_staged,
        lead(changed_at) over (partition by ticket_id order by change_number) as next_changed_at
    from state_changes
    where open_delta != 0
),

awaiting_changes as (
    select
        ticket_id,
        changed_at,
        awaiting_delta,
        lead(changed_at) over (partition by ticket_id order by change_number) as next_changed_at
    from state_changes
    where awaiting_delta != 0
),

-- each +1 opens an interval that the ticket's next change (a -1) closes
open_intervals as (
    select
        open_changes.ticket_id,
        open_changes.changed_at as opened_at,
        open_changes.next_changed_at as closed_at,
        open_changes.ticket_created_at as created_at
    from open_changes
    cross join recompute_from
    where
        open_changes.open_delta = 1
        and open_changes.is_ticket_staged
        -- an interval closed before the first recomputed day counts on no day recomputed
        and (open_changes.next_changed_at is null or open_changes.next_changed_at >= recompute_from.first_day)
),

awaiting_intervals as (
    select
        awaiting_changes.ticket_id,
        awaiting_changes.changed_at as started_at,
        awaiting_changes.next_changed_at as ended_at
    from awaiting_changes
    cross join recompute_from
    where
        awaiting_changes.awaiting_delta = 1
        and (awaiting_changes.next_changed_at is null or awaiting_changes.next_changed_at >= recompute_from.first_day)
),

day_ends as (
    select
        date_day,
        cast(date_day + interval 1 day as timestamp) as day_end_at
    from calendar
),

open_at_day_end as (
    select
        day_ends.date_day,
        count(*) as open_tickets,
        min(open_intervals.created_at) as oldest_open_created_at,
        max(day_ends.day_end_at) as day_end_at
    from day_ends
    inner join open_intervals
        on
            day_ends.day_end_at > open_intervals.opened_at
            and (open_intervals.closed_at is null or day_ends.day_end_at <= open_intervals.closed_at)
    group by day_ends.date_day
),

awaiting_at_day_end as (
    select
        day_ends.date_day,
        count(*) as awaiting_tickets
    from day_ends
    inner join awaiting_intervals
        on
            day_ends.day_end_at > awaiting_intervals.started_at
            and (awaiting_intervals.ended_at is null or day_ends.day_end_at <= awaiting_intervals.ended_at)
    group by day_ends.date_day
),

final as (
    select
        day_ends.date_day,
        coalesce(open_at_day_end.open_tickets, 0) as open_tickets,
        coalesce(awaiting_at_day_end.awaiting_tickets, 0) as awaiting_response_tickets,
        open_at_day_end.oldest_open_created_at,
        {{ seconds_between('open_at_day_end.oldest_open_created_at', 'day_ends.day_end_at') }}
            as oldest_open_age_seconds,
        {{ run_stamp() }} as _computed_at
    from day_ends
    left join open_at_day_end
        on day_ends.date_day = open_at_day_end.date_day
    left join awaiting_at_day_end
        on day_ends.date_day = awaiting_at_day_end.date_day
)

select * from final
