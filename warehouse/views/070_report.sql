-- Views behind the story page (`pactwatch report`): every number the page shows comes from
-- one of these or from the views they build on. Seeds are the baseline, not an outlet's
-- coverage: they appear in claim timelines (where a claim first appeared) and nowhere else.

-- v_claim_timelines: each assertion that was repeated or changed, one row per appearance:
-- the first appearance first (step 1), then every later one in publication order.
CREATE OR REPLACE VIEW v_claim_timelines AS
WITH spread AS (
    SELECT origin_claim_id FROM v_claims
    WHERE status IN ('repeated', 'changed') GROUP BY origin_claim_id
),
appearances AS (
    SELECT c.*, c.claim_id = c.origin_claim_id AS is_origin
    FROM v_claims c JOIN spread USING (origin_claim_id)
),
final AS (
    SELECT
        origin_claim_id,
        row_number() OVER (PARTITION BY origin_claim_id
                           ORDER BY is_origin DESC, published_at, claim_id) AS step,
        count(*) OVER (PARTITION BY origin_claim_id) AS step_count,
        max(published_at) OVER (PARTITION BY origin_claim_id) AS last_published_at,
        claim_id, is_origin, status, outlet, article_url, published_at, is_seed, sentence,
        claimant, certainty, changes, matched_claim_id, matched_outlet, matched_article_url,
        similarity
    FROM appearances
)
SELECT * FROM final ORDER BY last_published_at DESC, origin_claim_id, step;

-- v_coverage_daily: articles per outlet per day of publication (first-seen day when the
-- publication time is unknown); seeds left out.
CREATE OR REPLACE VIEW v_coverage_daily AS
WITH arts AS (
    SELECT outlet, coalesce(published_at, first_seen_at)::DATE AS day, relevant
    FROM v_articles WHERE NOT is_seed
),
final AS (
    SELECT outlet, day, count(*) AS article_count,
           count(*) FILTER (WHERE relevant) AS relevant_count
    FROM arts GROUP BY ALL
)
SELECT * FROM final ORDER BY day, outlet;

-- v_framing_weekly: each outlet's mean frame shares and mean tone per week (Monday) of
-- publication; frame 'tone' carries the mean tone toward the pact (-1 … +1).
CREATE OR REPLACE VIEW v_framing_weekly AS
WITH framed AS (
    SELECT f.outlet, date_trunc('week', f.published_at)::DATE AS week, f.frame, f.score,
           f.article_id
    FROM v_framing f JOIN v_articles a USING (article_id)
    WHERE NOT a.is_seed AND f.published_at IS NOT NULL
),
final AS (
    SELECT outlet, week, frame, avg(score) AS mean_score,
           count(DISTINCT article_id) AS article_count
    FROM framed GROUP BY ALL
)
SELECT * FROM final ORDER BY outlet, week, frame;

-- v_framing_evidence: the sentences behind each framing change: for each frame that moved,
-- the sentences that carry it in the changed article (outlet scope: in the outlet's
-- articles of that week).
CREATE OR REPLACE VIEW v_framing_evidence AS
WITH moved AS (
    SELECT c.change_id, c.scope, c.outlet, c.article_id, c.window_start,
           split_part(m.moved, ' ', 1) AS frame
    FROM v_framing_changes c, unnest(c.frames_moved) AS m(moved)
),
carriers AS (
    SELECT mv.change_id, mv.frame, f.article_id, f.article_url, f.version_id,
           unnest(f.sentence_idxs) AS sentence_idx
    FROM moved mv JOIN v_framing f ON f.frame = mv.frame AND (
        f.article_id = mv.article_id
        OR (mv.article_id IS NULL AND f.outlet = mv.outlet
            AND date_trunc('week', f.published_at)::DATE = mv.window_start))
),
final AS (
    SELECT c.change_id, c.frame, c.article_id, c.article_url, c.sentence_idx,
           s.text AS sentence
    FROM carriers c
    JOIN sentences s ON s.version_id = c.version_id AND s.sentence_idx = c.sentence_idx
)
SELECT * FROM final ORDER BY change_id, frame, article_id, sentence_idx;

-- v_entity_weeks: mentions of each canonical entity per week (Monday) of publication, in
-- the latest version of each article; seeds left out.
CREATE OR REPLACE VIEW v_entity_weeks AS
WITH mentioned AS (
    SELECT m.entity_id, m.article_id,
           date_trunc('week', coalesce(a.published_at, a.first_seen_at))::DATE AS week
    FROM mentions m JOIN v_articles a ON a.latest_version_id = m.version_id
    WHERE NOT a.is_seed
),
final AS (
    SELECT e.entity_id, e.canonical_name, e.label, m.week, count(*) AS mention_count,
           count(DISTINCT m.article_id) AS article_count
    FROM mentioned m JOIN entities e USING (entity_id) GROUP BY ALL
)
SELECT * FROM final ORDER BY week, mention_count DESC, canonical_name;

-- v_entities_rising: entities mentioned more in the latest week of coverage than in an
-- average week of the four weeks before it (weeks without mentions count as zero).
CREATE OR REPLACE VIEW v_entities_rising AS
WITH latest AS (
    SELECT max(week) AS week FROM v_entity_weeks
),
this_week AS (
    SELECT w.* FROM v_entity_weeks w JOIN latest l ON w.week = l.week
),
before AS (
    SELECT w.entity_id, sum(w.mention_count) / 4.0 AS weekly_mean_before
    FROM v_entity_weeks w JOIN latest l ON w.week >= l.week - 28 AND w.week < l.week
    GROUP BY w.entity_id
),
final AS (
    SELECT t.week, t.entity_id, t.canonical_name, t.label, t.mention_count, t.article_count,
           coalesce(b.weekly_mean_before, 0) AS weekly_mean_before,
           t.mention_count - coalesce(b.weekly_mean_before, 0) AS rise,
           b.entity_id IS NULL AS is_new
    FROM this_week t LEFT JOIN before b USING (entity_id)
)
SELECT * FROM final WHERE rise > 0 ORDER BY rise DESC, canonical_name;
