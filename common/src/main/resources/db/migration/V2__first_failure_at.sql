-- When the current run of failures began; dead letters report it, a success clears it.
ALTER TABLE connection ADD COLUMN first_failure_at timestamptz;
