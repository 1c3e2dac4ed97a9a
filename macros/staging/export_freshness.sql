-- Queries of `dbt source freshness` (the sources' loaded_at_query): how old an export is.
-- An export is stale when its newest row is older than var stale_export_days (a warning of
-- run_warehouse.py, never a failure; docs/architecture.md "Docs, exposures and freshness").

{% macro newest_exported_at(relation, timestamp_column) -%}
    -- the newest row of the export's latest delivery (its newest load batch), by its own
    -- business timestamp (raw text, parsed as staging does); a row dated after now + var
    -- plausible_days_after_load is quarantined by staging and must not make a stale export
    -- look fresh. The latest delivery only: an --append parses its day, not the whole history.
    select max(exported_at) as newest_exported_at
    from (
        select {{ parse_timestamp(timestamp_column) }} as exported_at
        from {{ relation }}
        where _load_batch = (select max(_load_batch) from {{ relation }})
    ) as exported
    where exported_at <= {{ add_days(dbt.current_timestamp(), var('plausible_days_after_load')) }}
{%- endmacro %}

{% macro newest_delivery_at(relation) -%}
    -- for an export without an event time of its own (the agent roster): the start of the
    -- newest load batch that landed rows of it (raw._load_batches)
    select max(loaded_at) as newest_delivery_at
    from {{ source('loader', '_load_batches') }}
    where table_name = '{{ relation.identifier }}' and landed_rows > 0
{%- endmacro %}
