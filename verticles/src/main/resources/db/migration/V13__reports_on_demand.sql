-- Reports are built when first downloaded, no longer queued when a job ends: report tasks still due are settled
-- (the first download of such a job's report builds it).
UPDATE outbox SET done_at = now(), last_error = 'reports are built on first download'
WHERE kind = 'report' AND done_at IS NULL;

-- A callback's outcome outlives its outbox task, which is pruned after outbox.retentionMs: the job view reads it
-- from here once the task is gone.
ALTER TABLE jobs ADD COLUMN callback_attempts integer;
ALTER TABLE jobs ADD COLUMN callback_done_at timestamptz;
ALTER TABLE jobs ADD COLUMN callback_error text;
