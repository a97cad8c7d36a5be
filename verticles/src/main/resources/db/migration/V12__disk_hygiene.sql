-- A purge first marks the job (it disappears from reads at once), then removes its files, then its rows; a purge
-- interrupted between the steps is found by this mark and finished by the fetcher's start-up sweep or the next purge.
ALTER TABLE jobs ADD COLUMN purging_at timestamptz;
CREATE INDEX jobs_purging ON jobs (purging_at) WHERE purging_at IS NOT NULL;
-- An upload whose file has vanished from the upload dir: its content is answered 410 Gone.
ALTER TABLE uploads ADD COLUMN missing_at timestamptz;
-- Done outbox rows are pruned after outbox.retentionMs, oldest first, in small batches.
CREATE INDEX outbox_done ON outbox (done_at) WHERE done_at IS NOT NULL;
