-- GET /api/jobs pages newest first with a (created_at, id) cursor.
CREATE INDEX jobs_newest_first ON jobs (created_at DESC, id DESC);
