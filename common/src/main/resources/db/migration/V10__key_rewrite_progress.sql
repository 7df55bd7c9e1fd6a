-- The re-encryption job's progress (issue 20, point 1): one row, shared by every scheduler, so that a pass survives
-- restarts and several schedulers take its batches in turn (each batch locks this row).
CREATE TABLE key_rewrite_progress (
    id                 smallint     PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    -- the header every value should start with: format and primary key id; another one starts a new pass
    target_header      bytea        NOT NULL,
    -- the last connection id of the pass's last batch
    cursor_id          uuid         NOT NULL,
    pass_started_at    timestamptz  NOT NULL,
    pass_completed_at  timestamptz,
    rewritten          bigint       NOT NULL DEFAULT 0,
    left_for_next_pass bigint       NOT NULL DEFAULT 0,
    undecryptable      bigint       NOT NULL DEFAULT 0,
    -- rows holding a value outside the target header when the last pass completed
    rows_outside       bigint,
    updated_at         timestamptz  NOT NULL
);
