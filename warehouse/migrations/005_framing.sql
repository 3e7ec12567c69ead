-- 005: framing per article version (frames, tone, stances, evaluative terms) and the
-- framing changes flagged (append-only, one row per scope, subject and window or version).

CREATE TABLE IF NOT EXISTS framing (
    version_id     VARCHAR NOT NULL,
    article_id     VARCHAR NOT NULL,
    frame          VARCHAR NOT NULL,          -- one of the 14 frames, or 'tone'
    score          DOUBLE NOT NULL,           -- frame: share of frame hits; tone: -1 … 1
    hits           INTEGER NOT NULL,
    sentence_idxs  INTEGER[],                 -- the sentences that carry it
    terms          VARCHAR[],
    method         VARCHAR NOT NULL,
    run_id         VARCHAR,
    PRIMARY KEY (version_id, frame)
);

CREATE TABLE IF NOT EXISTS stances (
    version_id  VARCHAR NOT NULL,
    article_id  VARCHAR NOT NULL,
    actor       VARCHAR NOT NULL,             -- Russia | North Korea | US and allies
    score       DOUBLE NOT NULL,              -- -1 … 1
    PRIMARY KEY (version_id, actor)
);

CREATE TABLE IF NOT EXISTS evaluative_terms (
    version_id    VARCHAR NOT NULL,
    sentence_idx  INTEGER NOT NULL,
    term          VARCHAR NOT NULL,
    quoted        BOOLEAN NOT NULL,           -- inside quotation marks: someone else's words
    PRIMARY KEY (version_id, sentence_idx, term)
);

CREATE TABLE IF NOT EXISTS framing_changes (
    change_id      VARCHAR PRIMARY KEY,
    scope          VARCHAR NOT NULL,          -- article | outlet | version
    article_id     VARCHAR,
    outlet         VARCHAR,
    window_start   DATE,                      -- outlet scope: the week that moved
    baseline       VARCHAR NOT NULL,          -- what it was compared with
    frames_moved   VARCHAR[] NOT NULL,        -- "Frame before→after"
    tone_before    DOUBLE,
    tone_after     DOUBLE,
    magnitude      DOUBLE NOT NULL,           -- total variation distance of frame shares
    p_value        DOUBLE,                    -- outlet scope: chi-square test of the counts
    detected_at    TIMESTAMP NOT NULL,
    run_id         VARCHAR
);
