"""Rerun the choice of check-worthiness v3's configuration, on CheckThat! train and dev only.

For each candidate: 5-fold cross-validation on the train split, the folds being contiguous
blocks of sentence ids (the ids run debate by debate, so a debate is never on both sides of
a fold: the closest the train split gets to dev-test's unseen debates), then a fit on the
whole train split scored on dev. Each is measured as the claim detector (form rules, then
the score; `extractors.claims.skip_reason`) at thresholds 0.2-0.8. The choice is the
candidate and threshold with the best mean of the cross-validated F1 and the dev F1.

The dev-test split is never read here. Run (about 20 minutes on 2 busy cores):
`nice .venv/bin/python bench/checkworthy_select.py [FOLDER [CACHE]]` (FOLDER defaults to
`../shared/eval/checkthat2024-en`; CACHE keeps the sentence embeddings, which take most of
the time, between runs).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from extractors import checkworthy, nlp
from extractors.checkworthy import Config, Example
from extractors.claims import NEWS_MARGIN, _concrete, form_problem
from flows.config import DEFAULT_MODEL

DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "checkthat2024-en"
FOLDS = 5
THRESHOLDS = tuple(round(0.2 + 0.025 * i, 3) for i in range(25))
# n-grams alone (embedding weight 0), then n-grams beside the embedding
CANDIDATES = (
    *(Config(c=c, embedding_weight=0.0) for c in (0.25, 0.5, 1.0, 2.0)),
    *(Config(c=0.5, embedding_weight=w) for w in (0.5, 1.0, 2.0)),
    *(Config(c=c, embedding_weight=1.0) for c in (1.0, 2.0)),
)


def sentence_forms(texts: Sequence[str]) -> tuple[Any, Any]:
    """For each text: whether its form allows a claim, and whether it is concrete news
    (the two things the claim detector reads besides the score)."""
    docs = nlp.load_model(DEFAULT_MODEL).pipe(texts, batch_size=64)
    pairs = [(form_problem(d[:]) is None, _concrete(d[:])) for d in docs]
    return np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])


def detected(scores: Any, forms: tuple[Any, Any], threshold: float) -> Any:
    """The claim detector's decision (as `skip_reason`) from scores and sentence forms."""
    form_ok, concrete = forms
    return form_ok & ((scores >= threshold)
                      | ((scores >= threshold - NEWS_MARGIN) & concrete))


def folds(train: Sequence[Example]) -> Any:
    """Fold number of each train example: contiguous blocks of sentence ids."""
    order = np.argsort([int(e.sentence_id) for e in train], kind="stable")
    out = np.empty(len(train), dtype=int)
    out[order] = np.arange(len(train)) * FOLDS // len(train)
    return out


def out_of_fold(train: Sequence[Example], vectors: Any, fold: Any, config: Config) -> Any:
    """Each train sentence's score from the model fitted on the other folds."""
    out = np.zeros(len(train))
    for k in range(FOLDS):
        inside = [e for e, f in zip(train, fold, strict=True) if f != k]
        model = checkworthy.train(inside, config, vectors=vectors[fold != k])
        out[fold == k] = model.scores([e.text for e, f in zip(train, fold, strict=True)
                                       if f == k], vectors[fold == k])
    return out


def measure(train: list[Example], dev: list[Example], config: Config,
            forms: dict[str, tuple[Any, Any]], vectors: dict[str, Any]
            ) -> list[tuple[float, float, float, float]]:
    """(mean, threshold, cross-validated F1, dev F1) for each threshold."""
    cv = out_of_fold(train, vectors["train"], folds(train), config)
    model = checkworthy.train(train, config, vectors=vectors["train"])
    on_dev = model.scores([e.text for e in dev], vectors["dev"])
    gold_t, gold_d = (np.array([e.label for e in s]) for s in (train, dev))
    rows = []
    for t in THRESHOLDS:
        f_cv = checkworthy.prf(detected(cv, forms["train"], t), gold_t)[2]
        f_dev = checkworthy.prf(detected(on_dev, forms["dev"], t), gold_d)[2]
        rows.append(((f_cv + f_dev) / 2, t, f_cv, f_dev))
    return rows


def main(folder: Path, cache: Path | None) -> None:
    train, dev = (checkworthy.read_tsv(folder / f"CT24_checkworthy_english_{s}.tsv")[0]
                  for s in ("train", "dev"))
    forms = {"train": sentence_forms([e.text for e in train]),
             "dev": sentence_forms([e.text for e in dev])}
    vectors = {"train": checkworthy.cached_vectors([e.text for e in train], cache),
               "dev": checkworthy.cached_vectors([e.text for e in dev], cache)}
    best: tuple[float, float, Config] = (-1.0, 0.0, Config())
    for config in CANDIDATES:
        started = time.perf_counter()
        rows = measure(train, dev, config, forms, vectors)
        mean, t, f_cv, f_dev = max(rows)
        print(f"{config}: best mean {mean:.4f} at threshold {t} (cv {f_cv:.4f}, dev "
              f"{f_dev:.4f}); {time.perf_counter() - started:.0f} s", flush=True)
        if mean > best[0]:
            best = (mean, t, config)
    print(f"chosen: {replace(best[2], threshold=best[1])} (mean {best[0]:.4f})")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DATA,
         Path(sys.argv[2]) if len(sys.argv) > 2 else None)
