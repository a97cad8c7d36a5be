-- One job runs on every fetch node that joins it. Its URLs are split into chunks (ranges of seq) that fetch nodes
-- lease one at a time and mark done once every URL of the chunk has a stored result; a chunk whose lease lapses
-- (its node died) is free for any node. Chunk bounds are stored, so the chunk size may change for new jobs.
CREATE TABLE job_chunks (
  job_id uuid NOT NULL,
  chunk integer NOT NULL,
  first_seq integer NOT NULL,
  last_seq integer NOT NULL,
  done boolean NOT NULL DEFAULT false,
  lease_owner text,
  lease_until timestamptz,
  PRIMARY KEY (job_id, chunk)
);
-- The chunks still to fetch, for the sweep and for leasing.
CREATE INDEX job_chunks_open ON job_chunks (job_id, chunk) WHERE NOT done;

-- The fetch nodes working on a job, each with its share of the job's concurrency and perHost limits: the store
-- hands out shares so that the live workers' grants never add up to more than the job's limits.
CREATE TABLE job_workers (
  job_id uuid NOT NULL,
  owner text NOT NULL,
  node text NOT NULL,
  joined_at timestamptz NOT NULL DEFAULT now(),
  renewed_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz NOT NULL,
  concurrency integer NOT NULL,
  per_host integer NOT NULL,
  PRIMARY KEY (job_id, owner)
);

-- Jobs left unfinished by the release before chunks get theirs (500 URLs each, as new jobs).
INSERT INTO job_chunks (job_id, chunk, first_seq, last_seq)
SELECT j.id, g, g * 500, least(g * 500 + 500, j.total) - 1
FROM jobs j, generate_series(0, (j.total - 1) / 500) g
WHERE j.status IN ('queued', 'running') AND j.total > 0;

-- The job-wide lease is replaced by chunk leases and worker rows.
ALTER TABLE jobs DROP COLUMN lease_owner, DROP COLUMN lease_until;
