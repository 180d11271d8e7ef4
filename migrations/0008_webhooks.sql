-- CredentialBroker schema, version 8: webhooks. Notifications are driven by the sealed audit log:
-- every webhook has a cursor (the last audit seq it has dealt with), so nothing that was audited
-- is lost across restarts and no feature has to remember to notify.

CREATE TABLE webhook_cursors (
    name       text PRIMARY KEY,
    last_seq   bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);

-- Events a webhook could not deliver after its last attempt. The cursor moved past them so one
-- broken receiver cannot hold back later alerts; they stay here (and in the audit log) for review.
CREATE TABLE webhook_dead_letters (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook    text        NOT NULL,
    seq        bigint      NOT NULL,
    action     text        NOT NULL,
    attempts   integer     NOT NULL,
    last_error text        NOT NULL,
    failed_at  timestamptz NOT NULL,
    UNIQUE (webhook, seq)
);
