-- 007: relevance v2 (a score in [0, 1], the method and the sentences that carried it) and
-- detected languages (an article in a language the story is not written in is stored and
-- not analysed, with the reason).
ALTER TABLE article_versions ALTER relevance_score TYPE DOUBLE;
ALTER TABLE article_versions ADD COLUMN IF NOT EXISTS relevance_method VARCHAR;
ALTER TABLE article_versions ADD COLUMN IF NOT EXISTS relevance_evidence VARCHAR[];
ALTER TABLE article_versions ADD COLUMN IF NOT EXISTS language_confidence DOUBLE;
ALTER TABLE article_versions ADD COLUMN IF NOT EXISTS not_analysed_reason VARCHAR;
