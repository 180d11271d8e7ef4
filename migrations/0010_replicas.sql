-- CredentialBroker schema, version 10: the replica registry. Each replica upserts its row every
-- Broker:Replica:HeartbeatInterval (database clock); replicas seen within Broker:Replica:LiveWindow
-- count as live, and each enforces its share (limit / live replicas) of every rate limit.

CREATE TABLE broker_replicas (
    replica_id   text PRIMARY KEY,
    started_at   timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL
);
