"""Deployments: run pactwatch's flows on a schedule through a Prefect work pool."""
