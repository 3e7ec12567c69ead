"""A pass with worker processes (issue 15): the per-article work (extraction, relevance,
spaCy, claims, framing, claim vectors) runs in a pool of forkserver processes, replaced
after a number of pages, and the warehouse holds exactly what a one-process pass stores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from deploy.demo.server import DevServer
from extractors.embeddings import shared_encoder
from flows import workers
from flows.monitor import monitor
from tests.conftest import query, write_config
from tests.extractors.test_nlp_workers import forks_during

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]
PAGES = 24
SENTENCES = ("Russia said that North Korea had sent {n:,} artillery shells to Kursk under the "
             "treaty on Monday.",
             "Officials in Seoul warned that Pyongyang and Moscow would deepen the mutual "
             "defence pact signed in June.",
             "Ukraine estimated that {m} North Korean troops were fighting beside Russian "
             "forces, Kyiv's intelligence agency said.")


def site(root: Path) -> None:
    items = []
    for i in range(PAGES):
        text = " ".join(s.format(n=1000 + 37 * i, m=100 + i) for s in SENTENCES)
        (root / f"a{i}.html").write_text(
            f"<html lang='en'><body><article><h1>Russia and North Korea: report {i}</h1>"
            f"<p>{text}</p><p>{text.replace('Monday', 'Friday')}</p></article></body></html>")
        items.append(f"<item><title>Report {i}</title><link>/a{i}.html</link></item>")
    (root / "feed.xml").write_text("<rss version='2.0'><channel><title>T</title>"
                                   + "".join(items) + "</channel></rss>")


def config(folder: Path, url: str, processes: int) -> Path:
    folder.mkdir()
    return write_config(folder / "c.toml", [("Wire", f"{url}/feed.xml")],
                        f"[nlp]\nprocesses = {processes}\n[run]\nbatch_size = 8\n")


TABLES = {
    "sentences": "SELECT version_id, sentence_idx, text FROM sentences",
    "mentions": "SELECT mention_id, entity_id, text, label FROM mentions",
    "claims": "SELECT claim_id, claim_text, claimant, certainty, actors, checkworthiness, "
              "method FROM claims",
    "framing": "SELECT version_id, frame, score, hits, votes, method FROM framing",
    "stances": "SELECT version_id, actor, score FROM stances",
    # (judgements are not compared: these pages nearly repeat each other, and which is the
    # original depends on when each was fetched)
}


def rows(snapshot: Path) -> dict[str, list[tuple]]:
    return {t: sorted(query(snapshot, sql)) for t, sql in TABLES.items()}


def vectors(snapshot: Path) -> dict[str, np.ndarray]:
    return {c: np.asarray(v) for c, v in query(snapshot, "SELECT claim_id, vector "
                                                         "FROM claim_vectors")}


def test_a_pass_in_worker_processes_stores_what_one_process_stores(
        tmp_path: Path, server: DevServer, monkeypatch: pytest.MonkeyPatch) -> None:
    site(server.root)
    monkeypatch.setattr(workers, "DOCS_PER_WORKER", 4)  # replaced after 8 pages (2 workers)
    path = config(tmp_path / "two", server.base_url, 2)
    shared_encoder.cache_clear()
    pooled, forks = forks_during(lambda: monitor(str(path), force=True))
    assert forks == [], "worker processes forked from this threaded process"
    # the workers encoded everything, matching's clauses too: the flow loaded no encoder
    assert shared_encoder.cache_info().currsize == 0
    assert pooled.claims.get("repeated", 0) > 0
    alone = monitor(str(config(tmp_path / "one", server.base_url, 1)), force=True)

    assert pooled.counts["articles_new"] == alone.counts["articles_new"] == PAGES
    assert pooled.workers["processes"] == 2 and pooled.workers["pages"] == PAGES
    assert pooled.workers["recycled"] == 2  # before the 2nd and the 3rd batch of 8
    assert alone.workers == {}  # one process: the work ran in the flow's process
    two, one = (tmp_path / d / "wh" / "pactwatch.snapshot.duckdb" for d in ("two", "one"))
    assert rows(two) == rows(one)
    assert len(rows(two)["claims"]) >= 2 * PAGES
    v2, v1 = vectors(two), vectors(one)
    assert v2.keys() == v1.keys() and len(v2) == len(rows(two)["claims"])
    assert max(float(np.abs(v2[c] - v1[c]).max()) for c in v1) < 1e-5
    # every framed version was judged for framing changes, in the pass's last step
    for snap in (two, one):
        assert query(snap, "SELECT count(DISTINCT version_id) FROM framing") == \
            query(snap, "SELECT count(*) FROM framing_checks") == [(PAGES + 2,)]  # + seeds
    assert pooled.framing == alone.framing and pooled.framing["framed"] == PAGES + 2


def test_a_version_framed_by_a_cut_off_pass_is_judged_by_the_next(
        tmp_path: Path, server: DevServer) -> None:
    site(server.root)
    path = config(tmp_path / "one", server.base_url, 1)
    monitor(str(path), force=True)
    import duckdb

    con = duckdb.connect(str(tmp_path / "one" / "wh" / "pactwatch.duckdb"))
    # a pass cut off after loading its batches (framed) and before its last step
    con.execute("DELETE FROM framing_checks WHERE version_id IN "
                "(SELECT DISTINCT version_id FROM framing ORDER BY 1 LIMIT 3)")
    con.close()
    again = monitor(str(path), force=True)
    assert again.counts["articles_new"] == 0
    assert again.framing["framed"] == 3
    snap = tmp_path / "one" / "wh" / "pactwatch.snapshot.duckdb"
    assert query(snap, "SELECT count(*) FROM framing_checks") == [(PAGES + 2,)]
