-- One row per resolved ticket of a known customer that was followed by another ticket of the
-- same customer created after its final resolution and within var('next_issue_window_days')
-- (next_issue_avoidance, DECISIONLOG.md "Next issue avoidance").
-- Incremental by customer, as int_helpdesk__ticket_repeat_contacts (same fingerprints).
{{ config(
    materialized='incremental',
    unique_key='customer_id',
    incremental_strategy='replace_keys',
    key_fingerprints='int_helpdesk__customer_contact_fingerprints',
    on_schema_change='fail',
) }}
{%- set fingerprints = ref('int_helpdesk__customer_contact_fingerprints') %}

with

all_lifecycles as (
    select * from {{ ref('int_helpdesk__ticket_lifecycles') }}
),

lifecycles as (
    select all_lifecycles.*
    from all_lifecycles
    {%- if is_incremental() %}
    where all_lifecycles.customer_id in ({{ keys_changed_since_last_run(fingerprints, 'customer_id') }})
    {%- endif %}
),

resolved_tickets as (
    select
        ticket_id,
        customer_id,
        final_resolved_at,
        {{ add_days('final_resolved_at', var('next_issue_window_days')) }} as window_end_at
    from lifecycles
    where is_resolved and customer_id is not null
),

followed as (
    select
        resolved_tickets.ticket_id,
        resolved_tickets.customer_id,
        min(next_tickets.created_at) as next_ticket_created_at
    from resolved_tickets
    inner join lifecycles as next_tickets
        on
            resolved_tickets.customer_id = next_tickets.customer_id
            and resolved_tickets.ticket_id != next_tickets.ticket_id
            and resolved_tickets.final_resolved_at < next_tickets.created_at
            and resolved_tickets.window_end_at >= next_tickets.created_at
    group by resolved_tickets.ticket_id, resolved_tickets.customer_id
),

final as (
    select
        ticket_id,
        customer_id,
        next_ticket_created_at,
        {{ run_stamp() }} as _computed_at
    from followed
)

select * from final
