{#
    KPI value and 95 % confidence-interval formulas, by aggregation method (the `method` column of
    the kpi_definitions seed). Every KPI row of the warehouse is computed by these macros, from
    three additive sums of its observations:
      numerator   Σ numerator      (successes for a share; Σx for a mean; Σ(+1/0/-1) for NPS)
      denominator Σ denominator    (trials; sample size n)
      squares     Σ numerator²     (Σx² for a mean; promoters + detractors for NPS)
    Methods:
      share  100 × numerator / denominator, Wilson score interval
      nps    100 × numerator / denominator, normal interval from the standard error of the
             promoter − detractor difference: sqrt((p_P + p_D − (p_P − p_D)²) / n)
      mean   numerator / denominator, t interval (normal from n ≥ 30)
      ratio  numerator / denominator, no interval (a ratio of sums that is not a sample
             mean, e.g. clv; its denominator is still the sample size it rests on)
      percent_ratio  100 × numerator / denominator, no interval (a percentage of sums whose
             denominator is not a count of trials, e.g. iqs: points earned / points possible)
      count  numerator (no interval)
#}

{% macro kpi_value(method, numerator, denominator) -%}
    case
        when {{ method }} = 'count' then {{ numerator }}
        when {{ denominator }} is null or {{ denominator }} = 0 then null
        when {{ method }} in ('share', 'nps', 'percent_ratio') then 100.0 * {{ numerator }} / {{ denominator }}
        when {{ method }} in ('mean', 'ratio') then 1.0 * {{ numerator }} / {{ denominator }}
    end
{%- endmacro %}


{# The 97.5 % quantile of Student's t with df degrees of freedom (normal 1.96 from df 30). #}
{% macro t_critical_95(df) -%}
    case
        when {{ df }} < 1 then null
        {%- for quantile in [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                             2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                             2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045] %}
        when {{ df }} = {{ loop.index }} then {{ quantile }}
        {%- endfor %}
        else 1.959963984540054e0
    end
{%- endmacro %}


{# Half-width of the interval (in the KPI's unit); the share case is handled by wilson_bound. #}
{% macro _kpi_half_width(method, numerator, denominator, squares) -%}
    case
        when {{ method }} = 'nps'
            then 100.0 * 1.959963984540054e0 * sqrt(greatest(
                1.0 * {{ squares }} / {{ denominator }}
                - power(1.0 * {{ numerator }} / {{ denominator }}, 2),
                0
            ) / {{ denominator }})
        when {{ method }} = 'mean' and {{ denominator }} > 1
            then {{ t_critical_95(denominator ~ ' - 1') }} * sqrt(greatest(
                ({{ squares }} - power({{ numerator }}, 2) / {{ denominator }})
                / ({{ denominator }} - 1),
                0
            ) / {{ denominator }})
    end
{%- endmacro %}


{# Wilson score bound for a share (sign -1 lower, +1 upper), in percent, clamped to 0..100. #}
{% macro wilson_bound(numerator, denominator, sign) -%}
    {#- double literals (e0): DuckDB would read a plain literal as an overflowing DECIMAL -#}
    {%- set z = '1.959963984540054e0' -%}
    {%- set z_squared = '3.841458820694124e0' -%}
    {%- set p = '(1.0 * ' ~ numerator ~ ' / ' ~ denominator ~ ')' -%}
    {%- set n = '(1.0 * ' ~ denominator ~ ')' -%}
    {{ 'greatest(0.0, ' if sign < 0 else 'least(100.0, ' }}100.0 * (
        {{ p }} + {{ z_squared }} / (2 * {{ n }})
        {{ '-' if sign < 0 else '+' }} {{ z }} * sqrt(
            {{ p }} * (1 - {{ p }}) / {{ n }} + {{ z_squared }} / (4 * {{ n }} * {{ n }})
        )
    ) / (1 + {{ z_squared }} / {{ n }}))
{%- endmacro %}


{% macro kpi_ci_low(method, numerator, denominator, squares) -%}
    case
        when {{ denominator }} is null or {{ denominator }} <= 0 then null
        -- least/greatest with the value: the Wilson interval contains p, also in floating point
        when {{ method }} = 'share'
            then least({{ kpi_value(method, numerator, denominator) }}, {{ wilson_bound(numerator, denominator, -1) }})
        when {{ method }} = 'nps'
            then greatest(-100.0, {{ kpi_value(method, numerator, denominator) }}
                - {{ _kpi_half_width(method, numerator, denominator, squares) }})
        when {{ method }} = 'mean'
            then {{ kpi_value(method, numerator, denominator) }}
                - {{ _kpi_half_width(method, numerator, denominator, squares) }}
    end
{%- endmacro %}


{% macro kpi_ci_high(method, numerator, denominator, squares) -%}
    case
        when {{ denominator }} is null or {{ denominator }} <= 0 then null
        when {{ method }} = 'share'
            then greatest({{ kpi_value(method, numerator, denominator) }}, {{ wilson_bound(numerator, denominator, 1) }})
        when {{ method }} = 'nps'
            then least(100.0, {{ kpi_value(method, numerator, denominator) }}
                + {{ _kpi_half_width(method, numerator, denominator, squares) }})
        when {{ method }} = 'mean'
            then {{ kpi_value(method, numerator, denominator) }}
                + {{ _kpi_half_width(method, numerator, denominator, squares) }}
    end
{%- endmacro %}


{# is_low_sample: the sample (denominator) is below var('kpi_min_sample_size', 30); a count is
   exact, never a sample. #}
{% macro kpi_is_low_sample(method, denominator) -%}
    ({{ method }} != 'count' and coalesce({{ denominator }}, 0) < {{ var('kpi_min_sample_size', 30) }})
{%- endmacro %}
