"""Framing-change flags for each scope, on framed versions built in the test."""

from __future__ import annotations

from datetime import datetime, timedelta

from extractors.framing_changes import (
    FramedVersion,
    article_changes,
    outlet_changes,
    version_changes,
)

START = datetime(2024, 9, 2)
SECURITY = {"Security_and_defense": 12, "Political": 3}
ECONOMY = {"Economic": 12, "Capacity_and_resources": 3}


def v(vid: str, outlet: str, day: int, hits: dict[str, int], tone: float = -0.5,
      version_no: int = 1, article: str | None = None) -> FramedVersion:
    return FramedVersion(vid, article or vid, outlet, False, START + timedelta(days=day),
                         version_no, hits, tone, 4)


def test_article_departing_from_its_outlet_is_flagged_with_what_moved() -> None:
    history = [v(f"a{i}", "Ledger", i, SECURITY) for i in range(4)] + [v("x", "Ledger", 5,
                                                                          ECONOMY)]
    [flag] = article_changes(history, {"x"})
    assert (flag.scope, flag.article_id, flag.baseline) == (
        "article", "x", "outlet Ledger (4 earlier articles)")
    assert flag.frames_moved[0].startswith("Economic 0.00→0.80") and flag.magnitude >= 0.8
    assert article_changes([*history[:4], v("y", "Ledger", 5, SECURITY)], {"y"}) == []


def test_young_outlet_is_compared_with_the_coverage() -> None:
    history = [v(f"a{i}", "Ledger", i, SECURITY) for i in range(4)] + [v("n", "New", 5,
                                                                          ECONOMY)]
    [flag] = article_changes(history, {"n"})
    assert flag.baseline == "coverage (4 earlier articles)"


def test_tone_swing_alone_is_a_change() -> None:
    history = [v(f"a{i}", "Ledger", i, SECURITY, -0.8) for i in range(4)]
    history.append(v("p", "Ledger", 5, SECURITY, 0.9))
    [flag] = article_changes(history, {"p"})
    assert (flag.tone_before, flag.tone_after) == (-0.8, 0.9)


def test_edited_version_that_reframes_is_flagged() -> None:
    first = v("v1", "Ledger", 1, SECURITY, article="art")
    edited = v("v2", "Ledger", 1, ECONOMY, version_no=2, article="art")
    same = v("v3", "Ledger", 1, ECONOMY, version_no=3, article="art")
    flags = version_changes([first, edited, same], {"v2", "v3"})
    assert [(f.scope, f.baseline) for f in flags] == [("version", "version 1")]


def test_outlet_drift_is_flagged_only_when_unlikely_to_be_noise() -> None:
    steady = [v(f"s{w}{n}", "Steady", 7 * w + n, SECURITY) for w in range(6) for n in range(2)]
    shifting = [v(f"d{w}{n}", "Drift", 7 * w + n, SECURITY if w < 3 else ECONOMY)
                for w in range(6) for n in range(2)]
    flags = outlet_changes(steady + shifting)
    assert {f.outlet for f in flags} == {"Drift"}
    first = min(flags, key=lambda f: f.window_start or START.date())
    assert first.window_start == (START + timedelta(days=21)).date()
    assert first.p_value is not None and first.p_value < 0.01
