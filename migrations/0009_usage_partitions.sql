-- CredentialBroker schema, version 9: usage at volume. usage_events is partitioned by month (UTC)
-- so retention drops whole partitions instead of deleting rows, and usage_hourly keeps per-hour
-- roll-ups by credential, purpose and owner so GetUsage over a month reads hundreds of rows, not
-- millions. The roll-ups are maintained by a statement trigger, so every writer of usage events
-- (the gateway's usage writer, the abandoned-reservation sweep) keeps them right in its own transaction.

ALTER TABLE usage_events RENAME TO usage_events_unpartitioned;
CREATE TABLE usage_events (LIKE usage_events_unpartitioned INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (occurred_at);
-- Rows outside every monthly partition land here, so an insert never fails; the partition job
-- moves them into their month when it creates it.
CREATE TABLE usage_events_default PARTITION OF usage_events DEFAULT;

-- Creates the partition of the (UTC) month containing month_start, moving rows of that month out of
-- the default partition first. Returns false when it already existed.
CREATE FUNCTION usage_events_ensure_partition(month_start timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    lo timestamptz := date_trunc('month', month_start, 'UTC');
    hi timestamptz := (date_trunc('month', month_start, 'UTC') AT TIME ZONE 'UTC' + interval '1 month') AT TIME ZONE 'UTC';
    name text := 'usage_events_' || to_char(date_trunc('month', month_start, 'UTC') AT TIME ZONE 'UTC', 'YYYY_MM');
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('credentialbroker.usage_events_partitions'));
    IF to_regclass(name) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE usage_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (occurred_at >= %L AND occurred_at < %L)', name, name || '_range', lo, hi);
    EXECUTE format('WITH moved AS (DELETE FROM usage_events_default WHERE occurred_at >= %L AND occurred_at < %L RETURNING *) INSERT INTO %I SELECT * FROM moved', lo, hi, name);
    EXECUTE format('ALTER TABLE usage_events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
    EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', name, name || '_range');
    RETURN true;
END;
$$;

SELECT usage_events_ensure_partition(m)
FROM generate_series(
    date_trunc('month', least(coalesce((SELECT min(occurred_at) FROM usage_events_unpartitioned), now()), now()), 'UTC'),
    date_trunc('month', now(), 'UTC') + interval '62 days',
    interval '1 month') AS m;

INSERT INTO usage_events OVERRIDING SYSTEM VALUE SELECT * FROM usage_events_unpartitioned;
SELECT setval(pg_get_serial_sequence('usage_events', 'id'), coalesce((SELECT max(id) FROM usage_events), 0) + 1, false);
DROP TABLE usage_events_unpartitioned;

ALTER TABLE usage_events ADD PRIMARY KEY (id, occurred_at);
CREATE INDEX ix_usage_events_credential ON usage_events (credential_id, occurred_at);
CREATE INDEX ix_usage_events_purpose ON usage_events (purpose_id, occurred_at);
CREATE INDEX ix_usage_events_owner ON usage_events (owner_id, occurred_at);
-- Recreated from 0005 (anomaly detection scans recent minutes across all credentials).
CREATE INDEX ix_usage_events_occurred ON usage_events USING brin (occurred_at);

-- Per-hour (UTC) sums of usage_events for each credential, purpose and owner, by model.
CREATE TABLE usage_hourly (
    scope               text        NOT NULL CHECK (scope IN ('credential', 'purpose', 'owner')),
    scope_id            uuid        NOT NULL,
    hour                timestamptz NOT NULL,
    model               text        NOT NULL,
    requests            bigint      NOT NULL,
    failed_requests     bigint      NOT NULL,
    input_tokens        bigint      NOT NULL,
    cached_input_tokens bigint      NOT NULL,
    output_tokens       bigint      NOT NULL,
    cost_micro_usd      bigint      NOT NULL,
    PRIMARY KEY (scope, scope_id, hour, model)
);

-- The roll-up of a set of usage events (new_rows), added to usage_hourly. Rows are locked in key
-- order so concurrent writers cannot deadlock.
CREATE FUNCTION usage_hourly_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO usage_hourly AS h (scope, scope_id, hour, model, requests, failed_requests, input_tokens, cached_input_tokens, output_tokens, cost_micro_usd)
    SELECT s.scope, s.scope_id, date_trunc('hour', e.occurred_at, 'UTC'), e.model,
           count(*), count(*) FILTER (WHERE e.outcome <> 'success'),
           sum(e.input_tokens), sum(e.cached_input_tokens), sum(e.output_tokens), sum(e.cost_micro_usd)
    FROM new_rows e
    CROSS JOIN LATERAL (VALUES ('credential', e.credential_id), ('purpose', e.purpose_id), ('owner', e.owner_id)) AS s (scope, scope_id)
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (scope, scope_id, hour, model) DO UPDATE SET
        requests = h.requests + excluded.requests,
        failed_requests = h.failed_requests + excluded.failed_requests,
        input_tokens = h.input_tokens + excluded.input_tokens,
        cached_input_tokens = h.cached_input_tokens + excluded.cached_input_tokens,
        output_tokens = h.output_tokens + excluded.output_tokens,
        cost_micro_usd = h.cost_micro_usd + excluded.cost_micro_usd;
    RETURN NULL;
END;
$$;

-- Existing usage, rolled up once; from here on the trigger keeps up.
INSERT INTO usage_hourly (scope, scope_id, hour, model, requests, failed_requests, input_tokens, cached_input_tokens, output_tokens, cost_micro_usd)
SELECT s.scope, s.scope_id, date_trunc('hour', e.occurred_at, 'UTC'), e.model,
       count(*), count(*) FILTER (WHERE e.outcome <> 'success'),
       sum(e.input_tokens), sum(e.cached_input_tokens), sum(e.output_tokens), sum(e.cost_micro_usd)
FROM usage_events e
CROSS JOIN LATERAL (VALUES ('credential', e.credential_id), ('purpose', e.purpose_id), ('owner', e.owner_id)) AS s (scope, scope_id)
GROUP BY 1, 2, 3, 4;

CREATE TRIGGER usage_events_roll_up AFTER INSERT ON usage_events
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_hourly_add();
