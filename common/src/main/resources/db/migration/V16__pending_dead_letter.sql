-- Dead letters of state changes (a chain ended, a connection parked) kept in the transaction of the change, until the
-- broker confirmed them: a letter whose publish failed after the change committed was lost, and with it the operator's
-- way to find and replay the connection. Workers and the scheduler delete their row once the broker confirmed; the
-- scheduler's relay (PendingLetterRelay) publishes what is left after a grace period.
CREATE TABLE pending_dead_letter (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id       varchar(200),
    reason           varchar(64)  NOT NULL,
    error_code       text,
    detail           text,
    provider         varchar(64),
    connection_id    uuid         NOT NULL,
    attempts         integer      NOT NULL,
    http_status      integer,
    first_failure_at timestamptz,
    last_failure_at  timestamptz  NOT NULL,
    worker           text,
    body             bytea        NOT NULL,
    created_at       timestamptz  NOT NULL DEFAULT statement_timestamp()
);

-- The archive skips a letter it holds already (the relay's copy of a letter whose sender died after the confirm).
CREATE INDEX dead_letter_message_idx ON dead_letter (message_id);
