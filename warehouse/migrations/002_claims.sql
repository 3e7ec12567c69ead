-- 002: claims (one per check-worthy sentence of a relevant article version) and their
-- judgements (append-only: a claim is re-judged when an earlier article arrives late).

CREATE TABLE IF NOT EXISTS claims (
    claim_id          VARCHAR PRIMARY KEY,     -- = sentence_id
    sentence_id       VARCHAR NOT NULL,
    version_id        VARCHAR NOT NULL,
    article_id        VARCHAR NOT NULL,
    sentence_idx      INTEGER NOT NULL,
    start_char        INTEGER NOT NULL,        -- the claim's span in the article text
    end_char          INTEGER NOT NULL,
    sentence          VARCHAR NOT NULL,
    claim_text        VARCHAR NOT NULL,
    claimant          VARCHAR NOT NULL,        -- '' when the outlet itself asserts it
    claimant_actors   VARCHAR[],
    reporting_verb    VARCHAR,
    certainty         VARCHAR NOT NULL,        -- asserted | reported | claimed | believed | denied
    predicate         VARCHAR,
    negated           BOOLEAN NOT NULL,
    actors            VARCHAR[],
    quantities        STRUCT(text VARCHAR, value DOUBLE, unit VARCHAR, bound VARCHAR)[],
    dates             VARCHAR[],
    lemmas            VARCHAR[],
    verbs             VARCHAR[],
    checkworthiness   DOUBLE,
    method            VARCHAR NOT NULL,
    run_id            VARCHAR
);

CREATE TABLE IF NOT EXISTS claim_judgements (
    judgement_id      VARCHAR PRIMARY KEY,
    claim_id          VARCHAR NOT NULL,
    run_id            VARCHAR NOT NULL,
    judged_at         TIMESTAMP NOT NULL,
    status            VARCHAR NOT NULL,        -- new | repeated | changed
    matched_claim_id  VARCHAR,
    similarity        DOUBLE,
    changes           STRUCT(field VARCHAR, old VARCHAR, new VARCHAR)[],
    origin_claim_id   VARCHAR NOT NULL,
    first_seen_at     TIMESTAMP NOT NULL,
    method            VARCHAR NOT NULL
);
