"""Operator-facing: the top of the arrows.

Lives here: deployments.py (the Prefect deployments that run the flows on a schedule) and
three subpackages: cli/ (the `pactwatch` command), demo/ (the offline demo) and evaluate/
(`pactwatch eval` and its labelled data).

May import: flows, extractors, warehouse, Prefect. Nothing imports deploy except tests/bench.
"""
