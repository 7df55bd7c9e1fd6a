-- Issue 22: one row per connect session (the OAuth2 authorization-code flow the scheduler runs for a host app).
-- Neither the link's secret nor the OAuth2 state is stored, only their SHA-256: a database reader cannot complete a
-- session. The PKCE verifier is encrypted like a token (TokenCipher, bound to this row and column).
-- (Versions 12 and 13 are left to parallel work on issue 21; Flyway allows the gap.)
CREATE TABLE connect_session (
    id                uuid          PRIMARY KEY,
    link_hash         bytea         NOT NULL,
    state_hash        bytea,
    tenant_id         varchar(200)  NOT NULL,
    provider          varchar(64)   NOT NULL,
    -- a reconnect keeps this connection's id; a new connection's id is written here once the session completed
    connection_id     uuid,
    reconnect         boolean       NOT NULL,
    return_url        varchar(2000) NOT NULL,
    scopes            varchar(1000) NOT NULL,
    code_verifier_enc bytea,
    status            varchar(16)   NOT NULL,
    error             varchar(64),
    created_at        timestamptz   NOT NULL,
    expires_at        timestamptz   NOT NULL,
    opened_at         timestamptz,
    finished_at       timestamptz,
    CONSTRAINT connect_session_status_known
        CHECK (status IN ('CREATED', 'OPENED', 'EXCHANGING', 'COMPLETED', 'FAILED')),
    CONSTRAINT connect_session_link_unique UNIQUE (link_hash),
    CONSTRAINT connect_session_state_unique UNIQUE (state_hash)
);

-- The purge of finished and expired sessions.
CREATE INDEX connect_session_expires_idx ON connect_session (expires_at);
