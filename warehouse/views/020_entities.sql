-- v_entities: canonical entities with how often and where they were mentioned.
CREATE OR REPLACE VIEW v_entities AS
WITH counts AS (
    SELECT
        m.entity_id,
        count(*) AS mention_count,
        count(DISTINCT m.article_id) AS article_count,
        list(DISTINCT m.text ORDER BY m.text) AS surface_forms
    FROM mentions m
    GROUP BY m.entity_id
),
final AS (
    SELECT e.entity_id, e.canonical_name, e.label, c.mention_count, c.article_count,
           c.surface_forms, e.first_seen_at
    FROM entities e
    JOIN counts c USING (entity_id)
)
SELECT * FROM final;
