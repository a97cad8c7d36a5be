-- Jobs, their URL lists and their results. A job is acknowledged only after its row and every URL row commit.
CREATE TABLE jobs (
  id          uuid PRIMARY KEY,
  status      text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'cancelled', 'failed')),
  options     jsonb NOT NULL,
  total       integer NOT NULL CHECK (total > 0),
  completed   integer NOT NULL DEFAULT 0,
  succeeded   integer NOT NULL DEFAULT 0,
  failed      integer NOT NULL DEFAULT 0,
  created_at  timestamptz NOT NULL DEFAULT now(),
  started_at  timestamptz,
  finished_at timestamptz
);

-- Resume on start scans only unfinished jobs.
CREATE INDEX jobs_unfinished ON jobs (created_at) WHERE status IN ('queued', 'running');

CREATE TABLE job_urls (
  job_id uuid    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  seq    integer NOT NULL,
  url    text    NOT NULL,
  PRIMARY KEY (job_id, seq)
);

-- At most one result per URL: the key makes batch writes idempotent (retried batches, resumed jobs).
CREATE TABLE results (
  job_id      uuid     NOT NULL,
  seq         integer  NOT NULL,
  outcome     text     NOT NULL,
  http_status smallint,
  bytes       bigint   NOT NULL,
  sha256      text,
  duration_ms integer  NOT NULL,
  attempts    smallint NOT NULL,
  PRIMARY KEY (job_id, seq),
  FOREIGN KEY (job_id, seq) REFERENCES job_urls (job_id, seq) ON DELETE CASCADE
);
