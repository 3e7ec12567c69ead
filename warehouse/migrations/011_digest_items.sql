-- 011: every item of each stored digest, ranked, with the parts of its score: what the
-- digest showed and what did not fit under [email].max_items (README: Ranking the digest).

CREATE TABLE IF NOT EXISTS digest_items (
    digest_id          VARCHAR NOT NULL,
    item_no            INTEGER NOT NULL,       -- rank in the digest, 1 = first
    shown              BOOLEAN NOT NULL,       -- item_no <= [email].max_items
    status             VARCHAR NOT NULL,       -- new | changed: the lead assertion's
    reason             VARCHAR NOT NULL,       -- why the lead is flagged
    score              DOUBLE NOT NULL,        -- novelty * reach * evidence
    novelty            DOUBLE NOT NULL,        -- 3 changed number, 2 other change, 1 new
    reach              DOUBLE NOT NULL,        -- log2(1 + outlet_weight)
    evidence           DOUBLE NOT NULL,        -- (checkworthiness + concreteness) / 2
    checkworthiness    DOUBLE NOT NULL,
    concreteness       DOUBLE NOT NULL,
    outlet_count       INTEGER NOT NULL,
    outlet_weight      DOUBLE NOT NULL,        -- summed [[feeds]].weight of those outlets
    outlets            VARCHAR[] NOT NULL,
    grouped_by         VARCHAR[] NOT NULL,     -- rules that joined its assertions
    lead_claim_id      VARCHAR NOT NULL,
    flagged_claim_ids  VARCHAR[] NOT NULL,     -- the flagged claim of each assertion, best first
    claim_ids          VARCHAR[] NOT NULL,     -- every claim of the window in the item
    PRIMARY KEY (digest_id, item_no)
);
