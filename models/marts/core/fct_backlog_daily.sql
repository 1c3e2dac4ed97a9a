-- One row per day: the ticket backlog at the end of the day (the last instant before midnight
-- UTC) with the age of the oldest open ticket, and the tickets awaiting a response
-- (DECISIONLOG.md "Backlog snapshots"). The open intervals come from the +1/-1 state changes,
-- each +1 closed by the ticket's next change in change_number order (a +1 and a -1 in the same
-- second, as a reply at the instant of the creation, make an empty interval);
-- the counts equal kpi_values' backlog / open_awaiting_response (day grain, dimension all).
-- Incremental by day: a day's counts depend on every change before its end, so a run redoes the
-- days from the earliest of: a change new since this model last ran (a state change of a load
-- batch beyond those of the changes int_helpdesk__ticket_state_changes did not recompute since
-- then), a day whose stored counts differ from the running sums of all changes (a change gone
-- or moved later: a reply re-classified as a bot's, a re-timed event), and the days the
-- calendar gained (all of them when it gained days at its start); _computed_at is the start of
-- the run that last computed a row (bookkeeping).
{{ config(
    materialized='incremental',
    unique_key='date_day',
    incremental_strategy='delete+insert',
) }}

with

state_changes as {{ inlined_cte() }} (
    select * from {{ ref('int_helpdesk__ticket_state_changes') }}
),

all_days as {{ inlined_cte() }} (
    select * from {{ ref('dim_date') }}
),

{%- if is_incremental() %}

stored_days as (
    select * from {{ this }}
),

last_run as (
    select max(stored_days._computed_at) as computed_at
    from stored_days
),

processed_batch as (
    -- the latest batch among the changes not recomputed since this model last ran
    select coalesce(max(state_changes._load_batch), 0) as load_batch
    from state_changes
    cross join last_run
    where state_changes._computed_at <= last_run.computed_at
),

new_changes as (
    select min(state_changes.changed_date) as first_day
    from state_changes
    cross join processed_batch
    where state_changes._load_batch > processed_batch.load_batch
),

daily_deltas as (
    select
        changed_date as date_day,
        sum(case when is_ticket_staged then open_delta else 0 end) as open_delta,
        sum(awaiting_delta) as awaiting_delta
    from state_changes
    group by changed_date
    union all
    select
        date_day,
        0 as open_delta,
        0 as awaiting_delta
    from all_days
),

running_counts as (
    -- the counts at each day's end as running sums of the deltas (assert_backlog_snapshots_agree)
    select
        date_day,
        sum(sum(open_delta)) over (order by date_day) as open_tickets,
        sum(sum(awaiting_delta)) over (order by date_day) as awaiting_response_tickets
    from daily_deltas
    group by date_day
),

differing_days as (
    select min(stored_days.date_day) as first_day
    from stored_days
    inner join running_counts
        on stored_days.date_day = running_counts.date_day
    where
        stored_days.open_tickets != running_counts.open_tickets
        or stored_days.awaiting_response_tickets != running_counts.awaiting_response_tickets
),
{%- endif %}

-- the first day to (re)compute: every day in a full build
recompute_from as (
    {%- if is_incremental() %}
    select
        least(
            coalesce(new_changes.first_day, cast('9999-12-31' as date)),
            coalesce(differing_days.first_day, cast('9999-12-31' as date)),
            -- the days the calendar gained after the last computed day
            coalesce(
                (select max(stored_days.date_day) from stored_days) + 1,
                cast('0001-01-01' as date)
            ),
            -- every day when the calendar gained days at its start (an earlier export)
            case
                when (select min(all_days.date_day) from all_days)
                    < (select min(stored_days.date_day) from stored_days)
                    then cast('0001-01-01' as date)
                else cast('9999-12-31' as date)
            end
        ) as first_day
    from new_changes
    cross join differing_days
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
