-- The engine floor of the benchmark: one hand-written DuckDB script that loads the export files
-- and computes the six headline KPIs (csat, nps, ces, churn_rate, retention_rate, fcr_rate) per
-- month, overall, with the warehouse's definitions (DECISIONLOG.md) and nothing else: no
-- quarantine, no dimensions, no tests, no other KPIs. scripts/benchmark.py replaces {data}.

create or replace temp table responses as
select
    lower(trim(survey_type)) as survey_type,
    try_cast(responded_at as timestamptz) at time zone 'UTC' as responded_at,
    try_cast(score as double) as score,
    try_cast(scale_min as double) as scale_min,
    try_cast(scale_max as double) as scale_max
from read_csv('{data}/survey_responses.csv', all_varchar = true, header = true);

create or replace temp table agents as
select trim(agent_id) as agent_id, lower(trim(is_bot)) in ('true', '1', 'yes') as is_bot
from read_csv('{data}/support_agents.csv', all_varchar = true, header = true);

create or replace temp table tickets as
select
    trim(ticket_id) as ticket_id,
    trim(customer_id) as customer_id,
    try_cast(created_at as timestamptz) at time zone 'UTC' as created_at
from read_csv('{data}/helpdesk_tickets.csv', all_varchar = true, header = true);

create or replace temp table events as
select
    trim(event_id) as event_id,
    trim(ticket_id) as ticket_id,
    try_cast(occurred_at as timestamptz) at time zone 'UTC' as occurred_at,
    lower(trim(event_type)) as event_type,
    trim(agent_id) as agent_id,
    lower(trim(is_public)) as is_public,
    lower(trim(new_status)) as new_status
from read_csv('{data}/helpdesk_ticket_events.csv', all_varchar = true, header = true);

create or replace temp table contacts as
select trim(customer_id) as customer_id, trim(ticket_id) as ticket_id,
       try_cast(offered_at as timestamptz) at time zone 'UTC' as contact_at
from read_csv('{data}/telephony_calls.csv', all_varchar = true, header = true)
union all
select trim(customer_id), trim(ticket_id), try_cast(requested_at as timestamptz) at time zone 'UTC'
from read_csv('{data}/chat_sessions.csv', all_varchar = true, header = true);

create or replace temp table subscriptions as
select
    trim(customer_id) as customer_id,
    try_cast(started_at as timestamptz) at time zone 'UTC' as started_at,
    try_cast(ended_at as timestamptz) at time zone 'UTC' as ended_at
from read_csv('{data}/crm_subscriptions.csv', all_varchar = true, header = true);

create or replace temp table orders as
select
    trim(customer_id) as customer_id,
    try_cast(ordered_at as timestamptz) at time zone 'UTC' as ordered_at
from read_csv('{data}/shop_orders.csv', all_varchar = true, header = true)
where lower(trim(status)) = 'completed';

-- survey KPIs
create or replace temp table floor_kpis as
select
    kpi_id, month, value
from (
    select
        date_trunc('month', responded_at) as month,
        100.0 * avg(case when (scale_max = 1 and score = 1) or (scale_max = 5 and score >= 4) then 1 else 0 end)
            filter (where survey_type = 'csat') as csat,
        100.0 * avg(case when score >= 9 then 1 when score >= 7 then 0 else -1 end)
            filter (where survey_type = 'nps') as nps,
        avg(score) filter (where survey_type = 'ces') as ces
    from responses
    where score between scale_min and scale_max
    group by 1
) unpivot (value for kpi_id in (csat, nps, ces));

-- FCR: one agent reply, never reopened, no repeat contact within 7 days of the resolution
insert into floor_kpis
with transitions as (
    select
        ticket_id, occurred_at, new_status,
        coalesce(lag(new_status) over (partition by ticket_id order by occurred_at, event_id), 'new') as previous_status,
        row_number() over (partition by ticket_id order by occurred_at desc, event_id desc) as recency
    from events
    where event_type = 'status_change' and new_status is not null
),
resolutions as (
    select
        ticket_id,
        max(occurred_at) filter (where new_status in ('solved', 'closed') and previous_status not in ('solved', 'closed')) as last_resolved_at,
        count(*) filter (where previous_status in ('solved', 'closed') and new_status not in ('solved', 'closed')) as reopens,
        max(new_status) filter (where recency = 1) as latest_status
    from transitions
    group by ticket_id
),
lifecycle as (
    select tickets.ticket_id, tickets.customer_id, tickets.created_at, resolutions.reopens,
           resolutions.last_resolved_at as resolved_at
    from tickets
    inner join resolutions on tickets.ticket_id = resolutions.ticket_id
    where resolutions.latest_status in ('solved', 'closed') and resolutions.last_resolved_at is not null
),
replies as (
    select events.ticket_id, count(*) as replies
    from events
    inner join lifecycle on events.ticket_id = lifecycle.ticket_id
    left join agents on events.agent_id = agents.agent_id
    where events.event_type = 'agent_reply' and events.is_public is distinct from 'false'
        and not coalesce(agents.is_bot, false) and events.occurred_at <= lifecycle.resolved_at
    group by events.ticket_id
),
all_tickets as (
    select tickets.ticket_id, tickets.customer_id, tickets.created_at,
           coalesce(lifecycle.resolved_at, timestamp '9999-12-31') as alive_until_at
    from tickets left join lifecycle on tickets.ticket_id = lifecycle.ticket_id
),
repeats as (
    select lifecycle.ticket_id
    from lifecycle
    inner join all_tickets as other
        on lifecycle.customer_id = other.customer_id and lifecycle.ticket_id != other.ticket_id
        and other.created_at <= lifecycle.resolved_at + interval 7 day
        and other.alive_until_at >= lifecycle.created_at
        and other.created_at + interval 7 day >= lifecycle.created_at
    union
    select lifecycle.ticket_id
    from lifecycle
    inner join contacts
        on lifecycle.customer_id = contacts.customer_id
        and contacts.ticket_id is distinct from lifecycle.ticket_id
        and contacts.contact_at between lifecycle.created_at and lifecycle.resolved_at + interval 7 day
)
select
    'fcr_rate' as kpi_id,
    date_trunc('month', lifecycle.resolved_at) as month,
    100.0 * avg(case when coalesce(replies.replies, 0) = 1 and lifecycle.reopens = 0 and repeats.ticket_id is null then 1 else 0 end) as value
from lifecycle
left join replies on lifecycle.ticket_id = replies.ticket_id
left join repeats on lifecycle.ticket_id = repeats.ticket_id
group by 2;

-- churn and retention: merged activity spans, customers active at each month start
insert into floor_kpis
with intervals as (
    select customer_id, started_at as from_at, ended_at as until_at from subscriptions
    union all
    select customer_id, ordered_at, ordered_at + interval 180 day from orders
    where customer_id not in (select customer_id from subscriptions)
),
ordered as (
    select *, max(coalesce(until_at, timestamp '9999-12-31')) over (
        partition by customer_id order by from_at, until_at rows between unbounded preceding and 1 preceding
    ) as previous_until
    from intervals
),
islands as (
    select *, sum(case when previous_until >= from_at then 0 else 1 end) over (
        partition by customer_id order by from_at, until_at rows between unbounded preceding and current row
    ) as island
    from ordered
),
as_of as (select max(responded_at) as as_of_at from responses),
spans as (
    select customer_id, min(from_at) as span_start,
           case when max(coalesce(until_at, timestamp '9999-12-31')) > (select as_of_at from as_of)
                then null else max(until_at) end as span_end
    from islands group by customer_id, island
),
months as (
    select range as month
    from range(date_trunc('month', (select min(span_start) from spans)), (select as_of_at from as_of), interval 1 month)
),
counts as (
    select
        months.month,
        count(*) filter (where spans.span_start < months.month and (spans.span_end is null or spans.span_end >= months.month)) as active_at_start,
        count(*) filter (where spans.span_start < months.month and spans.span_end >= months.month
                         and spans.span_end < months.month + interval 1 month) as lost
    from months
    inner join spans
        on spans.span_start < months.month + interval 1 month
        and (spans.span_end is null or spans.span_end >= months.month)
    group by months.month
)
select kpi_id, month, value
from (
    select month, 100.0 * lost / active_at_start as churn_rate,
           100.0 * (active_at_start - lost) / active_at_start as retention_rate
    from counts where active_at_start > 0
) unpivot (value for kpi_id in (churn_rate, retention_rate));
