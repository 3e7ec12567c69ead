"""`pactwatch eval tone` on the labelled real-world texts (../shared/eval/realworld-dev/, only
beside CI's clone): the floors below are the measured figures, never lowered silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.evaluate.realworld import SHARED
from deploy.evaluate.tone import report_tone, run, seed_items, tone_items

needs_texts = pytest.mark.skipif(
    not (SHARED / "kcna-2024.jsonl").exists(),
    reason=f"real-world texts not found at {SHARED} (../shared/eval is only beside CI's clone)")


@needs_texts
def test_tone_on_real_text_holds_its_floors() -> None:
    got = report_tone()
    dev, heldout = got["dev distinct texts"], got["heldout distinct texts"]
    # measured (tests/data/realworld_eval/RUNS.md, run 3): dev 10/10 with 1/23 neutral
    # texts given a sign; heldout 11/12 (14/15 items) with 2/16 — the target is 85%
    assert (dev.polar, dev.right, dev.neutral) == (10, 10, 23) and dev.signed <= 1
    assert (heldout.polar, heldout.neutral) == (12, 16)
    assert heldout.right >= 11 and heldout.signed <= 2
    assert got["heldout items"].right >= 14 and got["heldout items"].polar == 15


def test_seeds_are_labelled_by_their_number() -> None:
    seeds = seed_items()
    assert {"seed000", "seed004"} <= set(seeds)
    assert seeds["seed000"].text.startswith("The new North Korea-Russia pact")


@needs_texts
def test_every_label_has_its_text() -> None:
    items = tone_items()
    assert len(items) >= 100 and {label for _i, label in items} == {"pos", "neg", "neutral",
                                                                     "none"}


def test_eval_tone_skips_with_a_message_without_the_texts(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A clone with no ../shared beside it: the command says so and exits 0."""
    assert run(True, "dev", False, shared=tmp_path / "absent") == 0
    out = capsys.readouterr().out
    assert out.startswith("eval tone skipped: ") and "kcna-2024.jsonl is absent" in out
