-- The operator's view of the dead-letter queue: the scheduler moves every dead letter here, so that it can be listed,
-- filtered and paged without being consumed, and replayed once.
CREATE TABLE dead_letter (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id      varchar(200),
    reason          varchar(64)  NOT NULL,
    error_code      varchar(64),
    detail          varchar(500),
    provider        varchar(64),
    connection_id   uuid,
    attempts        integer      NOT NULL DEFAULT 0,
    http_status     integer,
    first_failure_at timestamptz,
    last_failure_at timestamptz,
    worker          varchar(128),
    -- the original message body, so a malformed one can be inspected; bounded by the broker's and our size limits
    body            bytea        NOT NULL,
    received_at     timestamptz  NOT NULL,
    replayed_at     timestamptz
);

CREATE INDEX dead_letter_reason_idx ON dead_letter (reason, received_at);
CREATE INDEX dead_letter_connection_idx ON dead_letter (connection_id);
