"""The evaluation's precision, recall and F1 (scikit-learn's) on small labellings counted by
hand, with the convention the recorded figures use: an undefined ratio is 0."""

from __future__ import annotations

import pytest

from deploy.evaluate.metrics import label_scores, micro_scores

GOLD = ["new", "new", "new", "repeated", "repeated", "changed", "none"]
PRED = ["new", "new", "repeated", "repeated", "new", "new", "none"]


def test_one_label_of_a_labelling() -> None:
    # new: 2 of the 4 predicted are right; 2 of the 3 gold found
    assert label_scores(GOLD, PRED, "new") == (0.5, pytest.approx(2 / 3), 3)
    assert label_scores(GOLD, PRED, "repeated") == (0.5, 0.5, 2)
    # changed: never predicted (precision undefined → 0), 1 in gold
    assert label_scores(GOLD, PRED, "changed") == (0.0, 0.0, 1)
    # a label neither side uses
    assert label_scores(GOLD, PRED, "retracted") == (0.0, 0.0, 0)


def test_relevance_as_booleans() -> None:
    gold = [True, True, False, False, True]
    pred = [True, False, True, False, True]
    assert label_scores(gold, pred, True) == (pytest.approx(2 / 3), pytest.approx(2 / 3), 3)
    assert label_scores([False, False], [False, False], True) == (0.0, 0.0, 0)
    assert label_scores([], [], True) == (0.0, 0.0, 0)
    with pytest.raises(ValueError, match="3 gold labels against 2 predictions"):
        label_scores([True, False, True], [True, False], True)


def test_micro_average_over_label_sets() -> None:
    gold = [{"Economic", "Political"}, {"Security_and_defense"}, set()]
    pred = [{"Economic"}, {"Security_and_defense", "Morality"}, {"Political"}]
    # 2 right of 4 predicted; 2 found of 3 gold
    p, r, f1 = micro_scores(gold, pred)
    assert (p, r) == (0.5, pytest.approx(2 / 3))
    assert f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert micro_scores([set()], [set()]) == (0.0, 0.0, 0.0)
