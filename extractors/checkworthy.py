"""Check-worthiness: is a sentence a factual claim worth checking?

A class-balanced logistic regression over scikit-learn's TF-IDF of word 1-2-grams and of
character 2-5-grams (within words), optionally beside the sentence's all-MiniLM-L6-v2
embedding (the NumPy encoder of `extractors/embeddings.py`, the one claim matching uses),
trained by `train` on CheckThat!-format data. Two configurations (`PRESETS`):
- v1.1, the pipeline's: v1's method (hashed n-grams, hand-written idf) on scikit-learn's
  TF-IDF, with v1's regularisation and threshold; no embedding.
- v3: n-grams beside the embedding, chosen on the train split (5-fold cross-validation over
  contiguous blocks of sentence ids, so that no debate is on both sides) and the dev split
  only (`bench/checkworthy_select.py`), frozen, then run once on dev-test: lower than v1
  there and on news claims, so it is kept for the record, not used.

The model is a small .npz of arrays, loaded without pickle: each vocabulary (UTF-8, one
term a line) with its idf weights, the regression's weights, the threshold, and a JSON
metadata record (component, configuration, training data and the command that rebuilds the
file). Scoring rebuilds the two `TfidfVectorizer`s from the stored vocabularies and idf.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from extractors.embeddings import MODEL_NAME

MODEL_FILE = "checkworthy-v1.1.npz"   # the model the pipeline uses
TRAIN_COMMAND = ("pactwatch train checkworthy --preset {preset} --train "
                 "CT24_checkworthy_english_train.tsv")
Array = np.ndarray


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


@dataclass(frozen=True)
class Config:
    """What `train` fits. The defaults are v1.1, the pipeline's model: v1's method (its C
    and threshold) on scikit-learn's TF-IDF with a vocabulary instead of hashing."""

    name: str = "pactwatch.checkworthy.v1.1"   # recorded on every claim row
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    min_df: int = 2          # a term seen once in 22,500 sentences is noise, and size
    c: float = 0.5           # inverse L2 strength of the logistic regression
    embedding_weight: float = 0.0   # scale of the (unit-length) embedding; 0: no embedding
    threshold: float = 0.5   # the claim detector's cut on the probability


# v3: chosen on CheckThat! train and dev only, frozen, then run once on dev-test (F1 0.756,
# below v1.1's method): deploy/evaluate/data/RUNS-checkworthy.md. Shipped for the record and
# for `pactwatch eval checkworthy --model`, not used by the pipeline (it also loses news
# claims on the KCNA dev set).
PRESETS = {"v1.1": Config(),
           "v3": Config(name="pactwatch.checkworthy.v3", c=2.0, embedding_weight=1.0,
                        threshold=0.675)}


def vectorizers(config: Config, vocabularies: tuple[Sequence[str], Sequence[str]] | None = None
                ) -> tuple[Any, Any]:
    """The word and character `TfidfVectorizer`s of `config` (unfitted; with
    `vocabularies`, fixed to them, so that only their idf weights are missing)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    word_vocab, char_vocab = vocabularies if vocabularies else (None, None)
    common = {"sublinear_tf": True, "lowercase": True, "min_df": config.min_df,
              "dtype": np.float32}
    word = TfidfVectorizer(ngram_range=config.word_ngrams, vocabulary=word_vocab, **common)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=config.char_ngrams,
                           vocabulary=char_vocab, **common)
    return word, char


def embed(texts: Sequence[str]) -> Array:
    """The sentence embeddings of `texts` (the process's shared MiniLM encoder; raises
    ModelMissing when the model is not installed)."""
    from extractors.embeddings import shared_encoder

    return shared_encoder().encode(list(texts))


def features(fitted: tuple[Any, Any], texts: Sequence[str], vectors: Array | None,
             weight: float) -> Any:
    """The model's input: word and character TF-IDF rows and, when `weight` > 0,
    `weight` × the sentence embeddings (`vectors`, one row per text), side by side."""
    from scipy.sparse import csr_matrix, hstack

    blocks = [v.transform(texts) for v in fitted]
    if weight > 0:
        blocks.append(csr_matrix(np.asarray(vectors, np.float32) * weight))
    return hstack(blocks).tocsr()


def _pack(terms: Sequence[str]) -> Array:
    """A vocabulary as UTF-8 bytes, one term a line (no term holds a line break)."""
    return np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)


def _unpack(data: Array) -> list[str]:
    return bytes(data).decode("utf-8").split("\n") if data.size else []


@dataclass(frozen=True)
class Model:
    fitted: tuple[Any, Any]   # the word and character vectorizers, fitted
    coef: Array
    intercept: float
    threshold: float
    meta: dict[str, Any]

    @property
    def component(self) -> str:
        """Name and version, as claim rows record it (`pactwatch.checkworthy.v1.1`)."""
        return str(self.meta["config"]["name"])

    def scores(self, texts: Sequence[str], vectors: Array | None = None) -> Array:
        """Probability that each text is check-worthy. `vectors`: the texts' embeddings
        when the caller has them and the model uses them; otherwise they are encoded here
        in one call."""
        if not texts:
            return np.zeros(0)
        texts = list(texts)
        weight = float(self.meta["config"]["embedding_weight"])
        if weight > 0 and vectors is None:
            vectors = embed(texts)
        margin = features(self.fitted, texts, vectors, weight) @ self.coef + self.intercept
        out: Array = 1.0 / (1.0 + np.exp(-margin))
        return out

    def save(self, path: str | Path) -> None:
        """Write the model as arrays only (no pickle)."""
        word, char = self.fitted
        np.savez_compressed(
            path, word_vocab=_pack(word.get_feature_names_out()), word_idf=word.idf_,
            char_vocab=_pack(char.get_feature_names_out()), char_idf=char.idf_,
            coef=self.coef.astype(np.float32),
            numbers=np.array([self.intercept, self.threshold], dtype=np.float64),
            meta=_pack([json.dumps(self.meta, sort_keys=True)]))


def train(train_set: Sequence[Example], config: Config | None = None, source: str = "",
          vectors: Array | None = None) -> Model:
    """Fit the TF-IDF vocabularies and a class-balanced logistic regression on `train_set`
    (`vectors`: the sentences' embeddings, row by row; encoded here when not given).

    `source` names the training data in the model's metadata, beside a SHA-256 of its
    sentences and labels, the configuration, the library versions and `TRAIN_COMMAND`.
    """
    import sklearn
    from sklearn.linear_model import LogisticRegression

    config = config or Config()
    texts = [e.text for e in train_set]
    word, char = vectorizers(config)
    word.fit(texts)
    char.fit(texts)
    clf = LogisticRegression(C=config.c, max_iter=5000, class_weight="balanced")
    if config.embedding_weight > 0 and vectors is None:
        vectors = embed(texts)
    clf.fit(features((word, char), texts, vectors, config.embedding_weight),
            [e.label for e in train_set])
    digest = hashlib.sha256("\n".join(f"{e.label:d}\t{e.text}" for e in train_set)
                            .encode("utf-8")).hexdigest()
    meta = {"component": config.name, "config": asdict(config), "trained_on": source,
            "sentences": len(texts), "data_sha256": digest,
            "command": TRAIN_COMMAND.format(preset=preset_of(config)),
            "scikit-learn": sklearn.__version__, "embeddings": MODEL_NAME}
    return Model((word, char), clf.coef_[0].astype(np.float32), float(clf.intercept_[0]),
                 config.threshold, meta)


def preset_of(config: Config) -> str:
    """The name of the preset `config` is, or "custom"."""
    return next((k for k, v in PRESETS.items() if v == config), "custom")


def cached_vectors(texts: Sequence[str], cache_dir: Path | None) -> Array:
    """`embed(texts)`, read from or kept in `cache_dir` when given (a file named by a hash
    of the model's name and the texts, so that other texts are encoded again)."""
    if cache_dir is None:
        return embed(texts)
    key = hashlib.sha256("\n".join([MODEL_NAME, *texts]).encode("utf-8")).hexdigest()[:16]
    cached = Path(cache_dir) / f"checkworthy-vectors-{key}.npy"
    if cached.exists():
        out: Array = np.load(cached, allow_pickle=False)
        return out
    out = embed(texts)
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    np.save(cached, out)
    return out


def prf(pred: Any, gold: Any) -> tuple[float, float, float]:
    """Precision, recall and F1 of the positive class (scikit-learn's metrics)."""
    from sklearn.metrics import precision_recall_fscore_support

    p, r, f1, _ = precision_recall_fscore_support(np.asarray(gold, dtype=bool),
                                                  np.asarray(pred, dtype=bool),
                                                  average="binary", zero_division=0)
    return float(p), float(r), float(f1)


def load(path: str | Path | None = None) -> Model:
    """Load a model file (default: the one shipped in extractors/models/).

    Raises OSError when it cannot be read, ValueError when it is not a v3 model.
    """
    source = resources.files("extractors") / "models" / MODEL_FILE if path is None else path
    with (resources.as_file(source) if path is None else _plain(path) as file,  # type: ignore[arg-type]
          np.load(file, allow_pickle=False) as data):
        if "word_vocab" not in data or "meta" not in data:
            raise ValueError(f"{file}: not a pactwatch.checkworthy model of v1.1 or later "
                             "(no vocabulary or metadata)")
        arrays = {k: data[k] for k in data.files}
    meta = json.loads(_unpack(arrays["meta"])[0])
    config = _config(meta["config"])
    word, char = vectorizers(config, (_unpack(arrays["word_vocab"]),
                                      _unpack(arrays["char_vocab"])))
    word.idf_, char.idf_ = arrays["word_idf"], arrays["char_idf"]
    intercept, threshold = (float(x) for x in arrays["numbers"])
    return Model((word, char), arrays["coef"], intercept, threshold, meta)


def _config(stored: dict[str, Any]) -> Config:
    """The `Config` a model's metadata records (JSON keeps pairs as lists)."""
    word, char = stored["word_ngrams"], stored["char_ngrams"]
    return Config(name=str(stored["name"]), word_ngrams=(int(word[0]), int(word[1])),
                  char_ngrams=(int(char[0]), int(char[1])), min_df=int(stored["min_df"]),
                  c=float(stored["c"]), embedding_weight=float(stored["embedding_weight"]),
                  threshold=float(stored["threshold"]))


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
