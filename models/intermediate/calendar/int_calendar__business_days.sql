-- One row per local calendar date of the business time zone (seed business_hours), from a few days
-- before the first data date to well after the as-of date (so due dates of late tickets fall
-- inside), with the day's opening and closing instants in UTC and the cumulative business seconds
-- of all earlier days: the lookup table of the business_seconds_at / business_instant_at macros.
-- Local opening hours are converted to UTC through the IANA zone, so DST changes are exact.
-- Opening hours never cross midnight (opens_at < closes_at on the same local date); holidays and
-- weekdays without a business_hours row are closed.
with

data_bounds as {{ inlined_cte() }} (
    select * from {{ ref('int_calendar__data_bounds') }}
),

business_hours as {{ inlined_cte() }} (
    select * from {{ ref('business_hours') }}
),

holidays as (
    select * from {{ ref('holidays') }}
),

-- one zone for the whole calendar (the seed holds one; a data test checks it)
business_zone as (
    select min(time_zone) as time_zone
    from business_hours
),

spine as (
    {{ date_spine(
        "(select first_date - " ~ var('business_calendar_days_before', 7) ~ " from data_bounds)",
        "(select as_of_date + " ~ var('business_calendar_days_after', 400) ~ " from data_bounds)"
    ) }}
),

holiday_dates as (
    select distinct holiday_date
    from holidays
),

days as (
    select
        spine.date_day as calendar_date,
        business_zone.time_zone,
        cast({{ iso_day_of_week('spine.date_day') }} as integer) as iso_weekday,
        holiday_dates.holiday_date is not null as is_holiday,
        business_hours.opens_at as local_opens_time,
        business_hours.closes_at as local_closes_time
    from spine
    cross join business_zone
    left join holiday_dates
        on spine.date_day = holiday_dates.holiday_date
    left join business_hours
        on {{ iso_day_of_week('spine.date_day') }} = business_hours.weekday
),

opening_instants as (
    select
        calendar_date,
        time_zone,
        iso_weekday,
        is_holiday,
        not is_holiday and local_opens_time is not null as is_business_day,
        case
            when not is_holiday
                then {{ local_to_utc('(calendar_date + local_opens_time)', 'time_zone') }}
        end as opens_at,
        case
            when not is_holiday
                then {{ local_to_utc('(calendar_date + local_closes_time)', 'time_zone') }}
        end as closes_at
    from days
),

business_seconds as (
    select
        *,
        coalesce(cast({{ seconds_between('opens_at', 'closes_at') }} as bigint), 0) as business_seconds
    from opening_instants
),

final as (
    select
        calendar_date,
        time_zone,
        iso_weekday,
        is_holiday,
        is_business_day,
        opens_at,
        closes_at,
        business_seconds,
        cast(coalesce(
            sum(business_seconds) over (
                order by calendar_date
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as bigint) as business_seconds_before
    from business_seconds
)

select * from final
