"""The pipeline: Prefect flows and the tasks they compose.

Lives here: `monitor` (monitor.py: poll the feeds that are due, fetch, analyse, load, flag) and
`backfill` (backfill.py), their tasks (tasks.py, history_tasks.py, pages.py, claims.py,
framing_step.py, schedule.py, discovery.py, artifacts.py, progress.py), the pass's worker
processes (workers.py: extraction, parsing, claims, framing and encoding; pagework.py: one
page's extraction) and the mapping from the extractors' records to warehouse rows
(rows.py). Subfolders: config/ (settings
and the story), digest/ (the digest flow), report/ (the story page).

May import: extractors, warehouse, Prefect, and its own subpackages. Never deploy.
"""
