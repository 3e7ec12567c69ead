"""A second story with no code change: AUKUS, configured in `[story]` alone
(tests/data/second_story/story.toml), and a real monitor pass over its own small corpus
served from loopback: its articles are relevant, its actors get stances, its claims are
extracted, and the built-in story's pact is off the story here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from deploy.demo.server import DevServer
from flows.monitor import monitor
from tests.conftest import DATA, query, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]
CORPUS = DATA / "second_story"
ON_STORY = {"aukus-plan", "aukus-shipyard", "aukus-china", "aukus-training"}


def name(url: str) -> str:
    return url.rsplit("/", 1)[-1].removesuffix(".html")


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory, prefect_harness: None) -> Path:
    """The snapshot after one pass of the AUKUS story over its feed."""
    tmp = tmp_path_factory.mktemp("aukus")
    shutil.copytree(CORPUS, tmp / "site")
    with DevServer(tmp / "site") as server:
        story = (CORPUS / "story.toml").read_text(encoding="utf-8")
        config = write_config(tmp / "c.toml", [("Southern Ledger",
                                                f"{server.base_url}/feed.xml")], story)
        summary = monitor(str(config), force=True)
    assert summary.status == "completed"
    return tmp / "wh" / "pactwatch.snapshot.duckdb"


def test_its_articles_are_relevant_and_the_others_not(snapshot: Path) -> None:
    rows = query(snapshot, "SELECT url, relevant, analysis, relevance_reason FROM v_articles "
                           "WHERE NOT is_seed")
    seen = {name(url): (relevant, analysis, reason) for url, relevant, analysis, reason in rows}
    assert set(seen) == ON_STORY | {"bushfire", "pact"}
    assert all(seen[n][0] and seen[n][1] == "analysed" for n in ON_STORY), seen
    assert seen["bushfire"][:2] == (False, "not relevant")
    assert seen["bushfire"][2] == "no mention of partners"          # the story's own group
    assert seen["pact"][:2] == (False, "not relevant")
    assert seen["pact"][2] == "no mention of australia or partners"


def test_its_actors_get_stances_and_the_pacts_actors_none(snapshot: Path) -> None:
    rows = query(snapshot, """SELECT a.url, s.actor, s.score FROM stances s
        JOIN v_articles a ON a.latest_version_id = s.version_id WHERE NOT a.is_seed""")
    stances = {(name(url), actor): score for url, actor, score in rows}
    actors = {actor for _n, actor in stances}
    assert actors <= {"Australia", "United States and Britain", "China"}
    assert {"Australia", "United States and Britain", "China"} <= {
        a for n, a in stances if n == "aukus-china"}
    assert stances["aukus-china", "China"] < 0          # "condemned … a dangerous threat"
    assert stances["aukus-shipyard", "Australia"] > 0   # "welcomed the historic partnership"
    assert {name(url) for url, _a, _s in rows} <= ON_STORY


def test_its_articles_are_framed_and_toned(snapshot: Path) -> None:
    rows = query(snapshot, "SELECT article_url, frame, score FROM v_framing "
                           "WHERE article_url NOT LIKE 'seed://%'")
    framed = {name(url) for url, _f, _s in rows}
    assert framed == ON_STORY
    tone = {name(url): score for url, frame, score in rows if frame == "tone"}
    assert tone["aukus-china"] < 0 < tone["aukus-shipyard"]
    [(dominant,)] = query(snapshot, """SELECT arg_max(frame, score) FROM v_framing
        WHERE frame <> 'tone' AND article_url LIKE '%aukus-china%'""")
    assert dominant in ("Security_and_defense", "External_regulation_and_reputation")


def test_its_claims_are_extracted_with_the_storys_units(snapshot: Path) -> None:
    rows = query(snapshot, "SELECT article_url, claim_text, status, quantities, actors "
                           "FROM v_claims WHERE NOT is_seed")
    assert {name(url) for url, *_rest in rows} == ON_STORY
    assert all(status in ("new", "repeated", "changed") for _u, _t, status, _q, _a in rows)
    units = {(name(url), q["text"]): q["unit"] for url, _t, _s, qs, _a in rows for q in qs}
    # "boats" count submarines in this story ([story.extend.matching.units])
    assert units["aukus-shipyard", "up to 12"] == "submarine"
    assert any("Virginia-class submarines" in text and "Australia" in actors
               for url, text, _s, _q, actors in rows if name(url) == "aukus-plan")
