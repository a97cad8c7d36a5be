-- POST /api/jobs with an Idempotency-Key: the same key and the same request return the first job; the same key
-- with another request is refused. request_sha256 is the digest of the validated job (URLs and options).
ALTER TABLE jobs ADD COLUMN idempotency_key text UNIQUE;
ALTER TABLE jobs ADD COLUMN request_sha256 text;
