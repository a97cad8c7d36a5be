-- Mirror jobs keep each body in a file under the data dir; decoded says whether bytes/sha256 measured the
-- decoded (gzip/deflate) body instead of the bytes on the wire.
ALTER TABLE results ADD COLUMN decoded boolean NOT NULL DEFAULT false;
ALTER TABLE results ADD COLUMN path text;
