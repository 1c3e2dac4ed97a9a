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
