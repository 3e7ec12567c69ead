-- 009: near-duplicate checks recorded per version, so that linking resumes after a crash
-- (a version loaded by a cut-off run is checked by the next one); digest deliveries
-- recorded per recipient.

CREATE TABLE IF NOT EXISTS duplicate_checks (
    version_id   VARCHAR PRIMARY KEY,     -- the signature's version, compared with all others
    run_id       VARCHAR,                 -- the run that compared it
    checked_at   TIMESTAMP NOT NULL
);

-- Signatures made by completed runs were checked by those runs (linking is part of a pass).
INSERT INTO duplicate_checks
SELECT s.version_id, s.run_id, coalesce(r.finished_at, r.started_at)
FROM article_signatures s JOIN runs r USING (run_id)
WHERE r.status = 'completed'
ON CONFLICT DO NOTHING;

-- Digest deliveries per recipient: a server that refuses one recipient has still taken the
-- message for the others, who must not get it again. NULL: a row from before 009, meaning
-- every recipient of the digest.
ALTER TABLE digest_deliveries ADD COLUMN IF NOT EXISTS recipient VARCHAR;
