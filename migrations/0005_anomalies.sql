-- CredentialBroker schema, version 5: anomaly detection — anomaly records, suspended credentials,
-- per-credential narrowed limits, prompt fingerprints on usage events.

-- 'suspended' is reversible (security reinstates it); the gateway refuses a suspended key.
ALTER TABLE credentials DROP CONSTRAINT credentials_status_check;
ALTER TABLE credentials ADD CONSTRAINT credentials_status_check CHECK (status IN ('active', 'expired', 'revoked', 'suspended'));
ALTER TABLE credentials ADD COLUMN suspended_at timestamptz NULL;
-- The anomaly that suspended the credential (no foreign key: anomalies reference credentials).
ALTER TABLE credentials ADD COLUMN suspended_by uuid NULL;
-- Narrowed limits (Limits as JSON, see Gateway/GatewayPolicy.cs): the gateway enforces the lower of
-- these and the purpose's per-credential limits. NULL: the purpose's limits alone.
ALTER TABLE credentials ADD COLUMN narrowed_limits jsonb NULL;
CREATE INDEX ix_credentials_suspended ON credentials (expires_at) WHERE status = 'suspended';

-- SHA-256 prefix (hex) of the request's prompt (messages / input / prompt); never the prompt itself.
ALTER TABLE usage_events ADD COLUMN prompt_fingerprint text NULL;

-- One finding of the anomaly detectors: what was seen (kind, score, evidence) and what was done.
CREATE TABLE anomalies (
    id               uuid PRIMARY KEY,
    credential_id    uuid        NOT NULL REFERENCES credentials (id),
    owner_id         uuid        NOT NULL,
    purpose_id       uuid        NOT NULL,
    kind             text        NOT NULL CHECK (kind IN ('spike', 'ceiling', 'identity_mismatch', 'loop', 'fan_out')),
    -- observed / threshold: 1 is the edge of normal, 10 is ten times over.
    score            double precision NOT NULL,
    -- Non-secret figures that explain the finding (metric, observed, baseline, threshold, identities, ...).
    evidence         jsonb       NOT NULL DEFAULT '{}',
    action           text        NOT NULL CHECK (action IN ('alert', 'narrow', 'suspend', 'revoke')),
    status           text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
    detected_at      timestamptz NOT NULL,
    acknowledged_by  text        NULL,
    acknowledged_at  timestamptz NULL,
    resolved_at      timestamptz NULL,
    note             text        NULL
);
-- One unresolved anomaly per credential and kind: the same incident seen again (next minute, another
-- replica) is not a new anomaly. INSERT ... ON CONFLICT DO NOTHING relies on this index.
CREATE UNIQUE INDEX ux_anomalies_unresolved ON anomalies (credential_id, kind) WHERE status <> 'resolved';
CREATE INDEX ix_anomalies_detected ON anomalies (detected_at DESC, id DESC);
CREATE INDEX ix_anomalies_status ON anomalies (status, detected_at DESC);

-- The detection job finds the credentials used in its recent window by time; usage events arrive
-- in time order, so a BRIN index is small and cheap to maintain on this hot table.
CREATE INDEX ix_usage_events_occurred ON usage_events USING brin (occurred_at);
