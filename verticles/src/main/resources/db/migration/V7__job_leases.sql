-- One fetcher runs a job at a time, also with several fetch nodes: the fetcher that starts or sweeps up a job holds
-- a lease on it, renewed by each of its sweeps. A job whose lease has run out (its fetcher died) is free for any
-- fetcher's next sweep; a fetcher that stops gracefully releases its leases at once.
ALTER TABLE jobs ADD COLUMN lease_owner text, ADD COLUMN lease_until timestamptz;
