-- One row: the first and last day the exports cover. The last day is the "as of" date of
-- period-to-date KPIs and of still-open states; var('as_of_date') overrides it.
{%- set activity_columns = [
    ('stg_helpdesk__tickets', 'created_at'),
    ('stg_helpdesk__ticket_events', 'occurred_at'),
    ('stg_telephony__calls', 'offered_at'),
    ('stg_chat__sessions', 'requested_at'),
    ('stg_survey__responses', 'responded_at'),
    ('stg_shop__orders', 'ordered_at'),
    ('stg_crm__subscriptions', 'started_at'),
    ('stg_crm__customers', 'signed_up_at'),
] %}

with

activity_dates as (
    {%- for model, column in activity_columns %}
    select
        cast(min({{ column }}) as date) as first_date,
        cast(max({{ column }}) as date) as last_date
    from {{ ref(model) }}
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
