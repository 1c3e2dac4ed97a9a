-- One row per touchpoint event of a customer, across sources: engagement events (site and app
-- visits, social reactions, e-mail opens and clicks, blog and help-centre visits, purchases)
-- and support contacts (tickets by channel, calls, chats). The input of engagement_rate,
-- touchpoints_per_customer and the customer journeys (DECISIONLOG.md "Relationship KPIs").
-- touchpoint: the engagement touchpoint (website, app, social, email, blog, support) or
-- 'support_<channel>' for a support contact (support_email, support_web, support_chat,
-- support_phone, support_social); calls are support_phone and chats support_chat. As in
-- contact_volume, a call or chat logged against a ticket is the same contact as the ticket.
-- Incremental by load batch: a touch depends on its own source row only, so a run rewrites the
-- touches of the source rows of new batches. The pre-hook (its key prefixes are the ones of the
-- CTEs below) first deletes every touch those rows may have had, so a re-export that is no
-- longer a touch (a call or chat now logged against a ticket, a ticket without customer) leaves
-- none behind (docs/architecture.md "Incremental builds").
{{ config(
    materialized='incremental',
    unique_key='touch_event_id',
    incremental_strategy='delete+insert',
    pre_hook="{{ delete_keys_of_new_batches('touch_event_id', [
        ('engagement', ref('stg_engagement__events'), 'event_id'),
        ('ticket', ref('stg_helpdesk__tickets'), 'ticket_id'),
        ('call', ref('stg_telephony__calls'), 'call_id'),
        ('chat', ref('stg_chat__sessions'), 'chat_id'),
    ]) }}",
) }}
with

engagement_events as (
    select * from {{ ref('stg_engagement__events') }}
    where _row_status = 'staged'
),

tickets as (
    select * from {{ ref('stg_helpdesk__tickets') }}
    where _row_status = 'staged'
),

calls as (
    select * from {{ ref('stg_telephony__calls') }}
    where _row_status = 'staged'
),

chats as (
    select * from {{ ref('stg_chat__sessions') }}
    where _row_status = 'staged'
),

engagement_touches as (
    select
        'engagement:' || event_id as touch_event_id,
        customer_id,
        occurred_at,
        touchpoint,
        action = 'purchase' as is_purchase,
        _load_batch
    from engagement_events
    where {{ since_last_run('_load_batch') }}
),

ticket_touches as (
    select
        'ticket:' || ticket_id as touch_event_id,
        customer_id,
        created_at as occurred_at,
        'support_' || channel as touchpoint,
        false as is_purchase,
        _load_batch
    from tickets
    where
        customer_id is not null
        and {{ since_last_run('_load_batch') }}
),

call_touches as (
    select
        'call:' || call_id as touch_event_id,
        customer_id,
        offered_at as occurred_at,
        'support_phone' as touchpoint,
        false as is_purchase,
        _load_batch
    from calls
    where
        customer_id is not null
        and ticket_id is null
        and {{ since_last_run('_load_batch') }}
),

chat_touches as (
    select
        'chat:' || chat_id as touch_event_id,
        customer_id,
        requested_at as occurred_at,
        'support_chat' as touchpoint,
        false as is_purchase,
        _load_batch
    from chats
    where
        customer_id is not null
        and ticket_id is null
        and {{ since_last_run('_load_batch') }}
),

unioned as (
    select * from engagement_touches
    union all
    select * from ticket_touches
    union all
    select * from call_touches
    union all
    select * from chat_touches
),

final as (
    select
        touch_event_id,
        customer_id,
        occurred_at,
        cast(occurred_at as date) as occurred_date,
        touchpoint,
        is_purchase,
        _load_batch
    from unioned
)

select * from final
