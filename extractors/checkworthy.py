"""Check-worthiness: is a sentence a factual claim worth checking? A linear model over
hashed word and character n-grams, trained by `train` on CheckThat!-format data.

The model is a small .npz of arrays (no pickle): the idf weights of each hashed feature
space, the logistic-regression weights and the decision threshold chosen on dev data.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

COMPONENT = "pactwatch.checkworthy.v1"
MODEL_FILE = "checkworthy-v1.npz"
WORD_FEATURES, CHAR_FEATURES = 2**18, 2**19


@dataclass(frozen=True)
class Example:
    sentence_id: str
    text: str
    label: bool


def read_tsv(path: str | Path) -> tuple[list[Example], list[str]]:
    """Read a CheckThat! TSV (`Sentence_id, Text, class_label` Yes/No).

    Returns the examples and, for each malformed row (which is left out), a line naming
    the file, line and problem. Raises ValueError when the header lacks a column.
    """
    out, problems = [], []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        missing = {"Sentence_id", "Text", "class_label"} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        for line, row in enumerate(reader, 2):
            label = (row["class_label"] or "").strip()
            if label not in ("Yes", "No"):
                problems.append(f"{path}:{line}: class_label must be Yes or No, got {label!r}")
                continue
            out.append(Example(row["Sentence_id"], row["Text"] or "", label == "Yes"))
    return out, problems


def _vectorizers() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import HashingVectorizer

    word = HashingVectorizer(n_features=WORD_FEATURES, ngram_range=(1, 2), alternate_sign=False,
                             norm=None, lowercase=True)
    char = HashingVectorizer(n_features=CHAR_FEATURES, analyzer="char_wb", ngram_range=(2, 5),
                             alternate_sign=False, norm=None, lowercase=True)
    return word, char


def _features(texts: Sequence[str], idf: tuple[Any, Any]) -> Any:
    from scipy.sparse import diags, hstack
    from sklearn.preprocessing import normalize

    blocks = []
    for vec, weights in zip(_vectorizers(), idf, strict=True):
        counts = vec.transform(texts).tocsr().astype(np.float32)
        counts.data = 1.0 + np.log(counts.data)
        blocks.append(normalize(counts @ diags(weights)))
    return hstack(blocks).tocsr()


def _idf(texts: Sequence[str]) -> tuple[Any, Any]:
    out = []
    for vec in _vectorizers():
        df = np.bincount(vec.transform(texts).tocsc().indices, minlength=vec.n_features)
        out.append((np.log((1 + len(texts)) / (1 + df)) + 1).astype(np.float32))
    return out[0], out[1]


@dataclass(frozen=True)
class Model:
    word_idf: Any
    char_idf: Any
    coef: Any
    intercept: float
    threshold: float

    def scores(self, texts: Sequence[str]) -> Any:
        """Probability that each text is check-worthy."""
        if not texts:
            return np.zeros(0)
        margin = _features(texts, (self.word_idf, self.char_idf)) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-margin))

    def save(self, path: str | Path) -> None:
        np.savez_compressed(path, word_idf=self.word_idf, char_idf=self.char_idf,
                            coef=self.coef.astype(np.float32),
                            meta=np.array([self.intercept, self.threshold]))


def train(train_set: Sequence[Example], c: float = 0.5, threshold: float = 0.5) -> Model:
    """Fit a class-balanced logistic regression on `train_set`.

    The threshold stays at 0.5, the natural cut of a class-balanced model: tuning it on the
    dev split over-fitted (dev F1 up, dev-test F1 down from 0.79 to 0.72).
    """
    from sklearn.linear_model import LogisticRegression

    texts = [e.text for e in train_set]
    idf = _idf(texts)
    clf = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    clf.fit(_features(texts, idf), [e.label for e in train_set])
    coef = clf.coef_[0].astype(np.float32)
    return Model(idf[0], idf[1], coef, float(clf.intercept_[0]), threshold)


def prf(pred: Any, gold: Any) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class."""
    tp = int(np.sum(pred & gold))
    p = tp / max(1, int(np.sum(pred)))
    r = tp / max(1, int(np.sum(gold)))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load(path: str | Path | None = None) -> Model:
    """Load a model file (default: the one shipped in extractors/models/)."""
    source = path or resources.files("extractors") / "models" / MODEL_FILE
    with resources.as_file(source) if path is None else _plain(path) as file:  # type: ignore[arg-type]
        data = np.load(file)
        meta = data["meta"]
        return Model(data["word_idf"], data["char_idf"], data["coef"], float(meta[0]),
                     float(meta[1]))


@functools.cache
def default_model() -> Model:
    """The shipped model, loaded once per process."""
    return load()


class _plain:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc: object) -> None:
        return None
