"""The DuckDB warehouse: migrations, views, bulk loads and the analysts' snapshot. No Prefect.

Lives here: db.py (connect, migrate, snapshot), load.py (bulk loads), lock.py (the writer
lock), state.py, history.py and framing_baselines.py (a pass's reads of history), the read
queries (digest_queries.py, report_queries.py, queries/*.sql),
seeds (seedfiles.py, seeds/), and the SQL: migrations/NNN_*.sql, views/. The public interface
is documented in SCHEMA.md.

May import: the standard library and third-party libraries only. Never Prefect, flows,
deploy or extractors.
"""
