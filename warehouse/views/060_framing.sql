-- v_framing: frames and tone of each article's latest version (tone as frame 'tone').
CREATE OR REPLACE VIEW v_framing AS
WITH final AS (
    SELECT a.article_id, a.url AS article_url, a.outlet, a.published_at, f.frame, f.score,
           f.hits, f.terms, f.sentence_idxs, f.method, f.version_id, f.votes
    FROM framing f JOIN v_articles a ON a.latest_version_id = f.version_id
)
SELECT * FROM final;

-- v_framing_changes: framing that moved, with its scope, magnitude and what moved.
CREATE OR REPLACE VIEW v_framing_changes AS
WITH final AS (
    SELECT c.scope, a.url AS article_url, coalesce(c.outlet, a.outlet) AS outlet,
           c.window_start, c.baseline, c.frames_moved, c.tone_before, c.tone_after,
           c.magnitude, c.p_value, c.detected_at, c.article_id, c.change_id, c.run_id
    FROM framing_changes c LEFT JOIN v_articles a USING (article_id)
)
SELECT * FROM final ORDER BY detected_at DESC, magnitude DESC;
