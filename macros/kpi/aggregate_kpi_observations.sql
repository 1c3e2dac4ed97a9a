{#
    aggregate_kpi_observations(observations)

    Rolls KPI observations up to every period grain of var('kpi_period_grains') and every
    breakdown dimension. `observations` is a relation with the columns of
    the KPI observations (int_kpi_observations__<family>): kpi_id, metric_date, one column per dimension of kpi_dimensions()
    (null = the dimension does not apply to that KPI, so no row is published for it; hour_of_day
    '00'..'23' and day_of_week '1'..'7', ISO Monday = 1, in UTC), numerator, denominator and
    measure (the raw value whose p50/p90 are published, for time KPIs).
    Returns one row per kpi_id × period_grain × period_start × dimension × dimension_value with
    the additive sums numerator, denominator, squares (Σ numerator²) and the p50/p90 of measure.
#}
{% macro kpi_dimensions() -%}
    {{ return({
        'channel': 'channel',
        'team': 'team',
        'agent': 'agent_id',
        'category': 'category',
        'priority': 'priority',
        'customer_tier': 'customer_tier',
        'survey_type': 'survey_type',
        'hour_of_day': 'hour_of_day',
        'day_of_week': 'day_of_week',
    }) }}
{%- endmacro %}


{#
    percentiles(expression, fractions): one aggregate returning the list of the continuous
    percentiles of `expression` at each of `fractions`, in that order. DuckDB selects every
    fraction from one sorted state, so p50 and p90 together cost about what one of them costs
    alone (the day-grain percentiles at 2 M tickets: 8.6 s as two aggregates, 5.8 s as one, and
    half the memory). Read an item with list_item() (macros/utils/lists.sql). Dispatched.
#}
{% macro percentiles(expression, fractions) -%}
    {{ return(adapter.dispatch('percentiles', 'cx_warehouse')(expression, fractions)) }}
{%- endmacro %}

{% macro default__percentiles(expression, fractions) -%}
    quantile_cont({{ expression }}, [{{ fractions | join(', ') }}])
{%- endmacro %}

{% macro spark__percentiles(expression, fractions) -%}
    percentile({{ expression }}, array({{ fractions | join(', ') }}))
{%- endmacro %}


{#
    percentile_from_counts(value, cumulative, total, fraction)

    An aggregate: the continuous percentile (the same interpolation as quantile_cont, position
    (n - 1) × fraction between the two nearest ranks) of a distribution given as a histogram,
    one row per distinct `value` with `cumulative` (rows with a value <= this one, a running sum
    ordered by value) and `total` (all rows of the group). For small integer measures (touches
    per customer) the histogram has a few rows per group instead of one per customer, so no
    group holds millions of values in memory. Plain SQL, no dispatch needed.
#}
{% macro percentile_from_counts(value, cumulative, total, fraction) -%}
    {%- set position = '((' ~ total ~ ' - 1) * ' ~ fraction ~ ')' -%}
    {%- set lower = 'min(case when ' ~ cumulative ~ ' > floor(' ~ position ~ ') then ' ~ value ~ ' end)' -%}
    {%- set upper = 'min(case when ' ~ cumulative ~ ' > ceil(' ~ position ~ ') then ' ~ value ~ ' end)' -%}
    ({{ lower }} + ({{ upper }} - {{ lower }}) * (max({{ position }}) - floor(max({{ position }}))))
{%- endmacro %}


{#
    histogram_percentiles(histogram, group_columns, value_column, count_column)

    A query of p50_value and p90_value per group of a histogram (a relation with one row per
    group and distinct `value_column`, holding in `count_column` how many rows have that value):
    the running count in value order and the group's total feed percentile_from_counts, so the
    result equals quantile_cont over the rows the histogram counts. For small integer measures
    (touches per customer, distinct touchpoints per journey).
#}
{% macro histogram_percentiles(histogram, group_columns, value_column, count_column) -%}
    {%- set groups = group_columns | join(', ') -%}
    select
        {{ groups }},
        {{ percentile_from_counts(value_column, 'cumulative_count', 'total_count', 0.5) }} as p50_value,
        {{ percentile_from_counts(value_column, 'cumulative_count', 'total_count', 0.9) }} as p90_value
    from (
        select
            {{ groups }},
            {{ value_column }},
            sum({{ count_column }}) over (
                partition by {{ groups }}
                order by {{ value_column }}
                rows between unbounded preceding and current row
            ) as cumulative_count,
            sum({{ count_column }}) over (partition by {{ groups }}) as total_count
        from {{ histogram }}
    ) as ranked_histogram
    group by {{ groups }}
{%- endmacro %}


{#
    rollup_by_period(relation, date_column, dimensions, aggregates, keys=[], grouping_sets=true, grains=none, periods=none)

    For every grain of `grains` (default var('kpi_period_grains')): the rows of `relation` grouped by (keys,
    period_start) alone (dimension 'all') and with each breakdown column of `dimensions` (a dict
    dimension name -> column). Returns keys, period_grain, period_start, dimension,
    dimension_value and one column per entry of `aggregates` (a dict column name -> aggregate SQL
    expression). With grouping_sets=true one GROUP BY GROUPING SETS per grain (best for
    distributive aggregates such as sums, which can spill to disk); with false a UNION ALL of
    one GROUP BY per grain and breakdown, skipping rows whose breakdown column is null: holistic
    aggregates (percentiles) keep every value of every group in memory, and DuckDB holds the
    states of all grouping sets at once, so they run one breakdown at a time instead.
    `periods` (a relation or CTE of period_grain, period_start: the periods an incremental run
    recomputes) keeps only the rows of those periods; none = every period.
#}
{% macro rollup_by_period(relation, date_column, dimensions, aggregates, keys=[], grouping_sets=true, grains=none, periods=none) -%}
    {%- set key_prefix = keys | join(', ') ~ (', ' if keys else '') -%}
    {%- for grain in (grains if grains is not none else var('kpi_period_grains')) %}
    {%- set in_periods = kpi_period_filter(grain, date_column, periods) %}
    {%- if grouping_sets %}
    select
        {{ key_prefix }}'{{ grain }}' as period_grain,
        period_start,
        case
            {%- for dimension, column in dimensions.items() %}
            when grouping({{ column }}) = 0 then '{{ dimension }}'
            {%- endfor %}
            else 'all'
        end as dimension,
        case
            {%- for dimension, column in dimensions.items() %}
            when grouping({{ column }}) = 0 then {{ column }}
            {%- endfor %}
            else 'all'
        end as dimension_value,
        {%- for name, expression in aggregates.items() %}
        {{ expression }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from (
        select
            *,
            {{ period_start(grain, date_column) }} as period_start
        from {{ relation }}
        where {{ in_periods }}
    ) as rows_by_{{ grain }}
    group by grouping sets (
        ({{ key_prefix }}period_start),
        {%- for column in dimensions.values() %}
        ({{ key_prefix }}period_start, {{ column }}){{ ',' if not loop.last }}
        {%- endfor %}
    )
    {%- else %}
    {%- set breakdowns = [('all', none)] + (dimensions.items() | list) %}
    {%- for dimension, column in breakdowns %}
    select
        {{ key_prefix }}'{{ grain }}' as period_grain,
        {{ period_start(grain, date_column) }} as period_start,
        '{{ dimension }}' as dimension,
        {{ column if column else "'all'" }} as dimension_value,
        {%- for name, expression in aggregates.items() %}
        {{ expression }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ relation }}
    where {{ in_periods }}{{ ' and ' ~ column ~ ' is not null' if column }}
    group by {{ key_prefix }}{{ period_start(grain, date_column) }}{{ ', ' ~ column if column }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{# kpi_period_filter(grain, date_expression, periods): a predicate keeping the rows whose `grain`
   period is one of `periods` (a relation or CTE with period_grain and period_start); `true` when
   periods is none (every period). #}
{% macro kpi_period_filter(grain, date_expression, periods) -%}
    {%- if periods is none -%}
        true
    {%- else -%}
        {{ period_start(grain, date_expression) }} in (
            select period_start from {{ periods }} where period_grain = '{{ grain }}'
        )
    {%- endif -%}
{%- endmacro %}


{#
    rollup_sums_by_period(relation, date_column, dimensions, sums, keys=[], grains=none)

    rollup_by_period for sums only, cheaper: the rows are grouped once, by day (grouping sets of
    every breakdown), and the coarser grains add up those daily sums (rollup_day_sums) instead of
    grouping every row again (at 51 M observations, one pass instead of five). `sums` maps a
    column name to the SQL expression summed. Same columns as rollup_by_period.
#}
{% macro rollup_sums_by_period(relation, date_column, dimensions, sums, keys=[], grains=none) -%}
    select * from (
        with daily_sums as (
            {{ rollup_day_rows(relation, date_column, dimensions, sums, keys=keys) }}
        )
        {{ rollup_day_sums('daily_sums', 'period_start', sums, keys=keys, grains=grains) }}
    ) as sums_by_period
{%- endmacro %}


{#
    rollup_day_rows(relation, date_column, dimensions, sums, keys=[])

    The day-grain rows of rollup_by_period for sums: `relation` grouped by (keys, day) alone
    (dimension 'all') and with each breakdown of `dimensions`, one GROUP BY GROUPING SETS; `sums`
    maps a column name to the SQL expression summed. What rollup_day_sums adds up to every grain.
#}
{% macro rollup_day_rows(relation, date_column, dimensions, sums, keys=[]) -%}
    {%- set day_sums = {} -%}
    {%- for name, expression in sums.items() -%}
        {%- do day_sums.update({name: 'sum(' ~ expression ~ ')'}) -%}
    {%- endfor -%}
    {{ rollup_by_period(relation, date_column, dimensions, day_sums, keys=keys, grains=['day']) }}
{%- endmacro %}


{#
    rollup_day_sums(day_sums, date_column, sums, keys=[], grains=none, periods=none)

    Day rows of sums per breakdown (keys, date_column, dimension, dimension_value and the `sums`
    columns) added up to every grain of `grains` (default var('kpi_period_grains')): a UNION ALL
    of one GROUP BY per grain, returning keys, period_grain, period_start, dimension,
    dimension_value and the sums. With `periods`, only those periods. The second half of
    rollup_sums_by_period; int_kpi_aggregates__ticket_snapshots calls it on its day sums.
#}
{% macro rollup_day_sums(day_sums, date_column, sums, keys=[], grains=none, periods=none) -%}
    {%- set key_prefix = keys | join(', ') ~ (', ' if keys else '') -%}
    {%- for grain in (grains if grains is not none else var('kpi_period_grains')) %}
    select
        {{ key_prefix }}'{{ grain }}' as period_grain,
        {{ period_start(grain, date_column) }} as period_start,
        dimension,
        dimension_value,
        {%- for name in sums %}
        sum({{ name }}) as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ day_sums }}
    where {{ kpi_period_filter(grain, date_column, periods) }}
    group by {{ key_prefix }}{{ period_start(grain, date_column) }}, dimension, dimension_value
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{# kpi_observation_sums_map(): the sums a KPI aggregate keeps of its observations - Σ numerator,
   Σ denominator and Σ numerator² (squares, for the confidence intervals) - as a mapping of
   column -> summed expression for rollup_sums_by_period / rollup_day_rows / rollup_day_sums. #}
{% macro kpi_observation_sums_map() -%}
    {{ return({
        'numerator': 'numerator',
        'denominator': 'denominator',
        'squares': 'numerator * numerator',
    }) }}
{%- endmacro %}


{# Σ numerator, Σ denominator, Σ numerator² of KPI observations per period of every grain and
   breakdown of `dimensions` (default kpi_dimensions(); a family with fewer breakdowns passes its
   own). #}
{% macro kpi_observation_sums(observations, dimensions=none) -%}
    {{ rollup_sums_by_period(
        observations,
        'metric_date',
        dimensions if dimensions is not none else kpi_dimensions(),
        kpi_observation_sums_map(),
        keys=['kpi_id'],
    ) }}
{%- endmacro %}


{# p50 and p90 of `measure` over the observations that have one (time KPIs), one breakdown at a
   time (see rollup_by_period), for `grains` (default: every grain), `periods` (a relation of
   period_grain, period_start; default: all) and the breakdowns of `dimensions` (default
   kpi_dimensions()). One percentiles() aggregate yields both values, split into two columns by
   list_item(). #}
{% macro kpi_observation_percentiles(observations, grains=none, periods=none, dimensions=none) -%}
    select
        kpi_id,
        period_grain,
        period_start,
        dimension,
        dimension_value,
        {{ list_item('p50_p90', 1) }} as p50_value,
        {{ list_item('p50_p90', 2) }} as p90_value
    from (
        {{ rollup_by_period(
            '(select * from ' ~ observations ~ ' where measure is not null) as measured',
            'metric_date',
            dimensions if dimensions is not none else kpi_dimensions(),
            {'p50_p90': percentiles('measure', [0.5, 0.9])},
            keys=['kpi_id'],
            grouping_sets=false,
            grains=grains,
            periods=periods,
        ) }}
    ) as p50_p90_by_period
{%- endmacro %}


{#
    Sums and percentiles joined on the row key, for a small observation relation in one query
    (int_kpi_aggregates__customer_events; the observations of the other families are summed in
    int_kpi_aggregates__observations and their percentiles in int_kpi_percentiles__observations,
    both written out). `dimensions`
    (default kpi_dimensions()) limits the breakdowns to those the observations have, so no
    grouping set is spent on a column that is null in every row.
#}
{% macro aggregate_kpi_observations(observations, dimensions=none) -%}
    select
        sums.kpi_id,
        sums.period_grain,
        sums.period_start,
        sums.dimension,
        sums.dimension_value,
        sums.numerator,
        sums.denominator,
        sums.squares,
        percentiles.p50_value,
        percentiles.p90_value
    from ({{ kpi_observation_sums(observations, dimensions=dimensions) }}) as sums
    left join ({{ kpi_observation_percentiles(observations, dimensions=dimensions) }}) as percentiles
        on
            sums.kpi_id = percentiles.kpi_id
            and sums.period_grain = percentiles.period_grain
            and sums.period_start = percentiles.period_start
            and sums.dimension = percentiles.dimension
            and sums.dimension_value = percentiles.dimension_value
{%- endmacro %}


{#
    kpi_observation_breakdowns(values)

    The breakdown columns of an observation row, in the order of kpi_dimensions(): `values` maps
    a column (channel, team, agent_id, …) to its SQL expression; every other breakdown is null
    (= does not apply to the KPI). Each observation model lists only the breakdowns it has, so a
    new breakdown needs no edit there. Ends with a comma.
#}
{% macro kpi_observation_breakdowns(values={}) -%}
    {%- for column in kpi_dimensions().values() %}
    {{ values.get(column, 'cast(null as varchar)') }} as {{ column }},
    {%- endfor %}
{%- endmacro %}


{#
    ticket_breakdowns(relation='tickets', missing=none, overrides={})

    The six breakdowns a ticket gives its observations and movements, as a mapping of column
    -> SQL expression on fct_tickets columns of `relation`: channel, team, agent_id (the
    assignee, 'unassigned' without one), category, priority, customer_tier. `missing` (e.g.
    'unknown') is the value of every breakdown but the agent when the ticket is not there (a
    left join); `overrides` replaces some expressions (the reviewed agent's team, …) or adds
    breakdowns (survey_type). Rendered by
    kpi_observation_breakdowns() or breakdown_columns().
#}
{% macro ticket_breakdowns(relation='tickets', missing=none, overrides={}) -%}
    {%- set values = {} -%}
    {%- for column in ['channel', 'team', 'agent_id', 'category', 'priority', 'customer_tier'] -%}
        {%- set source_column = 'assignee_agent_id' if column == 'agent_id' else column -%}
        {%- set expression = relation ~ '.' ~ source_column -%}
        {%- if column == 'agent_id' -%}
            {%- set expression = "coalesce(" ~ expression ~ ", 'unassigned')" -%}
        {%- elif missing is not none -%}
            {%- set expression = "coalesce(" ~ expression ~ ", '" ~ missing ~ "')" -%}
        {%- endif -%}
        {%- do values.update({column: expression}) -%}
    {%- endfor -%}
    {%- do values.update(overrides) -%}
    {{ return(values) }}
{%- endmacro %}


{#
    breakdown_columns(values)

    `expression as column,` for each item of `values` (column -> SQL expression), in its order:
    the select list of rows that carry only the breakdowns they have (ticket movements,
    requests). Ends with a comma.
#}
{% macro breakdown_columns(values) -%}
    {%- for column, expression in values.items() %}
    {{ expression }} as {{ column }},
    {%- endfor %}
{%- endmacro %}
