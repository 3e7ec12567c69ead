"""Evaluation on real text (issue 12): relevance, claims and tone labelled in
deploy/evaluate/data/realworld_eval/ against the texts in ../shared/eval/realworld-dev/.

Labels name items by id; the texts are read from the shared folder (never copied into the
repository). Every figure is printed per split: `dev` (methods were developed on it) and
`heldout` (never tuned on; its first-run figures are the ones reported).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from deploy.evaluate.metrics import label_scores
from extractors.language import detect
from extractors.relevance import judge
from extractors.story import Story

LABELS = Path(__file__).resolve().parent / "data" / "realworld_eval"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "eval" / "realworld-dev"


class DataMissing(RuntimeError):
    """The shared texts are not beside the clone."""


@dataclass(frozen=True)
class Item:
    item_id: str
    source: str
    title: str
    text: str
    date: str = ""        # ISO day, where the source gives one (KCNA)

    @property
    def split(self) -> str:
        return split_of(self.item_id)


def split_of(item_id: str) -> str:
    """`heldout` for about 30% of ids (fixed before labelling), else `dev`."""
    return "heldout" if int(hashlib.sha1(item_id.encode()).hexdigest()[:8], 16) % 10 < 3 \
        else "dev"


def _short(key: str) -> str:
    return hashlib.sha1(key.encode()).hexdigest()[:12]


def kcna_stories(shared: Path = SHARED) -> dict[str, Item]:
    """KCNA stories by id (the first occurrence of each link)."""
    path = shared / "kcna-2024.jsonl"
    if not path.exists():
        raise DataMissing(f"{path} is absent: the real-world texts live in ../shared/eval/")
    out: dict[str, Item] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        out.setdefault(_short(r["link"]), Item(_short(r["link"]), "kcna", r["headline"],
                                               r["story_text"], r["date_str"]))
    return out


def publisher_pages(shared: Path = SHARED) -> dict[str, Item]:
    """Publisher pages by id, with their expected title and body text."""
    path = shared / "publisher-pages.jsonl"
    if not path.exists():
        raise DataMissing(f"{path} is absent: the real-world texts live in ../shared/eval/")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {_short(r["file"]): Item(_short(r["file"]), "page", r["title"], r["text"])
            for r in rows}


def read_labels(pattern: str, folder: Path = LABELS) -> list[dict[str, str]]:
    """Rows of every label file matching `pattern` in `folder`."""
    rows: list[dict[str, str]] = []
    for path in sorted(folder.glob(pattern)):
        with open(path, encoding="utf-8", newline="") as fh:
            rows += list(csv.DictReader(fh, delimiter="\t"))
    return rows


def relevance_items(folder: Path = LABELS, shared: Path = SHARED
                    ) -> list[tuple[Item, bool]]:
    """Labelled items with their gold decision: the labelled KCNA stories and pages, and
    every other publisher page as a negative (none is about the story). Identical texts
    whose labels conflict are left out."""
    stories, pages = kcna_stories(shared), publisher_pages(shared)
    gold: dict[str, bool] = {}
    for r in read_labels("relevance_*.tsv", folder):
        gold[r["id"]] = r["label"] == "yes"
    items = [(stories[i] if i in stories else pages[i], y) for i, y in gold.items()]
    items += [(p, False) for i, p in pages.items() if i not in gold]
    by_text: dict[str, set[bool]] = defaultdict(set)
    for item, y in items:
        by_text[_text_key(item)].add(y)
    return [(item, y) for item, y in items if len(by_text[_text_key(item)]) == 1]


def _text_key(item: Item) -> str:
    return " ".join((item.text.strip() or item.title).split())


def predict_relevance(story: Story, item: Item) -> bool:
    """The pipeline's decision: a text in a language it does not analyse is not judged
    (so not relevant); otherwise the story's relevance rule."""
    if not detect(item.title, item.text).analysed:
        return False
    return judge(story, item.title, item.text).relevant


def report_relevance(story: Story, folder: Path = LABELS, shared: Path = SHARED,
                     verbose: bool = False, splits: tuple[str, ...] = ("dev", "heldout")
                     ) -> dict[str, tuple[float, float]]:
    """Precision and recall of `relevant` per split, per item and per distinct text."""
    items = relevance_items(folder, shared)
    pred = {id(item): predict_relevance(story, item) for item, _y in items}
    result = {}
    for split in splits:
        mine = [(i, y) for i, y in items if i.split == split]
        distinct = {_text_key(i): (i, y) for i, y in mine}
        for what, rows in (("items", mine), ("distinct texts", list(distinct.values()))):
            p, r, n = _pr([y for _i, y in rows], [pred[id(i)] for i, _y in rows])
            print(f"relevance, {split}, {len(rows)} {what} ({n} relevant): "
                  f"precision {p:.3f} recall {r:.3f}")
            result[f"{split} {what}"] = (p, r)
        if verbose:
            for i, y in distinct.values():
                if pred[id(i)] != y:
                    why = judge(story, i.title, i.text)
                    print(f"  {i.item_id} gold={'yes' if y else 'no'} score={why.score}: "
                          f"{i.title[:70]} | {why.reason}")
    return result


def _pr(gold: list[bool], pred: list[bool]) -> tuple[float, float, int]:
    """Precision and recall of `relevant`, and how many are relevant (scikit-learn's)."""
    return label_scores(gold, pred, True)


def kcna_claims(folder: Path = LABELS, shared: Path = SHARED
                ) -> tuple[list[tuple[str, datetime, list[str]]], list[dict[str, str]]]:
    """The labelled KCNA sequence as articles (id, date, lines) in date order, and the
    label rows. Raises ValueError when a label's line no longer matches its text."""
    stories = kcna_stories(shared)
    labels = read_labels("claims.tsv", folder)
    ids = list(dict.fromkeys(r["id"] for r in labels))
    articles = []
    for i in ids:
        lines = stories[i].text.split("\n")
        for r in (r for r in labels if r["id"] == i):
            digest = hashlib.sha1(lines[int(r["line"])].encode()).hexdigest()[:8]
            if digest != r["text_sha1"]:
                raise ValueError(f"claims.tsv: {i} line {r['line']} does not match its text")
        articles.append((i, datetime.fromisoformat(stories[i].date) + timedelta(hours=12),
                         lines))
    articles.sort(key=lambda a: (a[1], a[0]))
    return articles, labels


def report_kcna_claims(folder: Path = LABELS, shared: Path = SHARED,
                       splits: tuple[str, ...] = ("dev", "heldout"), verbose: bool = False
                       ) -> dict[str, dict[str, tuple[float, float]]]:
    """new / repeated / changed precision and recall on the labelled KCNA sequence (judged
    whole, after the seeds, in date order), per split of its stories; under "<split>
    counts", how many lines each status was given and how many are labelled so."""
    from deploy.evaluate.labelled import STATUSES, precision_recall, statuses_by_line

    articles, labels = kcna_claims(folder, shared)
    pred = statuses_by_line(articles)
    text = {a[0]: a[2] for a in articles}
    result: dict[str, dict[str, tuple[float, float]]] = {}
    for split in splits:
        rows = [r for r in labels if split_of(r["id"]) == split]
        gold = [r["label"] for r in rows]
        guess = [pred[r["id"]][int(r["line"])] for r in rows]
        print(f"KCNA claims, {split}: {len(rows)} lines")
        result[split], result[f"{split} counts"] = {}, {}
        for status in STATUSES:
            p, r, n = precision_recall(gold, guess, status)
            result[split][status] = (p, r)
            result[f"{split} counts"][status] = (float(guess.count(status)), float(n))
            print(f"  {status:<10} precision {p:.3f} recall {r:.3f} support {n}")
        if verbose:
            for row, g in zip(rows, guess, strict=True):
                if g != row["label"]:
                    line = text[row["id"]][int(row["line"])]
                    print(f"  {row['id']}[{row['line']}] gold={row['label']} pred={g}: "
                          f"{line[:110]}")
    return result
