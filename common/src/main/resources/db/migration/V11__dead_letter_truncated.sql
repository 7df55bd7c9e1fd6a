-- A dead letter whose fields did not fit their columns as they arrived (a 300-character message id, a detail longer
-- than 500 characters, a body over 64 KiB) is archived with those fields cut to fit, and flagged here, rather than
-- refused by the database and redelivered forever. The original, whole, is not kept: the flag says that what the row
-- shows is not all that arrived.
ALTER TABLE dead_letter ADD COLUMN truncated boolean NOT NULL DEFAULT false;
