-- How many of a job's results are storage_error (a mirror body that could not be written), so the job's view can
-- say that its mirror volume is full or failing without counting its results.
ALTER TABLE jobs ADD COLUMN storage_errors integer NOT NULL DEFAULT 0;
