-- One row: the first and last day the exports cover. The last day is the "as of" date of
-- period-to-date KPIs and of still-open states; var('as_of_date') overrides it.
-- Every export that dates its rows counts, by the column that says when the row happened or
-- started, so no valid row lies silently after the as-of date (DECISIONLOG.md "The as-of
-- date"). End columns (ended_at, left_at, completed_at, answered_at) do not count: their row is
-- dated by its start, and an end after the last start has not happened yet as of that day (a
-- subscription ending with its term), it is not a later export day. The agent directory's
-- hire dates count for the as-of date only: they are no activity, and an agent hired years ago
-- must not stretch the calendar back to then.
{%- set activity_columns = [
    ('stg_helpdesk__tickets', 'created_at'),
    ('stg_helpdesk__ticket_events', 'occurred_at'),
    ('stg_telephony__calls', 'offered_at'),
    ('stg_chat__sessions', 'requested_at'),
    ('stg_self_service__sessions', 'started_at'),
    ('stg_qa__reviews', 'reviewed_at'),
    ('stg_survey__invitations', 'sent_at'),
    ('stg_survey__responses', 'responded_at'),
    ('stg_shop__orders', 'ordered_at'),
    ('stg_crm__subscriptions', 'started_at'),
    ('stg_crm__customers', 'signed_up_at'),
    ('stg_engagement__events', 'occurred_at'),
    ('stg_engagement__task_attempts', 'started_at'),
] %}
{%- set as_of_only_columns = [
    ('stg_helpdesk__agents', 'hired_at'),
] %}

with

activity_dates as (
    {%- for model, column in activity_columns %}
    select
        cast(min({{ column }}) as date) as first_date,
        cast(max({{ column }}) as date) as last_date
    from {{ ref(model) }}
    where _row_status = 'staged'
    union all
    {%- endfor %}
    {%- for model, column in as_of_only_columns %}
    select
        cast(null as date) as first_date,
        cast(max({{ column }}) as date) as last_date
    from {{ ref(model) }}
    where _row_status = 'staged'
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        coalesce(min(first_date), current_date) as first_date,
        {%- if var('as_of_date', none) %}
        cast('{{ var("as_of_date") }}' as date) as as_of_date
        {%- else %}
        coalesce(max(last_date), current_date) as as_of_date
        {%- endif %}
    from activity_dates
)

select * from final
