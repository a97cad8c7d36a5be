-- Foreign keys are checked row by row (a trigger per inserted row): on 12,000-row URL lists and result batches
-- they cost more than the inserts. Rows are only written by JobStore, which inserts URLs in the job's own
-- transaction and results only for existing (job, seq) pairs; whatever deletes a job must delete its rows too.
ALTER TABLE job_urls DROP CONSTRAINT job_urls_job_id_fkey;
ALTER TABLE results DROP CONSTRAINT results_job_id_seq_fkey;
