-- How long a claim took to spread: from its first appearance to its last repeat.
WITH repeats AS (
    SELECT origin_claim_id, outlet, published_at FROM v_claims
    WHERE status IN ('repeated', 'changed') AND NOT is_seed
),
spread AS (
    SELECT origin_claim_id, count(*) AS repeats, count(DISTINCT outlet) AS outlets,
           max(published_at) AS last_repeat_at
    FROM repeats GROUP BY 1
),
final AS (
    SELECT o.claim_text AS first_claim, o.outlet AS first_outlet,
           o.published_at AS first_seen_at, s.repeats, s.outlets, s.last_repeat_at,
           -- seeds come first in knowledge order even where an article predates them
           greatest(0, date_diff('day', o.published_at, s.last_repeat_at)) AS days_to_last_repeat
    FROM spread s JOIN v_claims o ON o.claim_id = s.origin_claim_id
)
SELECT * FROM final ORDER BY repeats DESC, first_seen_at LIMIT 20
