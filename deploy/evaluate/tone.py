"""`pactwatch eval tone`: tone toward the pact on real text (issue 12), labelled in
tests/data/realworld_eval/tone.tsv (`pos`, `neg`, `neutral`, `none`) for KCNA stories,
publisher pages and the seeds; the texts are read from ../shared/eval/realworld-dev/ (the
seeds from warehouse/seeds/).

Figures per split (`dev`: the method was developed on it; `heldout`: never tuned on, its
first-run figure is the one reported), per item and per distinct text: how many of the
articles that take a side (`pos`, `neg`) get the right sign (|tone| >= NEUTRAL_BAND, same
sign), and how many `neutral` ones get a sign. `none` items (not about the pact; a pass never
frames them) are counted apart.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from deploy.evaluate.realworld import (
    LABELS,
    SHARED,
    DataMissing,
    Item,
    kcna_stories,
    publisher_pages,
    read_labels,
    split_of,
)
from extractors.relevance import split_sentences
from extractors.tone import NEUTRAL_BAND

SEEDS = Path(__file__).resolve().parents[2] / "warehouse" / "seeds"
SPLITS = ("dev", "heldout")


@dataclass(frozen=True)
class Scored:
    item: Item
    label: str
    tone: float
    method: str
    evidence: str            # the sentence that carries the tone most, or ""

    @property
    def predicted(self) -> str:
        if abs(self.tone) < NEUTRAL_BAND:
            return "neutral"
        return "pos" if self.tone > 0 else "neg"


@dataclass(frozen=True)
class Figures:
    polar: int               # articles labelled pos or neg
    right: int               # … with the right sign
    neutral: int             # articles labelled neutral
    signed: int              # … that got a sign

    @property
    def accuracy(self) -> float:
        return self.right / self.polar if self.polar else 0.0


def seed_items(folder: Path = SEEDS) -> dict[str, Item]:
    """The seed articles by label id (`seed000` for 000_….txt)."""
    return {f"seed{p.name[:3]}": Item(f"seed{p.name[:3]}", "seed", "", p.read_text("utf-8"))
            for p in sorted(folder.glob("[0-9][0-9][0-9]_*.txt"))}


def tone_items(folder: Path = LABELS, shared: Path = SHARED) -> list[tuple[Item, str]]:
    """Every labelled item with its label. Raises DataMissing without the shared texts."""
    texts = {**kcna_stories(shared), **publisher_pages(shared), **seed_items()}
    rows = read_labels("tone.tsv", folder)
    missing = [r["id"] for r in rows if r["id"] not in texts]
    if missing:
        raise ValueError(f"tone.tsv: {len(missing)} ids with no text, e.g. {missing[:3]}")
    return [(texts[r["id"]], r["label"]) for r in rows]


def score(items: list[tuple[Item, str]], embeddings: bool = True) -> list[Scored]:
    """Each item's tone as a pass computes it (its text split into sentences)."""
    from extractors.framing import analyse
    from flows.framing_step import framing_votes

    articles = [split_sentences(item.text) for item, _label in items]
    votes = framing_votes(articles, embeddings)
    out = []
    for (item, label), sentences, voted in zip(items, articles, votes, strict=True):
        f = analyse(sentences, voted)
        lead = sentences[f.tone_sentences[0]] if f.tone_sentences else ""
        out.append(Scored(item, label, f.tone, f.method, lead))
    return out


def figures(scored: list[Scored]) -> Figures:
    polar = [s for s in scored if s.label in ("pos", "neg")]
    neutral = [s for s in scored if s.label == "neutral"]
    return Figures(len(polar), sum(s.predicted == s.label for s in polar), len(neutral),
                   sum(s.predicted != "neutral" for s in neutral))


def distinct(scored: list[Scored]) -> list[Scored]:
    """One per distinct text (the KCNA archive repeats stories under several links)."""
    return list({" ".join((s.item.text.strip() or s.item.title).split()): s
                 for s in scored}.values())


def report_tone(folder: Path = LABELS, shared: Path = SHARED, embeddings: bool = True,
                splits: tuple[str, ...] = SPLITS, verbose: bool = False
                ) -> dict[str, Figures]:
    """Print and return the figures per split, per item and per distinct text. Raises
    DataMissing when ../shared/eval/realworld-dev/ is absent."""
    items = [(i, y) for i, y in tone_items(folder, shared) if split_of(i.item_id) in splits]
    scored = score(items, embeddings)
    method = scored[0].method if scored else "-"
    result: dict[str, Figures] = {}
    for split in splits:
        mine = [s for s in scored if split_of(s.item.item_id) == split]
        for what, rows in (("items", mine), ("distinct texts", distinct(mine))):
            f = figures(rows)
            result[f"{split} {what}"] = f
            print(f"tone, {split}, {len(rows)} {what} ({method}): sign right on {f.right}/"
                  f"{f.polar} that take one ({f.accuracy:.1%}); neutral given a sign: "
                  f"{f.signed}/{f.neutral}; {_none(rows)}")
        if verbose:
            _disagreements(distinct(mine))
    return result


def _none(rows: list[Scored]) -> str:
    counts = Counter(s.predicted for s in rows if s.label == "none")
    return f"not about the pact: {sum(counts.values())} ({dict(sorted(counts.items()))})"


def _disagreements(rows: list[Scored]) -> None:
    for s in rows:
        if s.label != "none" and s.predicted != s.label:
            print(f"  {s.item.item_id} gold={s.label} tone={s.tone:+.3f}: "
                  f"{(s.item.title or s.item.text)[:60]!r} | {s.evidence[:100]!r}")


def run(embeddings: bool, split: str, verbose: bool, shared: Path = SHARED) -> int:
    """The CLI's entry: 0 after printing figures, or after a skip message when the shared
    texts are absent."""
    try:
        report_tone(shared=shared, embeddings=embeddings,
                    splits=SPLITS if split == "all" else (split,), verbose=verbose)
    except DataMissing as exc:
        print(f"eval tone skipped: {exc}")
    return 0
