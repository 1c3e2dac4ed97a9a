{#
    raw_table_models(): every export table of the raw contract with its staging model (one row per
    raw row, with _row_status) and primary key.
    The audit models and the reconciliation test loop over it; tests/python checks that it
    lists every table declared in the sources YAML.
#}
{% macro raw_table_models() %}
    {{ return([
        {'source': 'crm', 'table': 'crm_customers', 'staged': 'stg_crm__customers', 'key': 'customer_id'},
        {'source': 'crm', 'table': 'crm_subscriptions', 'staged': 'stg_crm__subscriptions', 'key': 'subscription_id'},
        {'source': 'shop', 'table': 'shop_orders', 'staged': 'stg_shop__orders', 'key': 'order_id'},
        {'source': 'helpdesk', 'table': 'support_agents', 'staged': 'stg_helpdesk__agents', 'key': 'agent_id'},
        {'source': 'helpdesk', 'table': 'helpdesk_tickets', 'staged': 'stg_helpdesk__tickets', 'key': 'ticket_id'},
        {'source': 'helpdesk', 'table': 'helpdesk_ticket_events', 'staged': 'stg_helpdesk__ticket_events', 'key': 'event_id'},
        {'source': 'telephony', 'table': 'telephony_calls', 'staged': 'stg_telephony__calls', 'key': 'call_id'},
        {'source': 'chat', 'table': 'chat_sessions', 'staged': 'stg_chat__sessions', 'key': 'chat_id'},
        {'source': 'self_service', 'table': 'self_service_sessions', 'staged': 'stg_self_service__sessions', 'key': 'session_id'},
        {'source': 'qa', 'table': 'qa_reviews', 'staged': 'stg_qa__reviews', 'key': 'review_id'},
        {'source': 'survey', 'table': 'survey_invitations', 'staged': 'stg_survey__invitations', 'key': 'invitation_id'},
        {'source': 'survey', 'table': 'survey_responses', 'staged': 'stg_survey__responses', 'key': 'response_id'},
        {'source': 'engagement', 'table': 'engagement_events', 'staged': 'stg_engagement__events', 'key': 'event_id'},
        {'source': 'engagement', 'table': 'product_task_attempts', 'staged': 'stg_engagement__task_attempts', 'key': 'attempt_id'},
    ]) }}
{% endmacro %}


{#
    orphan_checks(): the parent/child joins of the models that drop a staged child row whose
    parent is not staged (unknown, or quarantined). audit_quarantined_rows lists those children
    as kind 'orphaned', reason 'unknown <parent>' or 'parent <parent> quarantined'; the joins
    that keep such a row (inferred members, breakdown 'unknown') are not here.
      child, child_staged, child_key: the export table, its staging model and its primary key;
      column: the child's foreign key; parent, parent_staged, parent_key: the parent's label,
      staging model and key; excluded_from: what loses the row.
#}
{% macro orphan_checks() %}
    {%- set ticket = {
        'parent': 'ticket',
        'parent_staged': 'stg_helpdesk__tickets',
        'parent_key': 'ticket_id',
    } -%}
    {{ return([
        dict(ticket, child='helpdesk_ticket_events', child_staged='stg_helpdesk__ticket_events', child_key='event_id',
            column='ticket_id', excluded_from='every ticket KPI, the backlog and fct_interactions'),
        dict(ticket, child='telephony_calls', child_staged='stg_telephony__calls', child_key='call_id',
            column='ticket_id', excluded_from='contact_volume and channel_share (counted as its ticket)'),
        dict(ticket, child='chat_sessions', child_staged='stg_chat__sessions', child_key='chat_id',
            column='ticket_id', excluded_from='contact_volume and channel_share (counted as its ticket)'),
        dict(ticket, child='self_service_sessions', child_staged='stg_self_service__sessions', child_key='session_id',
            column='escalated_ticket_id', excluded_from='self_service_rate (counted as its ticket)'),
    ]) }}
{% endmacro %}
