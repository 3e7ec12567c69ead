"""NLP quality gates: pinned floors that CI enforces. Never lower them silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.evaluate.labelled import report_checkworthy, report_claims, report_framing
from extractors import checkworthy

CHECKTHAT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "checkthat2024-en"
# (precision, recall) floors against regressions, from the first runs of matching v2
# (issue 12, deploy/evaluate/data/realworld_eval/RUNS.md). Matching v2 is precision-first for
# `changed` (a false change costs an analyst more than a missed one), so the floors on the
# recall of `changed` in the session-1 sets are lower than v1's (which was tuned on them):
# lowered on purpose, not silently. "followups.tsv [heldout]" was never tuned on.
# Matching v3 (session 4, RUNS.md run 5) raised `new` precision on both untouched parts and
# turned one heldout `changed` (a hedged restatement below the `changed` closeness) into
# `repeated`: its `changed` recall floor is that first run's 0.33, lowered in the open.
FLOORS = {
    ("sentences.tsv", "new"): (0.80, 0.85), ("sentences.tsv", "changed"): (0.90, 0.50),
    ("heldout.tsv", "changed"): (0.90, 0.25),
    ("followups.tsv [heldout]", "new"): (0.65, 0.85),
    ("followups.tsv [heldout]", "repeated"): (0.80, 0.50),
    ("followups.tsv [heldout]", "changed"): (0.90, 0.33),
    # followups2.tsv (written blind in session 6, all heldout): matching v5.1's figures
    # (RUNS.md run 12: new 0.561 / 0.902, repeated 0.711 / 0.458) rounded down; repeated
    # precision lowered 0.70 -> 0.68 for v6 (run 14: 0.690, while new precision and repeated
    # recall rose on every untouched set): lowered in the open, not silently
    ("followups2.tsv", "new"): (0.55, 0.88),
    ("followups2.tsv", "repeated"): (0.68, 0.44),
    # followups3.tsv h9-h16 (written blind in session 7): matching v6's first run (RUNS.md
    # run 14: new 0.438 / 0.808, repeated 0.704 / 0.559, changed 1.000 / 0.133) rounded down
    ("followups3.tsv [heldout]", "new"): (0.42, 0.78),
    ("followups3.tsv [heldout]", "repeated"): (0.68, 0.54),
    ("followups3.tsv [heldout]", "changed"): (0.90, 0.13),
}


@pytest.fixture(scope="module")
def claims_report() -> dict[str, dict[str, tuple[float, float]]]:
    return report_claims()


@pytest.mark.parametrize(("split", "status"), sorted(FLOORS))
def test_claim_matching_meets_its_floors(claims_report, split: str, status: str) -> None:
    precision, recall = claims_report[split][status]
    floor_p, floor_r = FLOORS[split, status]
    assert precision >= floor_p and recall >= floor_r, (split, status, precision, recall)


# Floors from each frozen model's first dev-test run, rounded down
# (deploy/evaluate/data/RUNS-checkworthy.md): v3, the protocol's result, 0.756; v1.1, the
# pipeline's model, 0.794. A lower figure is a regression in the detector around the model.
CHECKWORTHY_FLOORS = {None: 0.79, "checkworthy-v3.npz": 0.75}


@pytest.mark.parametrize("model", sorted(CHECKWORTHY_FLOORS, key=str))
def test_checkworthiness_on_checkthat_dev_test(model: str | None) -> None:
    tsv = CHECKTHAT / "CT24_checkworthy_english_dev-test.tsv"
    if not tsv.exists():
        pytest.skip(f"CheckThat! 2024 data not found at {CHECKTHAT} (../shared/eval is "
                    "only beside CI's clone)")
    path = Path(checkworthy.__file__).parent / "models" / model if model else None
    _p, _r, f1 = report_checkworthy(tsv, path)
    assert f1 >= CHECKWORTHY_FLOORS[model]


def test_framing_meets_its_targets() -> None:
    result = report_framing()
    assert result["dominant"] >= 0.80 and result["tone"] >= 0.85
    assert result["flag_precision"] >= 0.80 and result["flag_recall"] >= 0.80


def test_real_kcna_sequence_has_no_false_changes_and_finds_copies() -> None:
    from deploy.evaluate.realworld import DataMissing, report_kcna_claims

    try:
        result = report_kcna_claims(splits=("heldout",))
    except DataMissing as exc:
        pytest.skip(str(exc))
    assert result["heldout counts"]["changed"] == (0.0, 0.0)   # none labelled, none flagged
    # floors from matching v3's first run (RUNS.md run 5): repeated recall 0.938 (v2 0.979),
    # new precision 0.824 (v2 0.760); with check-worthiness v1.1 in the pipeline (run 6)
    # repeated recall 0.917, new precision 0.840
    assert result["heldout"]["repeated"][1] >= 0.91
    assert result["heldout"]["new"][0] >= 0.80


def test_relevance_on_real_coverage() -> None:
    from deploy.evaluate.realworld import DataMissing, report_relevance
    from flows.config import builtin_story

    try:
        result = report_relevance(builtin_story(), splits=("heldout",))
    except DataMissing as exc:
        pytest.skip(str(exc))
    precision, recall = result["heldout distinct texts"]
    # relevance v4's first heldout run (RUNS.md run 11): 0.973 / 0.947; v3's 0.972 / 0.921
    assert precision >= 0.95 and recall >= 0.92
