"""The offline demo: the bundled corpus, its loopback server and the demo run."""
