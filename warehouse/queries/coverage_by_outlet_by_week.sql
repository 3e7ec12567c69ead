-- Coverage by outlet by week: relevant articles, and the new and changed claims they made.
WITH weekly AS (
    SELECT outlet, date_trunc('week', published_at) AS week, article_id FROM v_articles
    WHERE relevant AND NOT is_seed AND published_at IS NOT NULL
),
claims AS (
    SELECT article_id, count(*) FILTER (WHERE status = 'new') AS new_claims,
           count(*) FILTER (WHERE status = 'changed') AS changed_claims
    FROM v_claims GROUP BY 1
),
final AS (
    SELECT w.outlet, w.week::DATE AS week, count(*) AS articles,
           coalesce(sum(c.new_claims), 0) AS new_claims,
           coalesce(sum(c.changed_claims), 0) AS changed_claims
    FROM weekly w LEFT JOIN claims c USING (article_id)
    GROUP BY ALL
)
SELECT * FROM final ORDER BY week, outlet
