-- A job counts the body bytes of its stored results, as it counts the results: the job view (and a progress display
-- reading it) shows bytes and bytes/s without reading the results back.
ALTER TABLE jobs ADD COLUMN bytes bigint NOT NULL DEFAULT 0;
UPDATE jobs SET bytes = r.bytes FROM (SELECT job_id, sum(bytes) AS bytes FROM results GROUP BY job_id) r
WHERE r.job_id = jobs.id;
