-- CredentialBroker schema, version 1.
-- Applied by the server at start-up under an advisory lock, or exported for DBAs with
-- `dotnet run --project src/CredentialBroker.Server -- migrations script`.

CREATE TABLE owners (
    id              uuid PRIMARY KEY,
    name            text        NOT NULL UNIQUE,
    email           text        NOT NULL,
    active          boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL,
    deactivated_at  timestamptz NULL
);

CREATE TABLE workloads (
    id          uuid PRIMARY KEY,
    identity    text        NOT NULL UNIQUE,
    owner_id    uuid        NOT NULL REFERENCES owners (id),
    description text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL
);
CREATE INDEX ix_workloads_owner ON workloads (owner_id);

CREATE TABLE providers (
    id                uuid PRIMARY KEY,
    name              text        NOT NULL UNIQUE,
    kind              text        NOT NULL CHECK (kind IN ('openai', 'anthropic', 'openai_compatible', 'azure_openai')),
    base_url          text        NOT NULL,
    -- AES-256-GCM envelope (see Providers/RootKeyProtector.cs); never the plaintext key.
    root_key_envelope text        NULL,
    created_at        timestamptz NOT NULL
);

CREATE TABLE purposes (
    id                uuid PRIMARY KEY,
    name              text        NOT NULL UNIQUE,
    description       text        NOT NULL,
    owner_id          uuid        NOT NULL REFERENCES owners (id),
    risk_tier         text        NOT NULL CHECK (risk_tier IN ('sandbox', 'internal', 'customer_facing')),
    default_ttl       interval    NOT NULL,
    max_ttl           interval    NOT NULL,
    max_lifetime      interval    NOT NULL,
    allowed_providers text[]      NOT NULL,
    allowed_models    text[]      NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CHECK (default_ttl > interval '0' AND default_ttl <= max_ttl AND max_ttl <= max_lifetime)
);

CREATE TABLE grants (
    id          uuid PRIMARY KEY,
    workload_id uuid        NOT NULL REFERENCES workloads (id),
    purpose_id  uuid        NOT NULL REFERENCES purposes (id),
    created_at  timestamptz NOT NULL,
    UNIQUE (workload_id, purpose_id)
);

-- One row per mass revocation: "every credential matching the selector issued before
-- effective_at is revoked". Enforcement reads these rows; credential rows are marked later.
CREATE TABLE revocation_watermarks (
    id                   uuid PRIMARY KEY,
    owner_id             uuid        NULL,
    purpose_id           uuid        NULL,
    provider_name        text        NULL,
    workload_id          uuid        NULL,
    issued_before        timestamptz NULL,
    labels               jsonb       NULL,
    effective_at         timestamptz NOT NULL,
    reason               text        NOT NULL,
    actor                text        NOT NULL,
    matched_count        bigint      NOT NULL,
    marked_count         bigint      NOT NULL DEFAULT 0,
    marking_completed_at timestamptz NULL
);
CREATE INDEX ix_revocation_watermarks_effective ON revocation_watermarks (effective_at);
CREATE INDEX ix_revocation_watermarks_pending ON revocation_watermarks (effective_at) WHERE marking_completed_at IS NULL;

CREATE TABLE credentials (
    id                uuid PRIMARY KEY,
    prefix            text        NOT NULL,
    -- SHA-256 of the secret; the secret itself is never stored.
    secret_hash       bytea       NOT NULL UNIQUE,
    owner_id          uuid        NOT NULL REFERENCES owners (id),
    purpose_id        uuid        NOT NULL REFERENCES purposes (id),
    workload_id       uuid        NOT NULL REFERENCES workloads (id),
    provider_id       uuid        NOT NULL REFERENCES providers (id),
    provider_name     text        NOT NULL,
    models            text[]      NOT NULL,
    labels            jsonb       NOT NULL DEFAULT '{}',
    status            text        NOT NULL CHECK (status IN ('active', 'expired', 'revoked')),
    issued_at         timestamptz NOT NULL,
    expires_at        timestamptz NOT NULL,
    max_expires_at    timestamptz NOT NULL,
    renewed_at        timestamptz NULL,
    revoked_at        timestamptz NULL,
    revocation_reason text        NULL,
    revocation_id     uuid        NULL REFERENCES revocation_watermarks (id),
    CHECK (expires_at <= max_expires_at)
);
CREATE INDEX ix_credentials_issued ON credentials (issued_at DESC, id DESC);
CREATE INDEX ix_credentials_owner ON credentials (owner_id, issued_at DESC);
CREATE INDEX ix_credentials_purpose ON credentials (purpose_id, issued_at DESC);
CREATE INDEX ix_credentials_workload ON credentials (workload_id, issued_at DESC);
CREATE INDEX ix_credentials_active_expiry ON credentials (expires_at) WHERE status = 'active';
CREATE INDEX ix_credentials_labels ON credentials USING gin (labels jsonb_path_ops);

-- The one definition of "this mass revocation covers this credential" (issued at or before the
-- revocation: a tie revokes, the safe side), used by enforcement
-- (credential_watermark), by counting and by the background marker. A plain SQL expression so
-- the planner inlines it into the queries that call it.
CREATE FUNCTION watermark_covers(
    w revocation_watermarks, c_owner_id uuid, c_purpose_id uuid, c_provider_name text, c_workload_id uuid,
    c_issued_at timestamptz, c_labels jsonb)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT c_issued_at <= w.effective_at
       AND (w.issued_before IS NULL OR c_issued_at < w.issued_before)
       AND (w.owner_id IS NULL OR c_owner_id = w.owner_id)
       AND (w.purpose_id IS NULL OR c_purpose_id = w.purpose_id)
       AND (w.provider_name IS NULL OR c_provider_name = w.provider_name)
       AND (w.workload_id IS NULL OR c_workload_id = w.workload_id)
       AND (w.labels IS NULL OR c_labels @> w.labels)
$$;

-- The earliest mass revocation that covers a credential, or NULL. Takes the credential's columns
-- so EF Core can call it (see Revocation/WatermarkFunctions.cs).
CREATE FUNCTION credential_watermark(
    c_owner_id uuid, c_purpose_id uuid, c_provider_name text, c_workload_id uuid, c_issued_at timestamptz, c_labels jsonb)
RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT w.id FROM revocation_watermarks w
    WHERE watermark_covers(w, c_owner_id, c_purpose_id, c_provider_name, c_workload_id, c_issued_at, c_labels)
    ORDER BY w.effective_at, w.id
    LIMIT 1
$$;

CREATE TABLE access_tokens (
    id          uuid PRIMARY KEY,
    token_hash  bytea       NOT NULL UNIQUE,
    prefix      text        NOT NULL,
    role        text        NOT NULL CHECK (role IN ('workload', 'owner', 'security', 'admin')),
    owner_id    uuid        NULL REFERENCES owners (id),
    workload_id uuid        NULL REFERENCES workloads (id),
    description text        NOT NULL DEFAULT '',
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz NULL,
    CHECK ((role = 'workload') = (workload_id IS NOT NULL)),
    CHECK (role <> 'owner' OR owner_id IS NOT NULL)
);

-- Append-only audit log. Rows are inserted unsealed (seq NULL) inside the transaction of the
-- change they describe; the sealer later assigns seq and the hash chain in commit order.
CREATE TABLE audit_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tx_id       xid8        NOT NULL DEFAULT pg_current_xact_id(),
    occurred_at timestamptz NOT NULL,
    actor       text        NOT NULL,
    actor_role  text        NULL,
    action      text        NOT NULL,
    target_type text        NOT NULL,
    target_id   text        NULL,
    reason      text        NULL,
    outcome     text        NOT NULL CHECK (outcome IN ('success', 'denied')),
    metadata    jsonb       NOT NULL DEFAULT '{}',
    seq         bigint      NULL UNIQUE,
    prev_hash   bytea       NULL,
    hash        bytea       NULL
);
CREATE INDEX ix_audit_events_unsealed ON audit_events (id) WHERE seq IS NULL;
CREATE INDEX ix_audit_events_target ON audit_events (target_id, id DESC);
CREATE INDEX ix_audit_events_occurred ON audit_events (occurred_at DESC, id DESC);

-- The database refuses deletes and any change to an event's content; only sealing an unsealed
-- row is allowed. Someone with the power to drop this trigger can still edit rows: the hash
-- chain is what makes that visible.
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
        RAISE EXCEPTION 'audit_events is append-only: % refused', lower(TG_OP);
    END IF;
    IF OLD.seq IS NOT NULL
       OR (NEW.id, NEW.tx_id, NEW.occurred_at, NEW.actor, NEW.actor_role, NEW.action, NEW.target_type,
           NEW.target_id, NEW.reason, NEW.outcome, NEW.metadata)
          IS DISTINCT FROM
          (OLD.id, OLD.tx_id, OLD.occurred_at, OLD.actor, OLD.actor_role, OLD.action, OLD.target_type,
           OLD.target_id, OLD.reason, OLD.outcome, OLD.metadata) THEN
        RAISE EXCEPTION 'audit_events is append-only: only sealing an unsealed event is allowed';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_events_append_only
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
