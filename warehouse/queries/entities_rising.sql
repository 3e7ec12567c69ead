-- Entities rising this week: mentions in the latest 7 days of coverage against the 7 before
-- (weeks counted back from the newest article, so the query works on archives too).
WITH mentions_dated AS (
    SELECT e.canonical_name, a.published_at
    FROM mentions m JOIN entities e USING (entity_id)
    JOIN v_articles a USING (article_id)
    WHERE a.published_at IS NOT NULL
),
edge AS (SELECT max(published_at) AS newest FROM mentions_dated),
final AS (
    SELECT canonical_name,
           count(*) FILTER (WHERE published_at > newest - INTERVAL 7 DAY) AS this_week,
           count(*) FILTER (WHERE published_at <= newest - INTERVAL 7 DAY
                              AND published_at > newest - INTERVAL 14 DAY) AS week_before
    FROM mentions_dated, edge GROUP BY canonical_name
)
SELECT *, this_week - week_before AS rise FROM final
WHERE this_week > 0 ORDER BY rise DESC, this_week DESC LIMIT 15
