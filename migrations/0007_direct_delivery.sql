-- Root keys in Vault, and direct delivery: real provider keys minted (OpenAI service accounts) or
-- taken from a pool (Anthropic) per credential, and deleted/disabled upstream when the credential
-- stops working by any route.

-- A provider's root key lives either in root_key_envelope (the broker's encrypted store) or in
-- Vault (root_key_ref = vault:<mount>/<path>#<field>[@<version>]); never both. The admin key for
-- direct delivery follows the same rule.
ALTER TABLE providers
    ADD COLUMN root_key_ref       text NULL,
    ADD COLUMN admin_key_envelope text NULL,
    ADD COLUMN admin_key_ref      text NULL,
    ADD COLUMN project_id         text NULL,
    ADD CONSTRAINT ck_providers_one_root_key CHECK (root_key_envelope IS NULL OR root_key_ref IS NULL),
    ADD CONSTRAINT ck_providers_one_admin_key CHECK (admin_key_envelope IS NULL OR admin_key_ref IS NULL);

ALTER TABLE purposes ADD COLUMN delivery text NOT NULL DEFAULT 'gateway' CHECK (delivery IN ('gateway', 'direct'));

-- Pre-created provider keys (Anthropic) handed out one per credential. A key is assigned at most
-- once: 'disabled' keys are never reassigned.
CREATE TABLE provider_pool_keys (
    id            uuid PRIMARY KEY,
    provider_id   uuid        NOT NULL REFERENCES providers (id),
    upstream_id   text        NOT NULL,
    -- AES-256-GCM envelope of the key (see Providers/RootKeyProtector.cs).
    key_envelope  text        NOT NULL,
    status        text        NOT NULL CHECK (status IN ('available', 'assigned', 'disabled')),
    credential_id uuid        NULL REFERENCES credentials (id),
    added_at      timestamptz NOT NULL,
    assigned_at   timestamptz NULL,
    UNIQUE (provider_id, upstream_id)
);
CREATE INDEX ix_provider_pool_keys_available ON provider_pool_keys (provider_id, added_at) WHERE status = 'available';

-- The upstream side of a directly delivered credential. The key itself is never stored: the
-- credential row holds its SHA-256. 'live' rows of credentials that no longer work are deleted
-- upstream by the cleanup job, with backoff; after Broker:Delivery:MaxDeleteAttempts failures the
-- row becomes 'irrevocable' for security to handle.
CREATE TABLE upstream_keys (
    credential_id   uuid PRIMARY KEY REFERENCES credentials (id),
    provider_id     uuid        NOT NULL REFERENCES providers (id),
    kind            text        NOT NULL CHECK (kind IN ('openai_service_account', 'anthropic_pool_key')),
    upstream_id     text        NOT NULL,
    key_id          text        NULL,
    state           text        NOT NULL CHECK (state IN ('live', 'deleted', 'irrevocable')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text        NULL,
    created_at      timestamptz NOT NULL,
    deleted_at      timestamptz NULL,
    UNIQUE (provider_id, upstream_id)
);
CREATE INDEX ix_upstream_keys_live ON upstream_keys (next_attempt_at) WHERE state = 'live';

-- Upstream accounts/keys the broker did not create or register (found by the reconcile job).
CREATE TABLE shadow_keys (
    provider_id uuid        NOT NULL REFERENCES providers (id),
    upstream_id text        NOT NULL,
    name        text        NOT NULL,
    first_seen  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    PRIMARY KEY (provider_id, upstream_id)
);
