-- One row per ticket: the SLA policy that applies (seed sla_policies; a blank key matches any value,
-- the most specific match wins, ties go to the strictest policy), the instants its first response
-- and resolution targets elapse (in business or calendar time, per policy), the elapsed time in
-- that clock, and whether each target was met. A resolved ticket without an agent reply is judged
-- on its first resolution; a still-open target is breached once the as-of instant (end of
-- as_of_date, UTC) is past it, otherwise not yet judged (null). See DECISIONLOG.md.
-- A table: the judgement of a still-open target depends on the as-of instant, so every run
-- judges every ticket again (one pass over the lifecycles).
{{ config(materialized='table') }}

with

lifecycles as (
    select * from {{ ref('int_helpdesk__ticket_lifecycles') }}
),

staged_tickets as (
    select * from {{ ref('stg_helpdesk__tickets') }}
    where _row_status = 'staged'
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
    where _row_status = 'staged'
),

sla_policies as (
    select * from {{ ref('sla_policies') }}
),

business_days as {{ inlined_cte() }} (
    select * from {{ ref('int_calendar__business_days') }}
),

data_bounds as (
    select * from {{ ref('int_calendar__data_bounds') }}
),

business_zone as (
    select distinct time_zone
    from business_days
),

open_business_days as (
    select *
    from business_days
    where business_seconds > 0
),

as_of as (
    select cast(as_of_date + 1 as timestamp) as as_of_at
    from data_bounds
),

policies as (
    select
        nullif(trim(channel), '') as policy_channel,
        nullif(trim(priority), '') as policy_priority,
        nullif(trim(customer_tier), '') as policy_customer_tier,
        first_response_target_minutes,
        resolution_target_minutes,
        uses_business_hours
    from sla_policies
),

tickets as (
    select
        lifecycles.ticket_id,
        lifecycles.customer_id,
        staged_tickets.channel,
        staged_tickets.priority,
        customers.customer_tier,
        lifecycles.created_at,
        -- no agent reply: the first resolution is the first response the customer got
        coalesce(lifecycles.first_agent_reply_at, lifecycles.first_resolved_at) as first_response_at,
        lifecycles.first_agent_reply_at is null
        and lifecycles.first_resolved_at is not null as is_first_response_by_resolution,
        lifecycles.final_resolved_at,
        lifecycles.is_resolved,
        greatest(lifecycles._load_batch, customers._load_batch) as _load_batch
    from lifecycles
    left join staged_tickets
        on lifecycles.ticket_id = staged_tickets.ticket_id
    left join customers
        on lifecycles.customer_id = customers.customer_id
),

-- policies are matched once per distinct key combination (a few dozen), not per ticket
ticket_keys as (
    select distinct
        channel,
        priority,
        customer_tier
    from tickets
),

policy_candidates as (
    select
        ticket_keys.channel,
        ticket_keys.priority,
        ticket_keys.customer_tier,
        policies.policy_channel,
        policies.policy_priority,
        policies.policy_customer_tier,
        policies.first_response_target_minutes,
        policies.resolution_target_minutes,
        policies.uses_business_hours,
        row_number() over (
            partition by ticket_keys.channel, ticket_keys.priority, ticket_keys.customer_tier
            order by
                (case when policies.policy_channel is null then 0 else 1 end)
                + (case when policies.policy_priority is null then 0 else 1 end)
                + (case when policies.policy_customer_tier is null then 0 else 1 end) desc,
                policies.first_response_target_minutes asc,
                policies.resolution_target_minutes asc,
                policies.uses_business_hours asc,
                policies.policy_channel asc nulls last,
                policies.policy_priority asc nulls last,
                policies.policy_customer_tier asc nulls last
        ) as policy_rank
    from ticket_keys
    inner join policies
        on
            (policies.policy_channel is null or ticket_keys.channel = policies.policy_channel)
            and (policies.policy_priority is null or ticket_keys.priority = policies.policy_priority)
            and (policies.policy_customer_tier is null or ticket_keys.customer_tier = policies.policy_customer_tier)
),

matched_policies as (
    select *
    from policy_candidates
    where policy_rank = 1
),

ticket_policies as (
    select
        tickets.*,
        matched_policies.policy_channel,
        matched_policies.policy_priority,
        matched_policies.policy_customer_tier,
        matched_policies.first_response_target_minutes,
        matched_policies.resolution_target_minutes,
        matched_policies.uses_business_hours,
        as_of.as_of_at,
        {{ business_local_date('tickets.created_at', 'business_zone.time_zone') }} as created_local_date,
        {{ business_local_date('tickets.first_response_at', 'business_zone.time_zone') }}
            as first_response_local_date,
        {{ business_local_date('tickets.final_resolved_at', 'business_zone.time_zone') }}
            as final_resolved_local_date
    from tickets
    left join matched_policies
        on
            tickets.channel is not distinct from matched_policies.channel
            and tickets.priority is not distinct from matched_policies.priority
            and tickets.customer_tier is not distinct from matched_policies.customer_tier
    cross join as_of
    cross join business_zone
),

-- cumulative business seconds at each instant (equality join on the local date)
cumulative as (
    select
        ticket_policies.*,
        {{ business_seconds_at('ticket_policies.created_at', 'created_day') }} as created_cumulative_seconds,
        {{ business_seconds_at('ticket_policies.first_response_at', 'first_response_day') }}
            as first_response_cumulative_seconds,
        {{ business_seconds_at('ticket_policies.final_resolved_at', 'final_resolved_day') }}
            as final_resolved_cumulative_seconds
    from ticket_policies
    left join business_days as created_day
        on ticket_policies.created_local_date = created_day.calendar_date
    left join business_days as first_response_day
        on ticket_policies.first_response_local_date = first_response_day.calendar_date
    left join business_days as final_resolved_day
        on ticket_policies.final_resolved_local_date = final_resolved_day.calendar_date
),

-- elapsed seconds to the end instants, in the policy's clock, and the cumulative targets
elapsed as (
    select
        *,
        60 * first_response_target_minutes as first_response_target_seconds,
        60 * resolution_target_minutes as resolution_target_seconds,
        case
            when uses_business_hours then first_response_cumulative_seconds - created_cumulative_seconds
            else {{ seconds_between('created_at', 'first_response_at') }}
        end as first_response_elapsed_seconds,
        case
            when uses_business_hours then final_resolved_cumulative_seconds - created_cumulative_seconds
            else {{ seconds_between('created_at', 'final_resolved_at') }}
        end as resolution_elapsed_seconds,
        created_cumulative_seconds + 60 * first_response_target_minutes as first_response_target_cumulative_seconds,
        created_cumulative_seconds + 60 * resolution_target_minutes as resolution_target_cumulative_seconds
    from cumulative
),

-- the instants the business-hour targets elapse (ASOF join on business_seconds_before)
business_due as (
    select
        elapsed.ticket_id,
        {{ business_instant_at('elapsed.first_response_target_cumulative_seconds', 'first_response_due_day') }}
            as first_response_business_due_at,
        {{ business_instant_at('elapsed.resolution_target_cumulative_seconds', 'resolution_due_day') }}
            as resolution_business_due_at
    from elapsed
    {{ business_instant_join(
        'open_business_days', 'elapsed.first_response_target_cumulative_seconds', 'first_response_due_day'
    ) }}
    {{ business_instant_join(
        'open_business_days', 'elapsed.resolution_target_cumulative_seconds', 'resolution_due_day'
    ) }}
    where elapsed.uses_business_hours
),

due as (
    select
        elapsed.*,
        case
            -- a zero target reached outside hours would point back to the last closing time
            when elapsed.uses_business_hours and business_due.first_response_business_due_at is not null
                then greatest(elapsed.created_at, business_due.first_response_business_due_at)
            when elapsed.uses_business_hours then null
            else {{ add_seconds('elapsed.created_at', 'elapsed.first_response_target_seconds') }}
        end as first_response_due_at,
        case
            when elapsed.uses_business_hours and business_due.resolution_business_due_at is not null
                then greatest(elapsed.created_at, business_due.resolution_business_due_at)
            when elapsed.uses_business_hours then null
            else {{ add_seconds('elapsed.created_at', 'elapsed.resolution_target_seconds') }}
        end as resolution_due_at
    from elapsed
    left join business_due
        on elapsed.ticket_id = business_due.ticket_id
),

-- a target is breached when its end instant (or, while it is open, the as-of instant) is later
-- than the due instant
judged as (
    select
        *,
        case
            when first_response_at is not null then first_response_at > first_response_due_at
            when as_of_at > first_response_due_at then true
        end as is_first_response_breached,
        case
            when final_resolved_at is not null then final_resolved_at > resolution_due_at
            when as_of_at > resolution_due_at then true
        end as is_resolution_breached
    from due
),

final as (
    select
        ticket_id,
        customer_id,
        channel,
        priority,
        customer_tier,
        created_at,
        first_response_at,
        is_first_response_by_resolution,
        final_resolved_at,
        is_resolved,
        case when first_response_target_minutes is not null then coalesce(policy_channel, 'any') end
            as sla_policy_channel,
        case when first_response_target_minutes is not null then coalesce(policy_priority, 'any') end
            as sla_policy_priority,
        case when first_response_target_minutes is not null then coalesce(policy_customer_tier, 'any') end
            as sla_policy_customer_tier,
        first_response_target_minutes,
        resolution_target_minutes,
        uses_business_hours,
        first_response_due_at,
        resolution_due_at,
        first_response_elapsed_seconds,
        resolution_elapsed_seconds,
        is_first_response_breached,
        is_resolution_breached,
        case when is_first_response_breached then first_response_due_at end as first_response_breached_at,
        case when is_resolution_breached then resolution_due_at end as resolution_breached_at,
        case
            when is_first_response_breached or is_resolution_breached then false
            when not is_first_response_breached and not is_resolution_breached then true
        end as is_sla_met,
        _load_batch,
        {{ run_stamp() }} as _computed_at
    from judged
)

select * from final
