-- 012: what a pass needs of history is looked up, not read whole (issue 15).
--
-- claim_keys: a sequential key per stored claim vector, assigned with the vector (in the
-- same transaction). The claim index beside the warehouse (`<warehouse>.claim-index/`)
-- holds the vectors under these keys; keys 1..max(claim_key) are what it must hold, so a
-- missing or stale index is completed (or rebuilt) from claim_vectors.
CREATE TABLE IF NOT EXISTS claim_keys (
    claim_key   BIGINT PRIMARY KEY,
    claim_id    VARCHAR NOT NULL
);

-- Vectors stored before 012 get keys in the order they were stored.
INSERT INTO claim_keys
SELECT (SELECT coalesce(max(claim_key), 0) FROM claim_keys)
       + row_number() OVER (ORDER BY cv.created_at, cv.claim_id), cv.claim_id
FROM claim_vectors cv
WHERE NOT EXISTS (SELECT 1 FROM claim_keys k WHERE k.claim_id = cv.claim_id);

-- signature_bands: the MinHash bands of each article signature (16 bands of 4 values per
-- version), so that near-duplicate candidates are found by a join on bands. Written with the
-- version's near-duplicate check; signatures from before 012 are banded here.
CREATE TABLE IF NOT EXISTS signature_bands (
    version_id  VARCHAR NOT NULL,
    article_id  VARCHAR NOT NULL,
    band_no     INTEGER NOT NULL,
    band        BIGINT[] NOT NULL,      -- the signature's values band_no*4 .. band_no*4+3
    PRIMARY KEY (version_id, band_no)
);

INSERT INTO signature_bands
SELECT s.version_id, s.article_id, b.band_no, s.signature[b.band_no * 4 + 1 : b.band_no * 4 + 4]
FROM article_signatures s, (SELECT range::INTEGER AS band_no FROM range(16)) b
WHERE NOT EXISTS (SELECT 1 FROM signature_bands x WHERE x.version_id = s.version_id);
