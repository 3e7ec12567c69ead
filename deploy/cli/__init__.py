"""The command line (`pactwatch`, entry point `deploy.cli:main`).

Lives here: main.py (the parser and `main`), one module per command group: pipeline.py (run,
demo, digest, backfill, feeds), reads.py (status, sql, shell, export, report), evaluation.py
(eval, train); common.py (exit codes, the snapshot reader), tables.py (tables for the
terminal), export.py (the views to Parquet or CSV).

May import: flows, deploy.demo, deploy.evaluate, extractors, warehouse.
"""

from deploy.cli.main import main

__all__ = ["main"]
