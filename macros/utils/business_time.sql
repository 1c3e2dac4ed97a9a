{#
    Business-time helpers (DECISIONLOG.md "Business hours and SLA policies"), dispatched so that
    another engine only adds its own implementation. All `_at` values are naive UTC timestamps.

    Cumulative business seconds: int_calendar__business_days holds one row per local date with the
    day's opening/closing instants in UTC and business_seconds_before (all earlier days). The
    business seconds elapsed up to an instant t are

        cum(t) = business_seconds_before(local date of t) + clamp(t - opens_at, 0, business_seconds)

    found by an EQUALITY join on the local date (business_local_date), so each timestamp costs one
    hash-join probe however long a ticket stays open. Business seconds between a and b are
    cum(b) - cum(a). The inverse (the instant at which a cumulative target is reached) is an ASOF
    join on business_seconds_before (business_instant_join + business_instant_at).
#}

{# utc_to_local(timestamp_expression, time_zone): local wall-clock timestamp of a UTC instant. #}
{% macro utc_to_local(timestamp_expression, time_zone) -%}
    {{ return(adapter.dispatch('utc_to_local', 'cx_warehouse')(timestamp_expression, time_zone)) }}
{%- endmacro %}

{% macro default__utc_to_local(timestamp_expression, time_zone) -%}
    (({{ timestamp_expression }} at time zone 'UTC') at time zone {{ time_zone }})
{%- endmacro %}

{% macro spark__utc_to_local(timestamp_expression, time_zone) -%}
    from_utc_timestamp({{ timestamp_expression }}, {{ time_zone }})
{%- endmacro %}


{# local_to_utc(local_timestamp_expression, time_zone): UTC instant of a local wall-clock time. #}
{% macro local_to_utc(local_timestamp_expression, time_zone) -%}
    {{ return(adapter.dispatch('local_to_utc', 'cx_warehouse')(local_timestamp_expression, time_zone)) }}
{%- endmacro %}

{% macro default__local_to_utc(local_timestamp_expression, time_zone) -%}
    (({{ local_timestamp_expression }} at time zone {{ time_zone }}) at time zone 'UTC')
{%- endmacro %}

{% macro spark__local_to_utc(local_timestamp_expression, time_zone) -%}
    to_utc_timestamp({{ local_timestamp_expression }}, {{ time_zone }})
{%- endmacro %}


{# business_local_date(timestamp_expression, time_zone): the local date, join key of int_calendar__business_days. #}
{% macro business_local_date(timestamp_expression, time_zone) -%}
    cast({{ utc_to_local(timestamp_expression, time_zone) }} as date)
{%- endmacro %}


{# seconds_between(start_expression, end_expression) lives in macros/utils/dates.sql. #}


{# add_seconds(timestamp_expression, seconds_expression): the timestamp plus a (fractional) number of seconds. #}
{% macro add_seconds(timestamp_expression, seconds_expression) -%}
    {{ return(adapter.dispatch('add_seconds', 'cx_warehouse')(timestamp_expression, seconds_expression)) }}
{%- endmacro %}

{% macro duckdb__add_seconds(timestamp_expression, seconds_expression) -%}
    ({{ timestamp_expression }} + to_microseconds(cast(round(cast({{ seconds_expression }} as double) * 1000000) as bigint)))
{%- endmacro %}

{% macro spark__add_seconds(timestamp_expression, seconds_expression) -%}
    timestamp_micros(unix_micros({{ timestamp_expression }}) + cast(round(cast({{ seconds_expression }} as double) * 1000000) as bigint))
{%- endmacro %}

{% macro default__add_seconds(timestamp_expression, seconds_expression) -%}
    ({{ timestamp_expression }} + {{ seconds_expression }} * interval '1 second')
{%- endmacro %}


{#
    business_seconds_at(timestamp_expression, business_day): cumulative business seconds at the
    instant, given `business_day`, the alias of the int_calendar__business_days row joined on
    calendar_date = business_local_date(timestamp_expression, time_zone). Null when the instant is
    null or outside the calendar.
#}
{% macro business_seconds_at(timestamp_expression, business_day) -%}
    {{ return(adapter.dispatch('business_seconds_at', 'cx_warehouse')(timestamp_expression, business_day)) }}
{%- endmacro %}

{% macro default__business_seconds_at(timestamp_expression, business_day) -%}
    ({{ business_day }}.business_seconds_before + case
        when {{ timestamp_expression }} is null then null
        when {{ business_day }}.opens_at is null then 0
        else least(
            greatest({{ seconds_between(business_day ~ '.opens_at', timestamp_expression) }}, 0),
            {{ business_day }}.business_seconds
        )
    end)
{%- endmacro %}


{#
    business_instant_join(open_business_days, target_expression, alias): the join clause that
    finds the open day (business_seconds > 0) on which the cumulative business seconds reach
    target_expression. `open_business_days` must hold only open days of int_calendar__business_days.
    DuckDB: an ASOF join (sort-merge, O(log n) per row); default: a range join.
#}
{% macro business_instant_join(open_business_days, target_expression, alias) -%}
    {{ return(adapter.dispatch('business_instant_join', 'cx_warehouse')(open_business_days, target_expression, alias)) }}
{%- endmacro %}

{% macro duckdb__business_instant_join(open_business_days, target_expression, alias) -%}
    asof left join {{ open_business_days }} as {{ alias }}
        on {{ target_expression }} > {{ alias }}.business_seconds_before
{%- endmacro %}

{% macro default__business_instant_join(open_business_days, target_expression, alias) -%}
    left join {{ open_business_days }} as {{ alias }}
        on
            {{ target_expression }} > {{ alias }}.business_seconds_before
            and {{ target_expression }} <= {{ alias }}.business_seconds_before + {{ alias }}.business_seconds
{%- endmacro %}


{#
    business_instant_at(target_expression, business_day): the UTC instant at which the cumulative
    business seconds reach target_expression, on the day found by business_instant_join (the
    earliest such instant: a target reached exactly at closing time gives the closing time).
    Null when the target lies beyond the calendar's last day.
#}
{% macro business_instant_at(target_expression, business_day) -%}
    case
        when {{ target_expression }} <= {{ business_day }}.business_seconds_before + {{ business_day }}.business_seconds
            then {{ add_seconds(
                business_day ~ '.opens_at',
                '(' ~ target_expression ~ ' - ' ~ business_day ~ '.business_seconds_before)'
            ) }}
    end
{%- endmacro %}
