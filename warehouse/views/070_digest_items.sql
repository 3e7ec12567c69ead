-- v_digest_items: every item of every stored digest, in rank order, shown or not.
CREATE OR REPLACE VIEW v_digest_items AS
WITH items AS (
    SELECT * FROM digest_items
),
final AS (
    SELECT
        i.digest_id,
        d.created_at,
        d.covers_from,
        d.covers_until,
        i.item_no,
        i.shown,
        i.status,
        c.sentence,
        i.reason,
        i.score,
        i.novelty,
        i.reach,
        i.evidence,
        i.checkworthiness,
        i.concreteness,
        i.outlet_count,
        i.outlet_weight,
        i.outlets,
        i.grouped_by,
        len(i.flagged_claim_ids) AS assertion_count,
        c.article_url,
        c.outlet,
        i.lead_claim_id,
        i.flagged_claim_ids,
        i.claim_ids
    FROM items i
    JOIN digests d USING (digest_id)
    LEFT JOIN v_claims c ON c.claim_id = i.lead_claim_id
)
SELECT * FROM final ORDER BY created_at DESC, item_no;
