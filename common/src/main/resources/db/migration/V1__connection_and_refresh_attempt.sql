-- One row per OAuth2 connection (tenant x provider). Tokens and the realm id are stored only as AES-GCM ciphertexts
-- bound to (row, column); see TokenCipher. PostgreSQL is the truth, RabbitMQ only carries the wake-up call.
CREATE TABLE connection (
    id                   uuid         PRIMARY KEY,
    tenant_id            varchar(200) NOT NULL,
    provider             varchar(64)  NOT NULL,
    realm_id_enc         bytea,
    status               varchar(32)  NOT NULL,
    access_token_enc     bytea        NOT NULL,
    refresh_token_enc    bytea        NOT NULL,
    access_expires_at    timestamptz  NOT NULL,
    refresh_expires_at   timestamptz,
    next_refresh_at      timestamptz,
    -- Incremented with every publish of a new refresh message; a message acts only if it carries the current value.
    refresh_fence        bigint       NOT NULL DEFAULT 0,
    -- Single flight: a worker holds the lease while it calls the provider.
    lease_owner          varchar(128),
    lease_until          timestamptz,
    consecutive_failures integer      NOT NULL DEFAULT 0,
    last_error           varchar(500),
    last_refreshed_at    timestamptz,
    created_at           timestamptz  NOT NULL,
    updated_at           timestamptz  NOT NULL,
    CONSTRAINT connection_status_known CHECK (status IN ('ACTIVE', 'REAUTH_REQUIRED', 'DISCONNECTED')),
    CONSTRAINT connection_tenant_provider_unique UNIQUE (tenant_id, provider)
);

-- The reconciliation sweep looks for ACTIVE connections whose refresh is overdue.
CREATE INDEX connection_due_idx ON connection (next_refresh_at) WHERE status = 'ACTIVE';

-- One row per provider call, successful or not.
CREATE TABLE refresh_attempt (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connection_id uuid         NOT NULL REFERENCES connection (id) ON DELETE CASCADE,
    fence         bigint       NOT NULL,
    attempted_at  timestamptz  NOT NULL,
    outcome       varchar(32)  NOT NULL,
    http_status   integer,
    error_code    varchar(64),
    duration_ms   integer      NOT NULL,
    worker        varchar(128) NOT NULL
);

CREATE INDEX refresh_attempt_connection_idx ON refresh_attempt (connection_id, attempted_at DESC);
