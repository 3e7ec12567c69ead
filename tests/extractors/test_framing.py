"""Framing lexicons on the seeds (the issue's expectations) and on small texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.evaluate.labelled import frame_all, report_frames, split_sentences
from extractors.framing import analyse, moved, total_variation
from extractors.tone import Reading

SEEDS = Path(__file__).parents[2] / "warehouse" / "seeds"
SEMEVAL = Path(__file__).resolve().parents[3] / "shared" / "eval" / "semeval2023-frames-en"


def seed(stem: str):
    return analyse(split_sentences((SEEDS / f"{stem}.txt").read_text()))


def test_seed_004_is_more_negative_and_seed_000_more_political_and_external() -> None:
    """Lexicons alone (`[framing] embeddings = false`)."""
    s000, s004 = seed("000_1ccb32e3f93d92bb"), seed("004_5b0ad2381dd15c57")
    assert s004.tone < s000.tone and s004.tone < 0
    d000, d004 = s000.distribution(), s004.distribution()
    assert d000["Political"] > d004["Political"]
    assert d000["External_regulation_and_reputation"] > d004["External_regulation_and_reputation"]
    assert s004.dominant == "Security_and_defense"


def test_seeds_with_embeddings() -> None:
    """Lexicons + prototypes (the default): 004 more negative; 000 higher on External and on
    Political + External together (Political alone is level: about 0.13 each)."""
    s000, s004 = frame_all([split_sentences((SEEDS / f"{stem}.txt").read_text())
                            for stem in ("000_1ccb32e3f93d92bb", "004_5b0ad2381dd15c57")])
    assert s000.method == s004.method and "all-MiniLM-L6-v2" in s000.method
    assert s004.tone < s000.tone and s004.tone < 0
    d000, d004 = s000.distribution(), s004.distribution()
    ext = "External_regulation_and_reputation"
    assert d000[ext] > d004[ext] + 0.1
    assert d000["Political"] + d000[ext] > d004["Political"] + d004[ext]
    assert {"Security_and_defense", ext} <= set(s004.frame_set())
    security = next(f for f in s004.frames if f.frame == "Security_and_defense")
    assert security.votes > 0 and security.hits > security.votes


def test_votes_must_match_the_sentences() -> None:
    with pytest.raises(ValueError, match="1 frame votes for 2 sentences"):
        analyse(["One.", "Two."], [Reading("Economic")])


def test_scores_carry_their_evidence() -> None:
    f = analyse(["The treaty is an alarming threat to regional security, officials warned.",
                 "Trade and oil exports rose.", 'He called it a "dangerous" pact.'])
    security = next(x for x in f.frames if x.frame == "Security_and_defense")
    assert security.hits >= 2 and 0 in security.sentences and "security" in security.terms
    assert f.tone < 0 and "alarm" in f.tone_terms
    quoted = {(e.term, e.quoted) for e in f.evaluative}
    assert ("danger", True) in quoted and ("alarm", False) in quoted


def test_distances_and_moves() -> None:
    a = {"Economic": 0.5, "Security_and_defense": 0.5}
    b = {"Economic": 0.1, "Security_and_defense": 0.9}
    assert total_variation(a, b) == pytest.approx(0.4)
    assert moved(a, b, 1) == ["Economic 0.50→0.10"]


def test_semeval_frames_measured() -> None:
    if not SEMEVAL.exists():
        pytest.skip(f"SemEval-2023 frames data not found at {SEMEVAL} (../shared/eval is "
                    "only beside CI's clone)")
    _p, _r, lexicons = report_frames(SEMEVAL / "articles", SEMEVAL / "labels.tsv",
                                     embeddings=False)
    _p, _r, f1 = report_frames(SEMEVAL / "articles", SEMEVAL / "labels.tsv")
    assert f1 >= 0.55  # the target (measured 0.569; lexicons alone 0.489)
    assert f1 > lexicons
