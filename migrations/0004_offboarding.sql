-- CredentialBroker schema, version 4: offboarding — retired purposes, deregistered workloads,
-- owners synced from a directory, and when each credential was last used (stale credentials).

ALTER TABLE purposes
    ADD COLUMN retired_at        timestamptz NULL,
    ADD COLUMN retirement_reason text        NULL;

ALTER TABLE workloads
    ADD COLUMN deregistered_at       timestamptz NULL,
    ADD COLUMN deregistration_reason text        NULL;

-- directory_managed: the owner came from (or was claimed by) the owner directory, so leaving the
-- directory offboards it; owners made by hand never are. missing_since: first sync that did not
-- list it (cleared when it reappears); it is deactivated once Broker:Governance:OffboardingGrace passed.
ALTER TABLE owners
    ADD COLUMN external_id       text        NULL,
    ADD COLUMN directory_managed boolean     NOT NULL DEFAULT false,
    ADD COLUMN missing_since     timestamptz NULL;

-- Set from gateway metering (one UPDATE per usage batch); NULL until the first metered call.
ALTER TABLE credentials ADD COLUMN last_used_at timestamptz NULL;

-- The stale job's scan: active credentials by the time they were last used (or issued).
CREATE INDEX ix_credentials_active_last_used ON credentials ((coalesce(last_used_at, issued_at))) WHERE status = 'active';
