-- v_article_versions: every stored version with its number (1 = first seen).
CREATE OR REPLACE VIEW v_article_versions AS
WITH versions AS (
    SELECT * FROM article_versions
),
final AS (
    SELECT
        v.*,
        row_number() OVER (PARTITION BY v.article_id ORDER BY v.fetched_at, v.version_id)
            AS version_no,
        count(*) OVER (PARTITION BY v.article_id) AS version_count
    FROM versions v
)
SELECT * FROM final;

-- v_articles: one row per article, showing its latest version.
CREATE OR REPLACE VIEW v_articles AS
WITH latest AS (
    SELECT * FROM v_article_versions WHERE version_no = version_count
),
final AS (
    SELECT
        a.article_id,
        a.canonical_url AS url,
        l.title,
        coalesce(a.outlet, l.site_name) AS outlet,
        l.published_at,
        a.first_seen_at,
        a.is_seed,
        l.relevant,
        l.relevance_reason,
        l.relevance_score,
        l.relevance_method,
        l.relevance_evidence,
        l.text,
        l.author,
        l.language,
        l.language_confidence,
        l.not_analysed_reason,
        CASE WHEN l.not_analysed_reason IS NOT NULL THEN 'not analysed'
             WHEN l.nlp_method IS NOT NULL THEN 'analysed'
             WHEN NOT l.relevant THEN 'not relevant'
             ELSE 'pending' END AS analysis,
        l.extraction_method,
        l.extraction_note,
        l.page_problem,
        l.version_count,
        l.version_id AS latest_version_id,
        l.fetched_at AS last_fetched_at,
        a.feed_id,
        d.duplicate_of,
        d.similarity AS duplicate_similarity
    FROM articles a
    JOIN latest l USING (article_id)
    LEFT JOIN duplicates d USING (article_id)
)
SELECT * FROM final;
