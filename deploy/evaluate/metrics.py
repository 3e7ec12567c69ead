"""Precision, recall and F1 for the evaluation harnesses, from scikit-learn: one label of a
multi-class labelling, and micro averages over label sets. Undefined ratios (nothing
predicted, nothing to find) count 0, as the figures in README and RUNS.md always did."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from sklearn.metrics import precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer


def label_scores(gold: Sequence[Hashable], pred: Sequence[Hashable], label: Hashable
                 ) -> tuple[float, float, int]:
    """Precision and recall of `label` (pred against gold, item by item) and its support
    (how often it is in `gold`). Raises ValueError when the lengths differ."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold labels against {len(pred)} predictions")
    if not gold:
        return 0.0, 0.0, 0
    p, r, _f, n = precision_recall_fscore_support(list(gold), list(pred), labels=[label],
                                                  zero_division=0)
    return float(p[0]), float(r[0]), int(n[0])


def micro_scores(gold: Sequence[set[str]], pred: Sequence[set[str]]
                 ) -> tuple[float, float, float]:
    """Micro-averaged precision, recall and F1 of predicted label sets against gold sets
    (every label of every item counted once: SemEval-2023 Task 3's subtask 2 score)."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold label sets against {len(pred)} predictions")
    labels = sorted(set().union(*gold, *pred))
    if not labels:
        return 0.0, 0.0, 0.0
    binarize = MultiLabelBinarizer(classes=labels)
    p, r, f1, _n = precision_recall_fscore_support(
        binarize.fit_transform(gold), binarize.transform(pred), average="micro",
        zero_division=0)
    return float(p), float(r), float(f1)
