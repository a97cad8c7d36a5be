-- Work that must follow a job's end (its callback, its report) is written here in the same statement that
-- ends the job, and done later by pollers that claim rows with a lease: at least once, even across a crash.
ALTER TABLE jobs ADD COLUMN callback_url text;
CREATE TABLE outbox (
  id         bigserial PRIMARY KEY,
  job_id     uuid        NOT NULL,
  kind       text        NOT NULL CHECK (kind IN ('callback', 'report')),
  attempts   integer     NOT NULL DEFAULT 0,
  next_at    timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  done_at    timestamptz,
  last_error text
);
CREATE INDEX outbox_due ON outbox (kind, next_at) WHERE done_at IS NULL;
