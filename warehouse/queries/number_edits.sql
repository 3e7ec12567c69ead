-- Edits that changed a number: a later version of the same article whose claim differs from
-- the earlier version's in a quantity.
WITH changed AS (
    SELECT c.*, q.change FROM v_claims c, unnest(c.changes) AS q(change)
    WHERE c.status = 'changed' AND q.change.field = 'quantity'
),
final AS (
    SELECT ch.outlet, ch.article_url, ch.change.old AS old_value, ch.change.new AS new_value,
           ch.matched_sentence AS before, ch.sentence AS after
    FROM changed ch JOIN claims m ON m.claim_id = ch.matched_claim_id
    WHERE m.article_id = ch.article_id
)
SELECT * FROM final
