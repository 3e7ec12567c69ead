-- 004: near-duplicate detection: a MinHash signature per article version, and links from a
-- copy to its original.

CREATE TABLE IF NOT EXISTS article_signatures (
    version_id   VARCHAR PRIMARY KEY,
    article_id   VARCHAR NOT NULL,
    run_id       VARCHAR,
    signature    BIGINT[] NOT NULL,
    method       VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS duplicates (
    article_id    VARCHAR PRIMARY KEY,     -- the copy
    duplicate_of  VARCHAR NOT NULL,        -- the earliest article it nearly equals
    similarity    DOUBLE NOT NULL,         -- estimated Jaccard of 5-word shingles
    detected_at   TIMESTAMP NOT NULL,
    method        VARCHAR NOT NULL
);
