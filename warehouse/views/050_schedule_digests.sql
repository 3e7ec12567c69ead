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

-- v_digests: the outbox, with each digest's delivery state per recipient: sent when every
-- recipient stored with it has been accepted by the SMTP server.
CREATE OR REPLACE VIEW v_digests AS
WITH tries AS (
    SELECT digest_id, count(DISTINCT attempted_at) AS attempts,
           max(attempted_at) FILTER (WHERE outcome = 'sent') AS sent_at,
           arg_max(error, attempted_at) FILTER (WHERE outcome = 'failed') AS last_error,
           list(DISTINCT recipient) FILTER (WHERE outcome = 'sent') AS accepted,
           bool_or(outcome = 'sent' AND recipient IS NULL) AS sent_to_all  -- before 009
    FROM digest_deliveries GROUP BY digest_id
),
delivery AS (
    SELECT d.*, t.attempts, t.sent_at, t.last_error,
           CASE WHEN coalesce(t.sent_to_all, false) THEN d.recipients
                ELSE list_filter(d.recipients,
                                 lambda r: list_contains(coalesce(t.accepted, []), r))
           END AS sent_to
    FROM digests d LEFT JOIN tries t USING (digest_id)
),
final AS (
    SELECT digest_id, created_at, covers_from, covers_until, subject, item_count, recipients,
           CASE WHEN len(sent_to) = len(recipients) THEN 'sent' ELSE 'pending' END AS status,
           coalesce(attempts, 0) AS attempts,
           CASE WHEN len(sent_to) = len(recipients) THEN sent_at END AS sent_at,
           CASE WHEN len(sent_to) = len(recipients) THEN NULL ELSE last_error END AS last_error,
           sent_to,
           list_filter(recipients, lambda r: NOT list_contains(sent_to, r)) AS pending_to
    FROM delivery
)
SELECT * FROM final ORDER BY created_at DESC;
