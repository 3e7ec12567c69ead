"""The offline demo (`pactwatch demo`, `make run`).

Lives here: corpus/ (the sample articles, two editions), build.py (renders them into sites
and feeds), server.py (DevServer: a static site on loopback, also used by the tests), run.py
(serve an edition, write the demo's config, build the story page).

May import: flows, extractors, warehouse. Not deploy.cli.
"""
