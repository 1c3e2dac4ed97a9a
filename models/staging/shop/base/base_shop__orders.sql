-- Typed, checked copy of raw.shop_orders: one row per raw row (see macros/staging/stage_raw_table.sql).
{{ stage_raw_table('shop', 'shop_orders') }}
