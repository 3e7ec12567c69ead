-- v_claims: every claim with its latest judgement and the evidence behind it.
CREATE OR REPLACE VIEW v_claims AS
WITH latest AS (
    SELECT * FROM claim_judgements
    QUALIFY row_number() OVER (PARTITION BY claim_id ORDER BY judged_at DESC, judgement_id) = 1
),
arts AS (
    SELECT article_id, url, outlet, published_at, first_seen_at, is_seed FROM v_articles
),
final AS (
    SELECT
        c.claim_id,
        c.article_id,
        a.url AS article_url,
        a.outlet,
        coalesce(a.published_at, a.first_seen_at) AS published_at,
        a.is_seed,
        c.sentence,
        c.claim_text,
        c.claimant,
        c.reporting_verb,
        c.certainty,
        c.negated,
        c.actors,
        c.quantities,
        c.dates,
        j.status,
        j.matched_claim_id,
        m.sentence AS matched_sentence,
        ma.url AS matched_article_url,
        ma.outlet AS matched_outlet,
        j.similarity,
        list_transform(j.changes, lambda x: x.field) AS changed_fields,
        j.changes,
        j.origin_claim_id,
        oa.url AS origin_article_url,
        oa.outlet AS origin_outlet,
        j.first_seen_at,
        j.run_id AS judged_run_id,
        j.judged_at,
        c.run_id AS run_id,
        c.version_id,
        c.sentence_idx,
        c.start_char,
        c.end_char,
        c.checkworthiness,
        c.method || '; ' || j.method AS method
    FROM claims c
    JOIN latest j USING (claim_id)
    LEFT JOIN arts a ON a.article_id = c.article_id
    LEFT JOIN claims m ON m.claim_id = j.matched_claim_id
    LEFT JOIN arts ma ON ma.article_id = m.article_id
    LEFT JOIN claims o ON o.claim_id = j.origin_claim_id
    LEFT JOIN arts oa ON oa.article_id = o.article_id
)
SELECT * FROM final;

-- v_new_claims: the new and changed claims that the latest completed run brought in.
CREATE OR REPLACE VIEW v_new_claims AS
WITH last_run AS (
    SELECT run_id FROM runs WHERE status = 'completed' ORDER BY started_at DESC LIMIT 1
),
final AS (
    SELECT * FROM v_claims
    WHERE status IN ('new', 'changed') AND run_id = (SELECT run_id FROM last_run)
)
SELECT * FROM final ORDER BY published_at, article_id, sentence_idx;
