-- Issued tokens that could not be stored while PostgreSQL was down wait on RabbitMQ ({prefix}.issued) until a drain
-- applies them. A lease that expired without an outcome may hide such tokens, so a claim takes it over only once a
-- drain has found the installation's hand-off queue empty after the lease ended: drained_at is when the last such
-- drain began. One row per installation (its messaging prefix); no row yet means no drain has run: no takeover.
CREATE TABLE handoff_watermark (
    installation text PRIMARY KEY,
    drained_at   timestamptz NOT NULL
);
