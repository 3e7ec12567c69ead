"""Check-worthiness v3: reading CheckThat! files, training, the stored model file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from extractors import checkworthy

SMALL = Path(__file__).resolve().parents[1] / "data" / "checkworthy_small.tsv"


def test_read_tsv_skips_and_names_a_malformed_row() -> None:
    examples, problems = checkworthy.read_tsv(SMALL)
    assert len(examples) == 23 and sum(e.label for e in examples) == 12
    assert problems == [f"{SMALL}:9: class_label must be Yes or No, got 'Maybe'"]


def test_read_tsv_refuses_a_file_without_labels(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("Sentence_id\tText\n1\tHello.\n")
    with pytest.raises(ValueError, match=r"bad.tsv: missing columns \['class_label'\]"):
        checkworthy.read_tsv(bad)


def test_trained_model_round_trips_through_its_file(tmp_path: Path) -> None:
    examples, _ = checkworthy.read_tsv(SMALL)
    model = checkworthy.train(examples, checkworthy.Config(min_df=1, c=10.0), source="small")
    texts = [e.text for e in examples]
    scores = model.scores(texts)
    gold = np.array([e.label for e in examples])
    assert scores[gold].min() > scores[~gold].max()   # it learned its own examples
    path = tmp_path / "m.npz"
    model.save(path)
    with np.load(path, allow_pickle=False) as data:   # arrays only: no pickle needed
        assert "coef" in data.files
    again = checkworthy.load(path)
    assert np.allclose(again.scores(texts), scores, atol=1e-6)
    assert again.meta["component"] == checkworthy.COMPONENT
    assert again.meta["trained_on"] == "small" and again.meta["sentences"] == 23
    assert again.meta["config"]["min_df"] == 1 and again.threshold == 0.5
    assert len(again.meta["data_sha256"]) == 64


def test_training_twice_gives_the_same_file(tmp_path: Path) -> None:
    examples, _ = checkworthy.read_tsv(SMALL)
    for name in ("a.npz", "b.npz"):
        checkworthy.train(examples, checkworthy.Config(min_df=1), "small").save(tmp_path / name)
    with np.load(tmp_path / "a.npz") as a, np.load(tmp_path / "b.npz") as b:
        assert all(np.array_equal(a[k], b[k]) for k in a.files)


def test_load_refuses_a_file_of_another_version(tmp_path: Path) -> None:
    old = tmp_path / "checkworthy-v1.npz"
    np.savez(old, word_idf=np.ones(4), char_idf=np.ones(4), coef=np.zeros(8),
             meta=np.array([0.0, 0.5]))
    with pytest.raises(ValueError, match=r"checkworthy-v1\.npz: not a pactwatch\.checkworthy\.v3"):
        checkworthy.load(old)


def test_shipped_model_says_what_it_is_and_ranks_claims_above_chatter() -> None:
    model = checkworthy.default_model()
    assert model.meta["component"] == checkworthy.COMPONENT == "pactwatch.checkworthy.v3"
    assert model.meta["trained_on"] == "CT24_checkworthy_english_train.tsv"
    assert model.meta["sentences"] == 22499
    assert "pactwatch train checkworthy" in model.meta["command"]
    claim, chatter = model.scores([
        "North Korea has sent 12,000 troops and 3 million artillery shells to Russia since 2023.",
        "Thank you so much, it is wonderful to be here with all of you tonight."])
    assert claim > model.threshold > chatter
