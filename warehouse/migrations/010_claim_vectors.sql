-- 010: claim matching v2 compares claims by meaning: the all-MiniLM-L6-v2 unit vector of
-- each claim's text, computed once (when the claim is first judged) and kept.
CREATE TABLE IF NOT EXISTS claim_vectors (
    claim_id    VARCHAR PRIMARY KEY,
    vector      FLOAT[384] NOT NULL,
    model       VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL
);
