-- One row per ticket with its lifecycle, the dimensions KPIs break down by, and the FCR flag
-- (DECISIONLOG.md "First contact resolution").
-- A table: every run joins the ticket models again (one row per ticket, no window functions).
{{ config(materialized='table') }}

with

tickets as (
    select * from {{ ref('stg_helpdesk__tickets') }}
    where _row_status = 'staged'
),

lifecycles as (
    select * from {{ ref('int_helpdesk__ticket_lifecycles') }}
),

repeat_contacts as {{ inlined_cte() }} (
    select * from {{ ref('int_helpdesk__ticket_repeat_contacts') }}
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
    where _row_status = 'staged'
),

agents as (
    select * from {{ ref('dim_agents') }}
),

agent_directory as (
    select * from {{ ref('stg_helpdesk__agents') }}
    where _row_status = 'staged'
),

business_times as {{ inlined_cte() }} (
    select * from {{ ref('int_helpdesk__ticket_business_times') }}
),

sla as {{ inlined_cte() }} (
    select * from {{ ref('int_helpdesk__ticket_sla') }}
),

calls as (
    select * from {{ ref('stg_telephony__calls') }}
    where _row_status = 'staged'
),

chats as (
    select * from {{ ref('stg_chat__sessions') }}
    where _row_status = 'staged'
),

linked_contacts as (
    -- calls and chats logged against a ticket are contacts about it
    select
        ticket_id,
        count(*) as linked_contact_count
    from (
        select ticket_id from calls
        where ticket_id is not null
        union all
        select ticket_id from chats
        where ticket_id is not null
    ) as contacts
    group by ticket_id
),

joined as (
    select
        tickets.ticket_id,
        case when tickets.customer_id is not null then {{ pseudonymise('tickets.customer_id') }} end
            as customer_key,
        tickets.channel,
        coalesce(lower(trim(tickets.category)), 'unknown') as category,
        coalesce(tickets.priority, 'unknown') as priority,
        coalesce(customers.customer_tier, 'unknown') as customer_tier,
        tickets.assignee_agent_id,
        coalesce(agents.team, 'unassigned') as team,
        tickets.status,
        tickets.created_at,
        cast(tickets.created_at as date) as created_date,
        lifecycles.first_agent_reply_at,
        lifecycles.first_resolved_at,
        lifecycles.final_resolved_at,
        cast(lifecycles.final_resolved_at as date) as final_resolved_date,
        lifecycles.is_resolved,
        lifecycles.reopen_count,
        lifecycles.reopen_count > 0 as is_reopened,
        lifecycles.agent_reply_count,
        lifecycles.agent_replies_before_resolution,
        lifecycles.bot_reply_count,
        lifecycles.customer_message_count,
        lifecycles.agent_touch_count,
        lifecycles.events_before_creation_count,
        -- the ticket stems from at least one contact, even when no message or call is logged
        greatest(lifecycles.customer_message_count + coalesce(linked_contacts.linked_contact_count, 0), 1)
            as interaction_count,
        {{ seconds_between('tickets.created_at', 'lifecycles.first_agent_reply_at') }} as first_response_seconds,
        {{ seconds_between('tickets.created_at', 'lifecycles.first_resolved_at') }} as first_resolution_seconds,
        {{ seconds_between('tickets.created_at', 'lifecycles.final_resolved_at') }} as resolution_seconds,
        business_times.first_response_business_seconds,
        business_times.first_resolution_business_seconds,
        business_times.resolution_business_seconds,
        sla.sla_policy_channel,
        sla.sla_policy_priority,
        sla.sla_policy_customer_tier,
        sla.first_response_target_minutes,
        sla.resolution_target_minutes,
        sla.uses_business_hours as is_sla_on_business_hours,
        sla.first_response_due_at,
        sla.resolution_due_at,
        sla.is_first_response_breached,
        sla.is_resolution_breached,
        sla.first_response_breached_at,
        sla.resolution_breached_at,
        sla.is_sla_met,
        coalesce(repeat_contacts.has_repeat_contact, false) as has_repeat_contact,
        coalesce(repeat_contacts.has_next_issue, false) as has_next_issue,
        repeat_contacts.next_ticket_created_at,
        greatest(tickets._load_batch, lifecycles._load_batch, customers._load_batch, agent_directory._load_batch)
            as _load_batch
    from tickets
    inner join lifecycles
        on tickets.ticket_id = lifecycles.ticket_id
    left join repeat_contacts
        on tickets.ticket_id = repeat_contacts.ticket_id
    left join customers
        on tickets.customer_id = customers.customer_id
    left join agents
        on tickets.assignee_agent_id = agents.agent_id
    left join agent_directory
        on tickets.assignee_agent_id = agent_directory.agent_id
    left join business_times
        on tickets.ticket_id = business_times.ticket_id
    left join sla
        on tickets.ticket_id = sla.ticket_id
    left join linked_contacts
        on tickets.ticket_id = linked_contacts.ticket_id
),

final as (
    select
        *,
        -- resolved with a single agent reply, never reopened, no repeat contact
        is_resolved
        and agent_replies_before_resolution = 1
        and reopen_count = 0
        and not has_repeat_contact as is_first_contact_resolution,
        {{ run_stamp() }} as _computed_at
    from joined
)

select * from final
