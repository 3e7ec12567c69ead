-- The items of the latest stored digest that did not fit under [email].max_items, in rank
-- order: what the digest's "... and N more items" line counts (N rows). Each digest's own
-- text gives the same query for its digest_id.
WITH latest AS (
    SELECT digest_id FROM v_digests ORDER BY created_at DESC LIMIT 1
),
final AS (
    SELECT item_no, status, round(score, 2) AS score, outlets, sentence, reason,
           assertion_count, article_url
    FROM v_digest_items
    WHERE digest_id = (SELECT digest_id FROM latest) AND NOT shown
)
SELECT * FROM final ORDER BY item_no
