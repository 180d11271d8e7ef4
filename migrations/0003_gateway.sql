-- CredentialBroker schema, version 3: the gateway — policies, prices, budgets with reservations,
-- usage events.

ALTER TABLE owners ADD COLUMN limits jsonb NOT NULL DEFAULT '{}';
-- GatewayPolicy as JSON (see Gateway/GatewayPolicy.cs).
ALTER TABLE purposes ADD COLUMN gateway jsonb NOT NULL DEFAULT '{}';
-- Price table as JSON (see Gateway/ModelPrice.cs).
ALTER TABLE providers ADD COLUMN prices jsonb NOT NULL DEFAULT '[]';

-- One row per budget scope and window: what has been spent and what calls in flight hold.
-- max_* and alert_percent are copied from the policy at every reservation so the row explains itself.
CREATE TABLE budget_counters (
    scope              text        NOT NULL CHECK (scope IN ('credential', 'purpose', 'owner')),
    scope_id           uuid        NOT NULL,
    time_window        text        NOT NULL CHECK (time_window IN ('day', 'month', 'lifetime')),
    window_start       timestamptz NOT NULL,
    max_micro_usd      bigint      NOT NULL DEFAULT 0,
    max_tokens         bigint      NOT NULL DEFAULT 0,
    alert_percent      integer     NOT NULL DEFAULT 0,
    spent_micro_usd    bigint      NOT NULL DEFAULT 0,
    reserved_micro_usd bigint      NOT NULL DEFAULT 0 CHECK (reserved_micro_usd >= 0),
    spent_tokens       bigint      NOT NULL DEFAULT 0,
    reserved_tokens    bigint      NOT NULL DEFAULT 0 CHECK (reserved_tokens >= 0),
    alerted_at         timestamptz NULL,
    PRIMARY KEY (scope, scope_id, time_window, window_start)
);

-- A call in flight: the worst case it holds on each counter until it is settled.
CREATE TABLE budget_reservations (
    id              uuid PRIMARY KEY,
    credential_id   uuid        NOT NULL,
    scopes          text[]      NOT NULL,
    scope_ids       uuid[]      NOT NULL,
    time_windows    text[]      NOT NULL,
    window_starts   timestamptz[] NOT NULL,
    micro_usd       bigint      NOT NULL,
    tokens          bigint      NOT NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX ix_budget_reservations_created ON budget_reservations (created_at);

-- Reserves the worst case of a batch of calls, each on all of its counters, all or nothing per
-- call, in order: the calls of one batch share one transaction and one commit (group commit), so
-- calls on the same budget do not queue behind each other's disk flushes. Counters are locked in
-- key order, so concurrent batches and settlements never deadlock, and a counter only grows while
-- spent + reserved + the call's amount stays within its ceiling (0 = none): no overshoot.
-- Counters are given once (p_scopes .. p_alert_percent); call i uses the counters whose 1-based
-- indexes are p_counter_list[p_offsets[i] .. p_offsets[i + 1] - 1].
-- Returns one row per call: failed = 0 when reserved, else the index of the first counter without
-- room, with what that counter already held.
CREATE FUNCTION budget_reserve_batch(
    p_scopes text[], p_scope_ids uuid[], p_windows text[], p_starts timestamptz[],
    p_max_usd bigint[], p_max_tokens bigint[], p_alert_percent integer[],
    p_ids uuid[], p_credential_ids uuid[], p_micro_usd bigint[], p_tokens bigint[], p_offsets integer[], p_counter_list integer[],
    p_now timestamptz)
RETURNS TABLE (call_index integer, failed integer, used_micro_usd bigint, used_tokens bigint)
LANGUAGE plpgsql AS $$
DECLARE
    n_counters integer := coalesce(array_length(p_scopes, 1), 0);
    used_usd bigint[];
    used_tok bigint[];
    add_usd bigint[] := array_fill(0::bigint, ARRAY[n_counters]);
    add_tok bigint[] := array_fill(0::bigint, ARRAY[n_counters]);
    i integer;
    j integer;
    ci integer;
    first_failed integer;
BEGIN
    INSERT INTO budget_counters (scope, scope_id, time_window, window_start)
    SELECT * FROM unnest(p_scopes, p_scope_ids, p_windows, p_starts)
    ON CONFLICT DO NOTHING;

    PERFORM 1 FROM budget_counters b
    JOIN unnest(p_scopes, p_scope_ids, p_windows, p_starts) AS k(scope, scope_id, time_window, window_start)
      ON (b.scope, b.scope_id, b.time_window, b.window_start) = (k.scope, k.scope_id, k.time_window, k.window_start)
    ORDER BY b.scope, b.scope_id, b.time_window, b.window_start
    FOR UPDATE OF b;

    SELECT array_agg(b.spent_micro_usd + b.reserved_micro_usd ORDER BY k.ord), array_agg(b.spent_tokens + b.reserved_tokens ORDER BY k.ord)
    INTO used_usd, used_tok
    FROM unnest(p_scopes, p_scope_ids, p_windows, p_starts) WITH ORDINALITY AS k(scope, scope_id, time_window, window_start, ord)
    JOIN budget_counters b
      ON (b.scope, b.scope_id, b.time_window, b.window_start) = (k.scope, k.scope_id, k.time_window, k.window_start);

    FOR i IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
        first_failed := 0;
        FOR j IN p_offsets[i] .. p_offsets[i + 1] - 1 LOOP
            ci := p_counter_list[j];
            IF (p_max_usd[ci] > 0 AND used_usd[ci] + p_micro_usd[i] > p_max_usd[ci])
               OR (p_max_tokens[ci] > 0 AND used_tok[ci] + p_tokens[i] > p_max_tokens[ci]) THEN
                first_failed := ci;
                EXIT;
            END IF;
        END LOOP;

        call_index := i;
        IF first_failed > 0 THEN
            failed := first_failed;
            used_micro_usd := used_usd[first_failed];
            used_tokens := used_tok[first_failed];
        ELSE
            FOR j IN p_offsets[i] .. p_offsets[i + 1] - 1 LOOP
                ci := p_counter_list[j];
                used_usd[ci] := used_usd[ci] + p_micro_usd[i];
                used_tok[ci] := used_tok[ci] + p_tokens[i];
                add_usd[ci] := add_usd[ci] + p_micro_usd[i];
                add_tok[ci] := add_tok[ci] + p_tokens[i];
            END LOOP;

            INSERT INTO budget_reservations (id, credential_id, scopes, scope_ids, time_windows, window_starts, micro_usd, tokens, created_at)
            SELECT p_ids[i], p_credential_ids[i], array_agg(p_scopes[x.c] ORDER BY x.o), array_agg(p_scope_ids[x.c] ORDER BY x.o),
                   array_agg(p_windows[x.c] ORDER BY x.o), array_agg(p_starts[x.c] ORDER BY x.o), p_micro_usd[i], p_tokens[i], p_now
            FROM unnest(p_counter_list[p_offsets[i] : p_offsets[i + 1] - 1]) WITH ORDINALITY AS x(c, o);

            failed := 0;
            used_micro_usd := 0;
            used_tokens := 0;
        END IF;

        RETURN NEXT;
    END LOOP;

    UPDATE budget_counters b
    SET reserved_micro_usd = b.reserved_micro_usd + k.add_usd,
        reserved_tokens = b.reserved_tokens + k.add_tok,
        max_micro_usd = k.max_usd,
        max_tokens = k.max_tokens,
        alert_percent = k.alert_percent
    FROM unnest(p_scopes, p_scope_ids, p_windows, p_starts, p_max_usd, p_max_tokens, p_alert_percent, add_usd, add_tok)
         AS k(scope, scope_id, time_window, window_start, max_usd, max_tokens, alert_percent, add_usd, add_tok)
    WHERE (b.scope, b.scope_id, b.time_window, b.window_start) = (k.scope, k.scope_id, k.time_window, k.window_start);
END;
$$;

-- Settles reservations to what the calls actually cost: releases each reservation's hold and adds
-- the actual amount to spent, on every counter it held. A reservation settles once (its row is
-- deleted); unknown ids are ignored. Returns the counters that crossed their alert threshold now.
CREATE FUNCTION budget_settle(p_ids uuid[], p_micro_usd bigint[], p_tokens bigint[], p_now timestamptz)
RETURNS TABLE (scope text, scope_id uuid, time_window text, window_start timestamptz,
               spent_micro_usd bigint, max_micro_usd bigint, spent_tokens bigint, max_tokens bigint, alert_percent integer)
LANGUAGE plpgsql AS $$
DECLARE
    k_scopes text[]; k_ids uuid[]; k_windows text[]; k_starts timestamptz[];
    r_usd bigint[]; r_tokens bigint[]; a_usd bigint[]; a_tokens bigint[];
BEGIN
    WITH settled AS (
        DELETE FROM budget_reservations r
        USING unnest(p_ids, p_micro_usd, p_tokens) AS u(id, micro_usd, tokens)
        WHERE r.id = u.id
        RETURNING r.scopes, r.scope_ids, r.time_windows, r.window_starts, r.micro_usd AS reserved_usd, r.tokens AS reserved_tokens,
                  u.micro_usd AS actual_usd, u.tokens AS actual_tokens),
    per_counter AS (
        SELECT k.scope, k.scope_id, k.time_window, k.window_start,
               sum(s.reserved_usd)::bigint AS reserved_usd, sum(s.reserved_tokens)::bigint AS reserved_tokens,
               sum(s.actual_usd)::bigint AS actual_usd, sum(s.actual_tokens)::bigint AS actual_tokens
        FROM settled s, unnest(s.scopes, s.scope_ids, s.time_windows, s.window_starts) AS k(scope, scope_id, time_window, window_start)
        GROUP BY k.scope, k.scope_id, k.time_window, k.window_start)
    SELECT array_agg(c.scope ORDER BY c.scope, c.scope_id, c.time_window, c.window_start),
           array_agg(c.scope_id ORDER BY c.scope, c.scope_id, c.time_window, c.window_start),
           array_agg(c.time_window ORDER BY c.scope, c.scope_id, c.time_window, c.window_start),
           array_agg(c.window_start ORDER BY c.scope, c.scope_id, c.time_window, c.window_start),
           array_agg(c.reserved_usd ORDER BY c.scope, c.scope_id, c.time_window, c.window_start),
           array_agg(c.reserved_tokens ORDER BY c.scope, c.scope_id, c.time_window, c.window_start),
           array_agg(c.actual_usd ORDER BY c.scope, c.scope_id, c.time_window, c.window_start),
           array_agg(c.actual_tokens ORDER BY c.scope, c.scope_id, c.time_window, c.window_start)
    INTO k_scopes, k_ids, k_windows, k_starts, r_usd, r_tokens, a_usd, a_tokens
    FROM per_counter c;

    IF k_scopes IS NULL THEN
        RETURN;
    END IF;

    PERFORM 1 FROM budget_counters b
    JOIN unnest(k_scopes, k_ids, k_windows, k_starts) AS k(scope, scope_id, time_window, window_start)
      ON (b.scope, b.scope_id, b.time_window, b.window_start) = (k.scope, k.scope_id, k.time_window, k.window_start)
    ORDER BY b.scope, b.scope_id, b.time_window, b.window_start
    FOR UPDATE OF b;

    RETURN QUERY
    UPDATE budget_counters b
    SET reserved_micro_usd = b.reserved_micro_usd - t.reserved_usd,
        reserved_tokens = b.reserved_tokens - t.reserved_tokens,
        spent_micro_usd = b.spent_micro_usd + t.actual_usd,
        spent_tokens = b.spent_tokens + t.actual_tokens,
        alerted_at = CASE WHEN b.alerted_at IS NULL AND b.alert_percent > 0 AND (
                              (b.max_micro_usd > 0 AND (b.spent_micro_usd + t.actual_usd) * 100 >= b.max_micro_usd * b.alert_percent)
                           OR (b.max_tokens > 0 AND (b.spent_tokens + t.actual_tokens) * 100 >= b.max_tokens * b.alert_percent))
                          THEN p_now ELSE b.alerted_at END
    FROM unnest(k_scopes, k_ids, k_windows, k_starts, r_usd, r_tokens, a_usd, a_tokens)
         AS t(scope, scope_id, time_window, window_start, reserved_usd, reserved_tokens, actual_usd, actual_tokens)
    JOIN budget_counters o  -- the row before this update
      ON (o.scope, o.scope_id, o.time_window, o.window_start) = (t.scope, t.scope_id, t.time_window, t.window_start)
    WHERE (b.scope, b.scope_id, b.time_window, b.window_start) = (t.scope, t.scope_id, t.time_window, t.window_start)
    RETURNING b.scope, b.scope_id, b.time_window, b.window_start, b.spent_micro_usd, b.max_micro_usd, b.spent_tokens, b.max_tokens,
              CASE WHEN o.alerted_at IS NULL AND b.alerted_at IS NOT NULL THEN b.alert_percent ELSE 0 END;
END;
$$;

-- One metered provider call.
CREATE TABLE usage_events (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at         timestamptz NOT NULL,
    credential_id       uuid        NOT NULL,
    owner_id            uuid        NOT NULL,
    purpose_id          uuid        NOT NULL,
    workload_id         uuid        NOT NULL,
    provider_name       text        NOT NULL,
    endpoint            text        NOT NULL,
    model               text        NOT NULL,
    status_code         integer     NOT NULL,
    -- success | upstream_error | upstream_unreachable | client_disconnected
    outcome             text        NOT NULL,
    streamed            boolean     NOT NULL,
    input_tokens        bigint      NOT NULL,
    cached_input_tokens bigint      NOT NULL,
    output_tokens       bigint      NOT NULL,
    cost_micro_usd      bigint      NOT NULL,
    -- reported (by the provider) | estimated (stream cut short) | none (nothing billed)
    usage_source        text        NOT NULL,
    latency_ms          integer     NOT NULL,
    caller_identity     text        NULL,
    call_depth          integer     NOT NULL,
    reservation_id      uuid        NULL
);
CREATE INDEX ix_usage_events_credential ON usage_events (credential_id, occurred_at);
CREATE INDEX ix_usage_events_purpose ON usage_events (purpose_id, occurred_at);
CREATE INDEX ix_usage_events_owner ON usage_events (owner_id, occurred_at);
