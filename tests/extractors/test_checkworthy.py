"""Check-worthiness (v1.1, v3): reading CheckThat! files, training, the stored model files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from extractors import checkworthy

SMALL = Path(__file__).resolve().parents[1] / "data" / "checkworthy_small.tsv"
MODELS = Path(checkworthy.__file__).parent / "models"


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
    assert again.component == again.meta["component"] == "pactwatch.checkworthy.v1.1"
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
    with pytest.raises(ValueError, match=r"v1\.npz: not a pactwatch\.checkworthy model"):
        checkworthy.load(old)


def test_an_embedding_model_scores_with_the_vectors_it_is_given(tmp_path: Path) -> None:
    examples, _ = checkworthy.read_tsv(SMALL)
    texts = [e.text for e in examples]
    config = checkworthy.Config(name="test.v3", min_df=1, embedding_weight=1.0)
    vectors = checkworthy.embed(texts)
    model = checkworthy.train(examples, config, "small", vectors)
    assert model.coef.shape[0] > 384   # n-grams, then the 384 embedding dimensions
    model.save(tmp_path / "m.npz")
    again = checkworthy.load(tmp_path / "m.npz")
    assert again.component == "test.v3"
    assert np.allclose(again.scores(texts), model.scores(texts, vectors), atol=1e-5)


@pytest.mark.parametrize(("path", "component", "threshold", "preset"), [
    (None, "pactwatch.checkworthy.v1.1", 0.5, "v1.1"),
    (MODELS / "checkworthy-v3.npz", "pactwatch.checkworthy.v3", 0.675, "v3")])
def test_shipped_models_say_what_they_are_and_rank_claims_above_chatter(
        path: Path | None, component: str, threshold: float, preset: str) -> None:
    model = checkworthy.default_model() if path is None else checkworthy.load(path)
    assert (model.component, model.threshold) == (component, threshold)
    assert model.meta["trained_on"] == "CT24_checkworthy_english_train.tsv"
    assert model.meta["sentences"] == 22499
    assert f"pactwatch train checkworthy --preset {preset}" in model.meta["command"]
    claim, chatter = model.scores([
        "North Korea has sent 12,000 troops and 3 million artillery shells to Russia since 2023.",
        "Thank you so much, it is wonderful to be here with all of you tonight."])
    assert claim > model.threshold > chatter
