"""Prefect flows and the `pactwatch` command: they compose extractors and warehouse."""
