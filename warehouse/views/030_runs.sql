-- v_runs: monitoring passes, newest first, with their duration.
CREATE OR REPLACE VIEW v_runs AS
WITH final AS (
    SELECT
        r.*,
        date_diff('millisecond', r.started_at, r.finished_at) / 1000.0 AS duration_s,
        (SELECT count(*) FROM failures f WHERE f.run_id = r.run_id) AS failure_count
    FROM runs r
)
SELECT * FROM final ORDER BY started_at DESC;

-- v_failures: what failed, where and why; one row per failure.
CREATE OR REPLACE VIEW v_failures AS
WITH final AS (
    SELECT url, stage, error_class, reason, occurred_at, run_id, failure_id FROM failures
)
SELECT * FROM final ORDER BY occurred_at DESC;

-- v_feeds: each feed's health from its fetch log.
CREATE OR REPLACE VIEW v_feeds AS
WITH polls AS (
    SELECT
        feed_id, requested_at, outcome, status_code, error,
        row_number() OVER (PARTITION BY feed_id ORDER BY requested_at DESC) AS recency
    FROM fetches WHERE kind = 'feed'
),
streaks AS (
    SELECT feed_id,
           coalesce(min(recency) FILTER (WHERE outcome <> 'failed'),
                    max(recency) + 1) - 1 AS consecutive_failures
    FROM polls GROUP BY feed_id
),
final AS (
    SELECT f.feed_id, f.name, f.url, p.requested_at AS last_polled_at,
           p.outcome AS last_outcome, p.status_code AS last_status_code,
           coalesce(s.consecutive_failures, 0) AS consecutive_failures,
           p.error AS last_error
    FROM feeds f
    LEFT JOIN polls p ON p.feed_id = f.feed_id AND p.recency = 1
    LEFT JOIN streaks s ON s.feed_id = f.feed_id
)
SELECT * FROM final ORDER BY name;
