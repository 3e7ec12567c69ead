-- Which outlet broke which assertions: claims first seen per outlet (seeds excluded), and
-- how many of them other outlets repeated later.
WITH origins AS (
    SELECT claim_id, outlet, published_at FROM v_claims
    WHERE status = 'new' AND NOT is_seed
),
spread AS (
    SELECT origin_claim_id, count(*) AS repeats
    FROM v_claims WHERE status IN ('repeated', 'changed') GROUP BY 1
),
final AS (
    SELECT o.outlet, count(*) AS claims_first_seen,
           count(s.origin_claim_id) AS picked_up_by_others,
           coalesce(sum(s.repeats), 0) AS repeats
    FROM origins o LEFT JOIN spread s ON s.origin_claim_id = o.claim_id
    GROUP BY o.outlet
)
SELECT * FROM final ORDER BY claims_first_seen DESC
