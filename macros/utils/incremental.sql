{#
    since_last_run(column='_load_batch')

    In an incremental run, a predicate keeping the rows of load batches this model has not
    processed yet (column > the highest _load_batch already in the model); `true` in a full
    build. Every incremental model carries _load_batch: the latest load batch that changed the
    row, so the next run knows where it stopped (docs/architecture.md "Incremental builds").
    Plain SQL, no look at the table when the model compiles: a table built by an earlier version
    of the project without _load_batch needs one full build (docs/architecture.md "Known limits
    of the incremental run").
#}
{% macro since_last_run(column='_load_batch') -%}
    {%- if is_incremental() -%}
        {{ column }} > (select coalesce(max(processed._load_batch), 0) from {{ this }} as processed)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#
    keys_of_new_batches(relation, key)

    A query of the `key` values of the rows of `relation` (a CTE or relation with _load_batch)
    from load batches this model has not processed yet (since_last_run()): e.g. the customers a
    new batch updates, whose tickets or contacts a model then recomputes. For incremental runs.
#}
{% macro keys_of_new_batches(relation, key) -%}
    select {{ relation }}.{{ key }}
    from {{ relation }}
    where {{ since_last_run(relation ~ '._load_batch') }}
{%- endmacro %}


{#
    changed_tickets(tickets, events)

    The ticket-grain incremental pattern: the ids of the tickets whose row (in `tickets`) or
    events (in `events`) come from load batches this model has not processed yet. In a full
    build, every ticket. Models keyed by ticket_id keep only these tickets' input rows and
    recompute each of them from all its rows, so a ticket reopened weeks later gets its new state.
#}
{% macro changed_tickets(tickets, events) -%}
    select ticket_id
    from {{ tickets }}
    where {{ since_last_run('_load_batch') }}
    union
    select ticket_id
    from {{ events }}
    where {{ since_last_run('_load_batch') }}
{%- endmacro %}


{#
    rows_of_changed_tickets(relation)

    The rows of `relation` (a CTE or relation with ticket_id) that belong to the tickets of the
    CTE `changed_tickets` (see changed_tickets()) in an incremental run; every row in a full
    build. The ticket-grain incremental models read each input through it.
#}
{% macro rows_of_changed_tickets(relation) -%}
    select {{ relation }}.*
    from {{ relation }}
    {%- if is_incremental() %}
    where {{ relation }}.ticket_id in (select changed_tickets.ticket_id from changed_tickets)
    {%- endif %}
{%- endmacro %}


{#
    delete_keys_of_new_batches(key_column, sources)

    A pre-hook for an incremental model whose rows are keyed '<prefix>:<source key>' and each
    depend on one source row only: delete the row of every staged source row (a stg_ model) of a
    load batch the model has not processed yet, whatever that row is now; the model then
    inserts what those rows still are. So a re-export that no longer yields a row (a call now
    logged against a ticket is no touchpoint) leaves no stale row behind, which delete+insert
    alone would (it deletes only the keys it inserts). Nothing in a full build.
#}
{% macro delete_keys_of_new_batches(key_column, sources) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where {{ key_column }} in (
            {%- for prefix, relation, source_key in sources %}
            select '{{ prefix }}:' || new_rows.{{ source_key }}
            from {{ relation }} as new_rows
            where new_rows._row_status = 'staged' and {{ since_last_run('new_rows._load_batch') }}
            {%- if not loop.last %}
            union all
            {%- endif %}
            {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}


{# run_stamp(): the start of this dbt invocation (UTC) as a timestamp, the _computed_at of the rows
   a run (re)computes. Later runs have later stamps. #}
{% macro run_stamp() -%}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}
