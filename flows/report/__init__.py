"""The story page (`pactwatch report`): a static page built from the analysts' snapshot.

Light on purpose: the digest imports `flows.report.anchors` without the chart machinery.
`flows.report.build.build_report` builds the page.

May import: flows.digest, warehouse, extractors. Never deploy.
"""
