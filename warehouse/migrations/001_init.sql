-- 001: the walking skeleton's tables. All timestamps are UTC (naive TIMESTAMP).
-- Append-only where history matters: fetches, feed_entries, article_versions.

CREATE TABLE IF NOT EXISTS runs (
    run_id              VARCHAR PRIMARY KEY,
    flow_run_id         VARCHAR,
    started_at          TIMESTAMP NOT NULL,
    finished_at         TIMESTAMP,
    status              VARCHAR NOT NULL,      -- running | completed | failed
    config_path         VARCHAR,
    feeds_polled        INTEGER,
    feeds_not_modified  INTEGER,
    feeds_failed        INTEGER,
    articles_new        INTEGER,
    articles_updated    INTEGER,
    articles_unchanged  INTEGER,
    articles_skipped    INTEGER,
    articles_failed     INTEGER,
    note                VARCHAR
);

CREATE TABLE IF NOT EXISTS feeds (
    feed_id        VARCHAR PRIMARY KEY,
    url            VARCHAR NOT NULL UNIQUE,
    name           VARCHAR NOT NULL,
    first_seen_at  TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS fetches (
    fetch_id       VARCHAR PRIMARY KEY,
    run_id         VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,           -- feed | page
    url            VARCHAR NOT NULL,
    final_url      VARCHAR,
    feed_id        VARCHAR,
    requested_at   TIMESTAMP NOT NULL,
    outcome        VARCHAR NOT NULL,           -- ok | not_modified | failed
    status_code    INTEGER,
    bytes          BIGINT,
    etag           VARCHAR,
    last_modified  VARCHAR,
    content_hash   VARCHAR,
    elapsed_ms     INTEGER,
    error_class    VARCHAR,                    -- transient | terminal
    error          VARCHAR
);

CREATE TABLE IF NOT EXISTS feed_entries (
    feed_id        VARCHAR NOT NULL,
    canonical_url  VARCHAR NOT NULL,
    fingerprint    VARCHAR NOT NULL,
    guid           VARCHAR,
    url            VARCHAR NOT NULL,
    title          VARCHAR,
    summary        VARCHAR,
    published_at   TIMESTAMP,
    updated_at     TIMESTAMP,
    first_seen_at  TIMESTAMP NOT NULL,
    run_id         VARCHAR,
    PRIMARY KEY (feed_id, canonical_url, fingerprint)
);

CREATE TABLE IF NOT EXISTS articles (
    article_id     VARCHAR PRIMARY KEY,
    canonical_url  VARCHAR NOT NULL UNIQUE,
    url            VARCHAR NOT NULL,
    outlet         VARCHAR,
    feed_id        VARCHAR,
    is_seed        BOOLEAN NOT NULL,
    first_seen_at  TIMESTAMP NOT NULL,
    run_id         VARCHAR
);

CREATE TABLE IF NOT EXISTS article_versions (
    version_id          VARCHAR PRIMARY KEY,
    article_id          VARCHAR NOT NULL,
    content_hash        VARCHAR NOT NULL,
    fetched_at          TIMESTAMP NOT NULL,
    run_id              VARCHAR,
    title               VARCHAR,
    author              VARCHAR,
    published_at        TIMESTAMP,
    site_name           VARCHAR,
    language            VARCHAR,
    text                VARCHAR NOT NULL,
    extraction_method   VARCHAR NOT NULL,
    extraction_note     VARCHAR,
    relevant            BOOLEAN NOT NULL,
    relevance_score     INTEGER,
    relevance_reason    VARCHAR,
    nlp_method          VARCHAR,
    UNIQUE (article_id, content_hash)
);

CREATE TABLE IF NOT EXISTS sentences (
    sentence_id    VARCHAR PRIMARY KEY,
    version_id     VARCHAR NOT NULL,
    article_id     VARCHAR NOT NULL,
    sentence_idx   INTEGER NOT NULL,
    start_char     INTEGER NOT NULL,
    end_char       INTEGER NOT NULL,
    text           VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS entities (
    entity_id       VARCHAR PRIMARY KEY,
    canonical_name  VARCHAR NOT NULL,
    label           VARCHAR NOT NULL,
    first_seen_at   TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS mentions (
    mention_id     VARCHAR PRIMARY KEY,
    entity_id      VARCHAR NOT NULL,
    sentence_id    VARCHAR NOT NULL,
    version_id     VARCHAR NOT NULL,
    article_id     VARCHAR NOT NULL,
    start_char     INTEGER NOT NULL,
    end_char       INTEGER NOT NULL,
    text           VARCHAR NOT NULL,
    label          VARCHAR NOT NULL,
    nlp_method     VARCHAR
);

CREATE TABLE IF NOT EXISTS failures (
    failure_id     VARCHAR PRIMARY KEY,
    run_id         VARCHAR NOT NULL,
    stage          VARCHAR NOT NULL,           -- feed | page | extract | nlp | load
    url            VARCHAR,
    error_class    VARCHAR NOT NULL,           -- transient | terminal
    reason         VARCHAR NOT NULL,
    occurred_at    TIMESTAMP NOT NULL
);
