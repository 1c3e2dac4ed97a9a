-- One row per ticket with its lifecycle, the dimensions KPIs break down by, and the FCR flag
-- (DECISIONLOG.md "First contact resolution").
with

tickets as (
    select * from {{ ref('stg_helpdesk__tickets') }}
),

lifecycles as (
    select * from {{ ref('int_helpdesk__ticket_lifecycles') }}
),

repeat_contacts as (
    select * from {{ ref('int_helpdesk__ticket_repeat_contacts') }}
),

customers as (
    select * from {{ ref('stg_crm__customers') }}
),

agents as (
    select * from {{ ref('dim_agents') }}
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
        repeat_contacts.ticket_id is not null as has_repeat_contact
    from tickets
    inner join lifecycles
        on tickets.ticket_id = lifecycles.ticket_id
    left join repeat_contacts
        on tickets.ticket_id = repeat_contacts.ticket_id
    left join customers
        on tickets.customer_id = customers.customer_id
    left join agents
        on tickets.assignee_agent_id = agents.agent_id
),

final as (
    select
        *,
        -- resolved with a single agent reply, never reopened, no repeat contact
        is_resolved
        and agent_replies_before_resolution = 1
        and reopen_count = 0
        and not has_repeat_contact as is_first_contact_resolution
    from joined
)

select * from final
