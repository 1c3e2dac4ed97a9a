{#
    Calendar helpers, dispatched so that another engine (e.g. Spark) only adds its own
    implementation. Weeks are ISO weeks starting on Monday.
#}

{# period_start(grain, date_expression): first day of the day/week/month/quarter/year holding it. #}
{% macro period_start(grain, date_expression) -%}
    {{ return(adapter.dispatch('period_start', 'cx_warehouse')(grain, date_expression)) }}
{%- endmacro %}

{% macro default__period_start(grain, date_expression) -%}
    cast(date_trunc('{{ grain }}', {{ date_expression }}) as date)
{%- endmacro %}


{# iso_day_of_week(expression): ISO day of the week of a date or timestamp, Monday 1 to Sunday 7. #}
{% macro iso_day_of_week(expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'cx_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(expression) -%}
    extract(isodow from {{ expression }})
{%- endmacro %}

{% macro spark__iso_day_of_week(expression) -%}
    extract(dayofweek_iso from {{ expression }})
{%- endmacro %}


{# previous_period_start(grain_column, period_start_column): start of the preceding period (the
   same SQL in DuckDB and Spark, whose date minus interval also gives a date). #}
{% macro previous_period_start(grain_column, period_start_column) -%}
    cast(case {{ grain_column }}
        when 'day' then {{ period_start_column }} - interval 1 day
        when 'week' then {{ period_start_column }} - interval 7 day
        when 'month' then {{ period_start_column }} - interval 1 month
        when 'quarter' then {{ period_start_column }} - interval 3 month
        when 'year' then {{ period_start_column }} - interval 1 year
    end as date)
{%- endmacro %}

{# date_spine(start_date, end_date): one row per day, column date_day, both ends included. #}
{% macro date_spine(start_date, end_date) -%}
    {{ return(adapter.dispatch('date_spine', 'cx_warehouse')(start_date, end_date)) }}
{%- endmacro %}

{% macro duckdb__date_spine(start_date, end_date) -%}
    select cast(range as date) as date_day
    from range(cast({{ start_date }} as date), cast({{ end_date }} as date) + interval 1 day, interval 1 day)
{%- endmacro %}

{% macro spark__date_spine(start_date, end_date) -%}
    select explode(sequence(cast({{ start_date }} as date), cast({{ end_date }} as date), interval 1 day)) as date_day
{%- endmacro %}


{# add_days(timestamp_expression, days): the timestamp plus a whole number of days. #}
{% macro add_days(timestamp_expression, days) -%}
    {{ return(adapter.dispatch('add_days', 'cx_warehouse')(timestamp_expression, days)) }}
{%- endmacro %}

{% macro default__add_days(timestamp_expression, days) -%}
    ({{ timestamp_expression }} + to_days(cast({{ days }} as integer)))
{%- endmacro %}

{% macro spark__add_days(timestamp_expression, days) -%}
    ({{ timestamp_expression }} + make_interval(0, 0, 0, {{ days }}))
{%- endmacro %}


{# seconds_between(start_expression, end_expression): end minus start in seconds (a double). #}
{% macro seconds_between(start_expression, end_expression) -%}
    {{ return(adapter.dispatch('seconds_between', 'cx_warehouse')(start_expression, end_expression)) }}
{%- endmacro %}

{% macro default__seconds_between(start_expression, end_expression) -%}
    (epoch({{ end_expression }}) - epoch({{ start_expression }}))
{%- endmacro %}

{% macro spark__seconds_between(start_expression, end_expression) -%}
    cast(unix_timestamp({{ end_expression }}) - unix_timestamp({{ start_expression }}) as double)
{%- endmacro %}


{# exact_decimal(expression): the value as a fixed-point decimal with 10 places, so that sums of
   money do not depend on the order in which parallel threads add them (floating-point sums do). #}
{% macro exact_decimal(expression) -%}
    {{ return(adapter.dispatch('exact_decimal', 'cx_warehouse')(expression)) }}
{%- endmacro %}

{% macro default__exact_decimal(expression) -%}
    cast({{ expression }} as decimal(38, 10))
{%- endmacro %}


{# calendar_periods(calendar): one row per period of every grain of var('kpi_period_grains')
   covered by `calendar` (dim_date or a CTE with its columns): period_grain, period_start and
   period_end_date (the period's last day in the calendar, e.g. the as-of day for the current
   period). #}
{% macro calendar_periods(calendar) -%}
    {%- for grain in var('kpi_period_grains') %}
    select
        '{{ grain }}' as period_grain,
        {{ grain }}_start as period_start,
        max(date_day) as period_end_date
    from {{ calendar }}
    group by {{ grain }}_start
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
