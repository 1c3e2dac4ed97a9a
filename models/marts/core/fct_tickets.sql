-- One row per ticket with its lifecycle, the dimensions KPIs break down by, and the FCR flag
-- (DECISIONLOG.md "First contact resolution").
-- Incremental by ticket: a run recomputes the tickets whose row, lifecycle, customer, assignee,
-- linked calls or chats a new load batch changed, those whose business times or SLA were
-- recomputed since (_computed_at), and those whose repeat-contact or next-issue status changed
-- (compared with the stored flags); every ticket when the pseudonymisation salt changed.
{{ config(
    materialized='incremental',
    unique_key='ticket_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
) }}
{%- set recompute_all = settings_changed_since_last_run(['pseudonymisation']) %}
{%- set incremental_run = is_incremental() and not recompute_all %}

with

all_tickets as (
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

next_issues as {{ inlined_cte() }} (
    select * from {{ ref('int_helpdesk__ticket_next_issues') }}
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
{%- if incremental_run %}

stored as (
    select * from {{ this }}
),

changed_tickets as (
    select all_tickets.ticket_id
    from all_tickets
    where
        {{ since_last_run('all_tickets._load_batch') }}
        or all_tickets.customer_id in ({{ keys_of_new_batches('customers', 'customer_id') }})
        or all_tickets.assignee_agent_id in ({{ keys_of_new_batches('agent_directory', 'agent_id') }})
    union
    {{ keys_of_new_batches('lifecycles', 'ticket_id') }}
    union
    select calls.ticket_id from calls
    where calls.ticket_id is not null and {{ since_last_run('calls._load_batch') }}
    union
    select chats.ticket_id from chats
    where chats.ticket_id is not null and {{ since_last_run('chats._load_batch') }}
    union
    select business_times.ticket_id from business_times
    where business_times.{{ computed_since_last_run() }}
    union
    select sla.ticket_id from sla
    where sla.{{ computed_since_last_run() }}
    -- repeat contacts and next issues whose status differs from the stored one, both ways
    union
    (
        select repeat_contacts.ticket_id from repeat_contacts
        except
        select stored.ticket_id from stored
        where stored.has_repeat_contact
    )
    union
    (
        select stored.ticket_id from stored
        where stored.has_repeat_contact
        except
        select repeat_contacts.ticket_id from repeat_contacts
    )
    union
    select changed_next_issues.ticket_id
    from (
        (
            select
                next_issues.ticket_id,
                next_issues.next_ticket_created_at
            from next_issues
            except
            select
                stored.ticket_id,
                stored.next_ticket_created_at
            from stored
            where stored.has_next_issue
        )
        union
        (
            select
                stored.ticket_id,
                stored.next_ticket_created_at
            from stored
            where stored.has_next_issue
            except
            select
                next_issues.ticket_id,
                next_issues.next_ticket_created_at
            from next_issues
        )
    ) as changed_next_issues
),
{%- endif %}

tickets as (
    {{ rows_of_changed_tickets('all_tickets', recompute_all) }}
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
    {%- if incremental_run %}
    where ticket_id in (select tickets.ticket_id from tickets)
    {%- endif %}
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
        repeat_contacts.ticket_id is not null as has_repeat_contact,
        next_issues.ticket_id is not null as has_next_issue,
        next_issues.next_ticket_created_at,
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
    left join next_issues
        on tickets.ticket_id = next_issues.ticket_id
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

-- an incremental run writes only the recomputed tickets whose row changed
{{ rows_that_differ_from_stored('final', 'ticket_id') }}
