{#
    since_last_run(column='_load_batch')

    In an incremental run, a predicate keeping the rows of load batches this model has not
    processed yet (column > the highest _load_batch already in the model); `true` in a full
    build. Every incremental model carries _load_batch: the latest load batch that changed the
    row, so the next run knows where it stopped (DECISIONLOG.md "Incremental builds").
#}
{% macro since_last_run(column='_load_batch') -%}
    {%- if is_incremental() -%}
        {{ column }} > (select coalesce(max(processed._load_batch), 0) from {{ this }} as processed)
    {%- else -%}
        true
    {%- endif -%}
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
