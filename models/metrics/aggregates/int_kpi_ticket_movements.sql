-- One row per ticket movement, the input of the backlog snapshot KPIs
-- (int_kpi_aggregates__ticket_snapshots): each +1/-1 change of the open and awaiting-response
-- counts (int_helpdesk__ticket_state_changes) with its ticket's breakdowns, and each final
-- resolution of an assigned ticket (resolved_count 1; resolution_rate counts assigned tickets
-- only). Summed per day and breakdown by int_kpi_ticket_movements__daily and fingerprinted
-- per day by int_kpi_ticket_movement_dates (DECISIONLOG.md "Backlog snapshots").
{{ config(materialized='view') }}

with

state_changes as (
    select * from {{ ref('int_helpdesk__ticket_state_changes') }}
),

tickets as {{ inlined_cte() }} (
    select * from {{ ref('fct_tickets') }}
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

final as (
    select * from state_change_movements
    union all
    select * from resolution_movements
)

select * from final
