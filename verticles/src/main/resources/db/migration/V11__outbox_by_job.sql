-- A job's view shows its callback's delivery state from the job's outbox task, and purging a job deletes its tasks:
-- both find them by job rather than by scanning the outbox.
CREATE INDEX outbox_job ON outbox (job_id, kind);
