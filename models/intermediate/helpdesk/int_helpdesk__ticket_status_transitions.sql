-- One row per status change, with the status it left: a resolution enters solved (or closed
-- without passing solved); a reopen leaves solved/closed for another status (raw-contract.md).
with

status_changes as (
    select
        event_id,
        ticket_id,
        occurred_at,
        new_status
    from {{ ref('stg_helpdesk__ticket_events') }}
    where event_type = 'status_change' and new_status is not null
),

sequenced as (
    select
        *,
        coalesce(
            lag(new_status) over (partition by ticket_id order by occurred_at, event_id),
            'new'
        ) as previous_status,
        row_number() over (
            partition by ticket_id order by occurred_at desc, event_id desc
        ) = 1 as is_latest_change
    from status_changes
),

final as (
    select
        event_id,
        ticket_id,
        occurred_at,
        previous_status,
        new_status,
        is_latest_change,
        new_status in ('solved', 'closed')
        and previous_status not in ('solved', 'closed') as is_resolution,
        previous_status in ('solved', 'closed')
        and new_status not in ('solved', 'closed') as is_reopen
    from sequenced
)

select * from final
