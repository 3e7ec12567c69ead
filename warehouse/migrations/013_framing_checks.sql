-- 013: which framed versions have been judged for framing changes, by which run and when.
-- Versions are framed batch by batch as a pass loads them (in its worker processes); the
-- changes they make are judged once at the end of the pass, with the flags and these rows in
-- one transaction: a version framed by a run cut off before that has no row here, and the
-- next run judges it.
CREATE TABLE IF NOT EXISTS framing_checks (
    version_id  VARCHAR PRIMARY KEY,
    run_id      VARCHAR,
    checked_at  TIMESTAMP NOT NULL
);

-- before 013, framing rows and their flags were written in one transaction: every version
-- framed so far has been judged
INSERT INTO framing_checks
SELECT version_id, min(run_id), now()::TIMESTAMP FROM framing GROUP BY version_id
ON CONFLICT DO NOTHING;
