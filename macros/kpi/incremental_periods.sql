{#
    Period-incremental KPI aggregates (docs/architecture.md "Incremental KPI aggregates").

    int_kpi_observation_dates keeps a fingerprint (row count and sum of row hashes) of the KPI
    observations of every metric_date, and stamps a date with the time of the run (run_stamp())
    whenever its fingerprint changes. An aggregate model built with
    incremental_strategy='replace_periods' recomputes only the periods (of every grain) that hold
    a date stamped after the model's own latest stamp, deletes their old rows and inserts the new
    ones; every other period keeps its rows. A stamp is the run's start time, not a load batch,
    so a run without new data that still changes observations (an edited seed, a changed var or
    model) is seen too, and a model that failed or was skipped catches up on its next run.
    Whatever changed a date's observations (a new day, a late-arriving event, a ticket reopened
    weeks later, an updated priority) is seen in its fingerprint, so no rule of which periods a
    new batch touches has to be guessed.
#}


{# run_stamp(): the start of this dbt invocation (UTC) as a timestamp, the _computed_at of the rows
   a run (re)computes. Later runs have later stamps. #}
{% macro run_stamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}


{# row_hash(columns): a 64-bit hash of the listed columns of a row, to compare sets of rows by
   their sum. Dispatched. #}
{% macro row_hash(columns) -%}
    {{ return(adapter.dispatch('row_hash', 'cx_warehouse')(columns)) }}
{%- endmacro %}

{% macro default__row_hash(columns) -%}
    hash({{ columns | join(', ') }})
{%- endmacro %}

{% macro spark__row_hash(columns) -%}
    xxhash64({{ columns | join(', ') }})
{%- endmacro %}


{# computed_since_last_run(): a predicate keeping the rows of a fingerprint table (date_fingerprints)
   stamped after the latest _computed_at of this model ({{ this }}), i.e. the dates that changed
   since the model last ran; every row when the model is empty. For incremental runs only. #}
{% macro computed_since_last_run() -%}
    {{ require_bookkeeping_column('_computed_at') }}
    {{- '_computed_at' }} > (
        select coalesce(max(processed._computed_at), cast('0001-01-01' as timestamp))
        from {{ this }} as processed
    )
{%- endmacro %}


{#
    key_fingerprints(relation, key_column, columns)

    Body of an incremental fingerprint model (unique_key = key_column): one row per key of
    `relation` (a date, a customer) with row_count, fingerprint (the sum of row_hash(columns) of
    its rows) and _computed_at. A full build stamps every key with run_stamp(); an incremental run
    compares the fresh fingerprints with the stored ones and returns only the keys that differ,
    stamped run_stamp() (a key whose rows all disappeared comes back with row_count 0 and stays
    so), so the model's consumers can redo just what those keys feed. `columns` must leave out
    bookkeeping such as _load_batch, which changes when a row is recomputed unchanged. Rows with a
    null key are not fingerprinted.
#}
{% macro key_fingerprints(relation, key_column, columns) -%}
with

rows_to_fingerprint as (
    select * from {{ relation }}
),

fingerprints as (
    select
        {{ key_column }},
        count(*) as row_count,
        sum({{ row_hash(columns) }}) as fingerprint
    from rows_to_fingerprint
    where {{ key_column }} is not null
    group by {{ key_column }}
),

{% if is_incremental() %}
previous_fingerprints as (
    select * from {{ this }}
),

changed_keys as (
    select
        coalesce(fingerprints.{{ key_column }}, previous_fingerprints.{{ key_column }}) as {{ key_column }},
        coalesce(fingerprints.row_count, 0) as row_count,
        coalesce(fingerprints.fingerprint, 0) as fingerprint
    from fingerprints
    full outer join previous_fingerprints
        on fingerprints.{{ key_column }} = previous_fingerprints.{{ key_column }}
    where
        previous_fingerprints.{{ key_column }} is null
        or coalesce(fingerprints.row_count, 0) != previous_fingerprints.row_count
        or coalesce(fingerprints.fingerprint, 0) != previous_fingerprints.fingerprint
),
{% else %}
changed_keys as (
    select * from fingerprints
),
{% endif %}

final as (
    select
        {{ key_column }},
        row_count,
        fingerprint,
        {{ run_stamp() }} as _computed_at
    from changed_keys
)

select * from final
{%- endmacro %}


{# date_fingerprints(relation, date_column, columns): key_fingerprints() keyed by a date column. #}
{% macro date_fingerprints(relation, date_column, columns) -%}
    {{ return(key_fingerprints(relation, date_column, columns)) }}
{%- endmacro %}


{#
    kpi_changed_periods(grains=none)

    In an incremental run, a query of the (period_grain, period_start) pairs, for `grains`
    (default var('kpi_period_grains')), that hold a metric_date whose observations changed since
    this model last ran (int_kpi_observation_dates._computed_at later than the latest
    _computed_at of this model); none in a full build (= every period). The ref is taken
    before the is_incremental() check so that dbt records the dependency while parsing.
#}
{% macro kpi_changed_periods(grains=none) -%}
    {%- set observation_dates = ref('int_kpi_observation_dates') -%}
    {%- if not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set changed -%}
        select distinct period_grain, period_start
        from (
            {%- for grain in (grains if grains is not none else var('kpi_period_grains')) %}
            select
                '{{ grain }}' as period_grain,
                {{ period_start(grain, 'metric_date') }} as period_start
            from {{ observation_dates }}
            where {{ computed_since_last_run() }}
            {%- if not loop.last %}
            union all
            {%- endif %}
            {%- endfor %}
        ) as changed_dates
    {%- endset -%}
    {{ return(changed) }}
{%- endmacro %}


{# in_kpi_periods(grain_column, start_column, periods): a predicate keeping the rows whose period is
   one of `periods` (a query from kpi_changed_periods); `true` when periods is none. #}
{% macro in_kpi_periods(grain_column, start_column, periods) -%}
    {%- if periods is none -%}
        true
    {%- else -%}
        ({{ grain_column }}, {{ start_column }}) in (select period_grain, period_start from ({{ periods }}) as periods)
    {%- endif -%}
{%- endmacro %}


{#
    incremental_strategy='replace_periods': delete the rows of the periods kpi_changed_periods()
    recomputes (every grain; every period when a group of the model's config setting_groups
    changed, see kpi_periods_to_recompute()), then insert the recomputed rows. The periods are
    read from the target before it changes, as the model's query read them, so a period whose
    observations all disappeared loses its rows too.
#}
{% macro get_incremental_replace_periods_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ in_kpi_periods('period_grain', 'period_start', kpi_periods_to_recompute(config.get('setting_groups', []))) }};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}


{#
    kpi_periods_to_recompute(setting_groups=[])

    kpi_changed_periods(), or none (= every period) when one of `setting_groups` changed since
    the model last ran. For a replace_periods model that also reads settings (its config
    setting_groups must list the same groups, so the strategy deletes what the query recomputes).
    The refs are taken first so that dbt records them while parsing.
#}
{% macro kpi_periods_to_recompute(setting_groups=[]) -%}
    {%- set changed_periods = kpi_changed_periods() -%}
    {%- if setting_groups | length > 0 and settings_changed_since_last_run(setting_groups) -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(changed_periods) }}
{%- endmacro %}


{#
    kpi_adjacent_periods(periods, direction)

    The periods of `periods` (a query of (period_grain, period_start), e.g. from
    kpi_changed_periods()) together with the period after each (direction 'next') or before each
    ('previous'); none when `periods` is none (= every period). kpi_values republishes the next
    period of a changed one, whose previous_value and change read it.
#}
{% macro kpi_adjacent_periods(periods, direction) -%}
    {%- if periods is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if direction == 'next' -%}
        {%- set shifted = next_period_start('period_grain', 'period_start') -%}
    {%- elif direction == 'previous' -%}
        {%- set shifted = previous_period_start('period_grain', 'period_start') -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("kpi_adjacent_periods: direction must be 'next' or 'previous', not " ~ direction) }}
    {%- endif -%}
    {%- set query -%}
        select period_grain, period_start from ({{ periods }}) as given_periods
        union
        select period_grain, {{ shifted }} as period_start from ({{ periods }}) as given_periods
    {%- endset -%}
    {{ return(query) }}
{%- endmacro %}


{#
    kpi_periods_to_republish(setting_groups)

    For int_kpi_values__published: in an incremental run, a query of the periods whose
    observation-based KPI rows are published again, i.e. the periods kpi_changed_periods()
    lists and the period after each; none (= every row) in a full build or when one of
    `setting_groups` changed since the model last ran (kpi_periods_to_recompute()).
#}
{% macro kpi_periods_to_republish(setting_groups) -%}
    {{ return(kpi_adjacent_periods(kpi_periods_to_recompute(setting_groups), 'next')) }}
{%- endmacro %}


{#
    incremental_strategy='republish_kpi_periods' (int_kpi_values__published; model config
    setting_groups): delete the rows the model's query recomputed, i.e. every row not from the
    observation aggregates (is_from_observations false: those aggregates are small and rebuilt
    every run) and the observation rows of the periods kpi_periods_to_republish() lists (read
    before the delete, as the model's query read them; every row when it lists none), then
    insert the recomputed rows.
#}
{% macro get_incremental_republish_kpi_periods_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set periods = kpi_periods_to_republish(config.get('setting_groups', [])) -%}
    delete from {{ target }}
    where
        not is_from_observations
        or {{ in_kpi_periods('period_grain', 'period_start', periods) }};
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
