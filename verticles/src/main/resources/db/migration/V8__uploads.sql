-- Uploaded files live under <dataDir>/uploads/<id>; a row is written only once its file is complete and renamed.
CREATE TABLE uploads (
  id           uuid        PRIMARY KEY,
  bytes        bigint      NOT NULL CHECK (bytes >= 0),
  sha256       text        NOT NULL,
  content_type text        NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
