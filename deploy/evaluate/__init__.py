"""Evaluation harnesses behind `pactwatch eval` and their labelled data (data/)."""
