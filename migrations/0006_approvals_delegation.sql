-- CredentialBroker schema, version 6: approval gates for high-risk tools, and delegated
-- (child) credentials.

-- A workload's approval to declare some high-risk tools on calls for one purpose. Pending until a
-- second person with the security role approves or denies it; approved ones stop counting at
-- expires_at. The gateway reads live ones by (workload_id, purpose_id).
CREATE TABLE tool_approvals (
    id                  uuid PRIMARY KEY,
    workload_id         uuid        NOT NULL REFERENCES workloads (id),
    purpose_id          uuid        NOT NULL REFERENCES purposes (id),
    -- Tool names or glob patterns ("shell_*") this approval covers.
    tools               text[]      NOT NULL CHECK (cardinality(tools) > 0),
    justification       text        NOT NULL,
    status              text        NOT NULL CHECK (status IN ('pending', 'approved', 'denied')),
    requested_ttl       interval    NOT NULL,
    requested_by        text        NOT NULL,
    requester_owner_id  uuid        NULL,
    requested_at        timestamptz NOT NULL,
    decided_by          text        NULL,
    decided_by_owner_id uuid        NULL,
    decided_at          timestamptz NULL,
    decision_note       text        NULL,
    expires_at          timestamptz NULL,
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK (status <> 'approved' OR expires_at IS NOT NULL)
);
CREATE INDEX ix_tool_approvals_scope ON tool_approvals (workload_id, purpose_id, status);
CREATE INDEX ix_tool_approvals_requested ON tool_approvals (requested_at DESC, id DESC);

-- Delegation: a child credential points at the credential it was derived from. depth 0 is a
-- credential issued directly; root_id is the depth-0 ancestor (itself for roots: NULL).
ALTER TABLE credentials ADD COLUMN parent_id uuid NULL REFERENCES credentials (id);
ALTER TABLE credentials ADD COLUMN root_id uuid NULL REFERENCES credentials (id);
ALTER TABLE credentials ADD COLUMN depth integer NOT NULL DEFAULT 0 CHECK (depth >= 0);
-- The child's own budgets (Limits JSON, see Gateway/GatewayPolicy.cs), carved out of its parent's.
ALTER TABLE credentials ADD COLUMN limits jsonb NOT NULL DEFAULT '{}';
-- Endpoints the credential may call (a subset of the purpose's); empty: the purpose's allowance.
ALTER TABLE credentials ADD COLUMN endpoints text[] NOT NULL DEFAULT '{}';
ALTER TABLE credentials ADD COLUMN description text NULL;
ALTER TABLE credentials ADD CONSTRAINT ck_credentials_parent CHECK ((parent_id IS NULL) = (depth = 0) AND (parent_id IS NULL) = (root_id IS NULL));
CREATE INDEX ix_credentials_parent ON credentials (parent_id) WHERE parent_id IS NOT NULL;

-- A child's carved-out budget is counted under its own scope, so it never shares a counter row
-- with the purpose's per-credential budget of the same window.
ALTER TABLE budget_counters DROP CONSTRAINT budget_counters_scope_check;
ALTER TABLE budget_counters ADD CONSTRAINT budget_counters_scope_check CHECK (scope IN ('credential', 'delegation', 'purpose', 'owner'));
