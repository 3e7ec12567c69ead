-- 003: per-feed polling cadence (append-only) and the digest outbox.

ALTER TABLE runs ADD COLUMN IF NOT EXISTS feeds_not_due INTEGER;

CREATE TABLE IF NOT EXISTS feed_schedule (
    feed_id        VARCHAR NOT NULL,
    run_id         VARCHAR NOT NULL,
    polled_at      TIMESTAMP NOT NULL,
    outcome        VARCHAR NOT NULL,           -- changed | unchanged | failed
    interval_s     DOUBLE NOT NULL,
    next_poll_at   TIMESTAMP NOT NULL,
    reason         VARCHAR NOT NULL,
    PRIMARY KEY (feed_id, polled_at)
);

CREATE TABLE IF NOT EXISTS digests (
    digest_id      VARCHAR PRIMARY KEY,
    created_at     TIMESTAMP NOT NULL,
    covers_from    TIMESTAMP,
    covers_until   TIMESTAMP NOT NULL,
    subject        VARCHAR NOT NULL,
    text_body      VARCHAR NOT NULL,
    html_body      VARCHAR NOT NULL,
    recipients     VARCHAR[] NOT NULL,
    item_count     INTEGER NOT NULL
);

-- Sending is an append-only log: a digest is sent when it has a row with outcome 'sent'.
CREATE TABLE IF NOT EXISTS digest_deliveries (
    delivery_id    VARCHAR PRIMARY KEY,
    digest_id      VARCHAR NOT NULL,
    attempted_at   TIMESTAMP NOT NULL,
    outcome        VARCHAR NOT NULL,           -- sent | failed
    error          VARCHAR
);
