"""Digests: what is new since the last one, ranked, rendered, mailed.

Lives here: select.py (events from `v_claims` rows, grouped and ranked; pure), render.py
(a Digest to HTML and text; pure), mail.py (SMTP delivery), flow.py (the `digest` flow:
build, store, send, record each delivery).

May import: flows.config, flows.rows, flows.report.anchors, warehouse, extractors, Prefect.
Never deploy.
"""
