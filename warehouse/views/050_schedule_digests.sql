-- v_feed_schedule: when each feed is polled next, and why.
CREATE OR REPLACE VIEW v_feed_schedule AS
WITH latest AS (
    SELECT * FROM feed_schedule
    QUALIFY row_number() OVER (PARTITION BY feed_id ORDER BY polled_at DESC) = 1
),
final AS (
    SELECT f.feed_id, f.name, f.url, l.polled_at AS last_polled_at, l.outcome,
           l.interval_s, l.next_poll_at, l.reason
    FROM feeds f LEFT JOIN latest l USING (feed_id)
)
SELECT * FROM final ORDER BY next_poll_at NULLS FIRST, name;

-- v_digests: the outbox, with each digest's delivery state.
CREATE OR REPLACE VIEW v_digests AS
WITH tries AS (
    SELECT digest_id, count(*) AS attempts,
           bool_or(outcome = 'sent') AS sent,
           max(attempted_at) FILTER (WHERE outcome = 'sent') AS sent_at,
           arg_max(error, attempted_at) AS last_error
    FROM digest_deliveries GROUP BY digest_id
),
final AS (
    SELECT d.digest_id, d.created_at, d.covers_from, d.covers_until, d.subject, d.item_count,
           d.recipients,
           CASE WHEN coalesce(t.sent, false) THEN 'sent' ELSE 'pending' END AS status,
           coalesce(t.attempts, 0) AS attempts, t.sent_at,
           CASE WHEN coalesce(t.sent, false) THEN NULL ELSE t.last_error END AS last_error
    FROM digests d LEFT JOIN tries t USING (digest_id)
)
SELECT * FROM final ORDER BY created_at DESC;
