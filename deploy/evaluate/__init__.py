"""Evaluation harnesses behind `pactwatch eval` and their labelled data.

Lives here: labelled.py (claims, check-worthiness and framing on the bundled sets),
realworld.py (relevance and claims on the labelled real-world KCNA and publisher sets),
tone.py (stance and tone), data/ (the labelled sets, committed before any tuning).

May import: flows, extractors, warehouse. Not deploy.cli.
"""
