"""Pure extraction code: fetching (I/O), parsing and NLP. No Prefect, no configuration reading.

Lives here: the HTTP client and its network guard (http.py, netguard.py, robots.py,
politeness.py), feeds and articles (feeds.py, articles.py, archive.py, discover.py), language,
relevance, NLP and claims (language.py, relevance.py, nlp.py, claims.py, matching.py,
quantities.py, checkworthy.py), framing and tone (framing.py, embeddings.py, tone.py, ...),
and the story's shape (story.py). Data: data/ (lexicons, prototypes), models/.

May import: the standard library and third-party libraries only. Never Prefect, flows,
deploy or warehouse.
"""
