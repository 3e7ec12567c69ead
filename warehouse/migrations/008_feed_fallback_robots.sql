-- 008: never lose a story the feed announced, and crawl politely (issue 13).
-- The feed's full content (content:encoded) beside its summary, so that an article whose
-- page cannot be had is stored from the feed, also when an unfinished entry is resumed.
ALTER TABLE feed_entries ADD COLUMN IF NOT EXISTS content VARCHAR;

-- Why a version's text is not (only) the page's: NULL when the page gave the article;
-- refused | paywall | login | bot-challenge | too-little-text | not-a-page | robots-disallowed.
ALTER TABLE article_versions ADD COLUMN IF NOT EXISTS page_problem VARCHAR;

-- Every feed link's canonical URL and the article it was stored as: the page's own
-- <link rel=canonical> can make two links (?ref=rss-world, ?ref=rss-asia) one article.
CREATE TABLE IF NOT EXISTS article_urls (
    url            VARCHAR PRIMARY KEY,    -- canonical URL of a feed link
    article_id     VARCHAR NOT NULL,
    first_seen_at  TIMESTAMP NOT NULL,
    run_id         VARCHAR
);

-- robots.txt per host (scheme://host:port), fetched through the guarded client; a pass
-- uses the latest row younger than a day. Append-only.
CREATE TABLE IF NOT EXISTS robots (
    origin       VARCHAR NOT NULL,
    fetched_at   TIMESTAMP NOT NULL,
    status_code  INTEGER,                  -- NULL when no answer (timeout, refused)
    outcome      VARCHAR NOT NULL,         -- rules | allow-all | unreachable
    body         VARCHAR,
    error        VARCHAR,
    run_id       VARCHAR,
    PRIMARY KEY (origin, fetched_at)
);
