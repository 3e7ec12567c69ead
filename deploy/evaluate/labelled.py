"""Evaluation commands: claim matching on the labelled set, check-worthiness on CheckThat!."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from deploy.evaluate.metrics import label_scores, micro_scores
from extractors import checkworthy, nlp
from extractors.claims import skip_reason
from extractors.embeddings import shared_encoder
from extractors.matching import ClaimRecord, judge, with_vectors
from flows.config import DEFAULT_MODEL, builtin_story
from warehouse.seedfiles import seed_articles

# The labelled sets ship inside the package (package data), so `pactwatch eval` works from
# an installed wheel as well as from the source tree.
EVAL_DATA = Path(str(resources.files("deploy.evaluate") / "data"))
CLAIMS_SET = EVAL_DATA / "claims_eval"
STATUSES = ("new", "repeated", "changed")


@dataclass(frozen=True)
class Labelled:
    article: str
    published_at: datetime
    outlet: str
    label: str
    field: str
    note: str
    text: str


def read_claims_set(path: Path) -> list[Labelled]:
    """Rows of `sentences.tsv`; raises ValueError naming the line of a bad label."""
    out = []
    with open(path, encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh, delimiter="\t"), 2):
            if row["label"] not in (*STATUSES, "none"):
                raise ValueError(f"{path}:{line}: unknown label {row['label']!r}")
            when = datetime.fromisoformat(row["published_at"].replace("Z", "+00:00"))
            out.append(Labelled(row["article"], when.replace(tzinfo=None), row["outlet"],
                                row["label"], row["field"], row["note"], row["text"]))
    return out


def _records(doc_id: str, analysis: nlp.DocAnalysis, seed: bool, when: datetime
             ) -> list[ClaimRecord]:
    return [ClaimRecord.of(c, f"{doc_id}:{c.sentence_idx}",
                           (0 if seed else 1, when, doc_id, c.sentence_idx), when)
            for c in analysis.claims]


def predict_claims(rows: list[Labelled], model: str = DEFAULT_MODEL) -> list[str]:
    """The pipeline's status for each labelled sentence (`none` when it is not a claim),
    judged after the seeds and the earlier articles of the set."""
    articles: dict[str, list[Labelled]] = defaultdict(list)
    for r in rows:
        articles[r.article].append(r)
    by_line = statuses_by_line([(aid, a[0].published_at, [r.text for r in a])
                                for aid, a in articles.items()], model)
    return [status for aid in articles for status in by_line[aid]]


def statuses_by_line(articles: list[tuple[str, datetime, list[str]]],
                     model: str = DEFAULT_MODEL) -> dict[str, list[str]]:
    """Judge articles given as lines (id, published_at, lines) after the two seeds, as a pass
    would: the status of each line's first claim, `none` for a line without one."""
    seeds = seed_articles()
    texts = [s.text for s in seeds] + ["\n".join(lines) for _a, _w, lines in articles]
    scorer = checkworthy.default_model()
    story = builtin_story()
    docs = nlp.analyse(nlp.load_model(model), texts, story.alias_index(),
                       scorer.scores, scorer.threshold, units=story.matching.units)
    records = []
    for s, d in zip(seeds, docs, strict=False):
        records += _records(s.url, d, True, s.published_at)
    for (aid, when, _lines), d in zip(articles, docs[len(seeds):], strict=True):
        records += _records(aid, d, False, when)
    encode = shared_encoder().encode
    records = with_vectors(sorted(records, key=lambda c: c.order), encode)
    status = {j.claim_id: j.status
              for j in judge(records, 0, {}, story.matching.synonyms, clauses=encode)}
    out = {}
    for (aid, _when, lines), d in zip(articles, docs[len(seeds):], strict=True):
        starts = _line_starts(lines)
        by_line: dict[int, str] = {}
        for c in d.claims:
            line = max(i for i, st in enumerate(starts) if st <= c.start_char)
            by_line.setdefault(line, status[f"{aid}:{c.sentence_idx}"])
        out[aid] = [by_line.get(i, "none") for i in range(len(lines))]
    return out


def _line_starts(lines: list[str]) -> list[int]:
    starts, at = [], 0
    for line in lines:
        starts.append(at)
        at += len(line) + 1
    return starts


def precision_recall(gold: list[str], pred: list[str], label: str) -> tuple[float, float, int]:
    """Precision and recall of one label, and its support in `gold` (scikit-learn's)."""
    return label_scores(gold, pred, label)


SPLITS = (("sentences.tsv", "development set (thresholds were tuned on it)"),
          ("heldout.tsv", "held-out set (written before any run on it; tuned on in session 1)"),
          ("followups.tsv", "follow-ups written blind in session 3"),
          ("followups2.tsv", "follow-ups written blind in session 6, all heldout"),
          ("followups3.tsv", "follow-ups written blind in session 7"))
# Sets labelled against the seeds and their own earlier articles only: each is judged alone.
ALONE = ("followups.tsv", "followups2.tsv", "followups3.tsv")
# followups3.tsv: articles h1-h8 dev, h9-h16 heldout (fixed when it was committed)
FOLLOWUPS3_DEV = frozenset(f"h{n}" for n in range(1, 9))


def split_of_row(name: str, article: str) -> str:
    """`dev` or `heldout`: the part of the labelled claim sets an article belongs to.
    sentences.tsv is dev; heldout.tsv and followups2.tsv are heldout; followups.tsv is cut
    by article (deploy/evaluate/data/realworld_eval's rule); followups3.tsv's first eight
    articles are dev."""
    from deploy.evaluate.realworld import split_of

    if name == "followups.tsv":
        return split_of(article)
    if name == "followups3.tsv":
        return "dev" if article in FOLLOWUPS3_DEV else "heldout"
    return "dev" if name == "sentences.tsv" else "heldout"


def report_claims(path: Path | None = None, verbose: bool = False,
                  splits: tuple[str, ...] = ("dev", "heldout")
                  ) -> dict[str, dict[str, tuple[float, float]]]:
    """Print precision and recall per status on each part of the labelled set (each file
    judged after the seeds, in publication order); return {part: {status: (precision, recall)}}.
    Each file's rows are cut into `dev` and `heldout` by `split_of_row`. `splits` says
    which parts to print (all are judged, in their sequences, whatever is printed)."""
    folder = path or CLAIMS_SET
    files = [(name, what, read_claims_set(folder / name)) for name, what in SPLITS
             if (folder / name).exists()]
    # the follow-up sets are labelled against the seeds and their own earlier articles only
    # (the README), so each is judged on its own; sentences.tsv and heldout.tsv are one
    # sequence.
    groups = [[r for n, _w, rows in files if n not in ALONE for r in rows],
              *([r for n, _w, rows in files if n == alone for r in rows] for alone in ALONE)]
    pred = {id(r): p for rows in groups if rows
            for r, p in zip(rows, predict_claims(rows), strict=True)}
    parts = []
    for name, what, rows in files:
        cut = {s: [r for r in rows if split_of_row(name, r.article) == s] for s in splits}
        whole = [s for s in splits if len(cut[s]) == len(rows)]
        if whole:   # the file is all one part
            parts.append((name, what, rows))
            continue
        for split in splits:
            if cut[split]:
                parts.append((f"{name} [{split}]", f"{what}, {split} articles", cut[split]))
    result = {}
    for name, what, rows in parts:
        gold, guess = [r.label for r in rows], [pred[id(r)] for r in rows]
        result[name] = _print_split(f"{name}: {what}, {len(rows)} sentences", gold, guess)
        if verbose:
            for row, g in zip(rows, guess, strict=True):
                if row.label != g:
                    print(f"  {row.article} gold={row.label} pred={g}: {row.text}")
    return result


def _print_split(title: str, gold: list[str], pred: list[str]) -> dict[str, tuple[float, float]]:
    print(title)
    print(f"  {'status':<10}{'precision':>10}{'recall':>8}{'support':>9}")
    out = {}
    for label in STATUSES:
        p, r, n = precision_recall(gold, pred, label)
        out[label] = (p, r)
        print(f"  {label:<10}{p:>10.3f}{r:>8.3f}{n:>9}")
    print("  confusion (gold → predicted):", dict(Counter(zip(gold, pred, strict=True))))
    return out


def report_checkworthy(tsv: Path, model: Path | None = None) -> tuple[float, float, float]:
    """Run the claim detector on a CheckThat! TSV, scored by `model` (a model file; default
    the pipeline's); print P, R and F1 of the Yes class and return them."""
    import numpy as np

    examples, problems = checkworthy.read_tsv(tsv)
    for problem in problems:
        print(f"skipped malformed row: {problem}")
    scorer = checkworthy.default_model() if model is None else checkworthy.load(model)
    texts = [e.text for e in examples]
    scores = scorer.scores(texts)
    docs = nlp.load_model(DEFAULT_MODEL).pipe(texts, batch_size=64)
    pred = np.array([skip_reason(d[:], s, scorer.threshold) is None
                     for d, s in zip(docs, scores, strict=True)])
    gold = np.array([e.label for e in examples])
    p, r, f1 = checkworthy.prf(pred, gold)
    print(f"check-worthiness on {len(examples)} sentences ({int(gold.sum())} Yes) of {tsv}"
          f" ({scorer.component}, threshold {scorer.threshold:.3f})")
    print(f"Yes class: precision {p:.3f}  recall {r:.3f}  F1 {f1:.3f}")
    return p, r, f1


def split_sentences(text: str) -> list[str]:
    """Sentences for framing without spaCy: line breaks and sentence-final punctuation."""
    import re

    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def frame_all(articles: list[list[str]], embeddings: bool = True) -> list[Any]:
    """Framing of each article (given as sentences) as a pass on the built-in story frames
    it."""
    from extractors.framing import analyse as frame
    from flows.framing_step import framing_votes

    story = builtin_story()
    votes = framing_votes(articles, embeddings, story)
    return [frame(a, v, story=story) for a, v in zip(articles, votes, strict=True)]


def report_frames(articles: Path, labels: Path, share: float = 0.1, most: int = 4,
                  embeddings: bool = True) -> tuple[float, float, float]:
    """SemEval-2023 Task 3 subtask 2: predict each article's frame set, print micro P/R/F1
    over the 14 frames as the task scored it. `share`/`most` and the way lexicon and
    embedding shares combine were fixed before any run on the data (no tuning on it)."""
    gold: dict[str, set[str]] = {}
    for line in labels.read_text(encoding="utf-8").splitlines():
        if line.strip():
            aid, _tab, frames = line.partition("\t")
            gold[aid.strip()] = {f for f in frames.strip().split(",") if f}
    texts = []
    for aid in gold:
        path = articles / f"article{aid}.txt"
        if not path.exists():
            raise ValueError(f"{path}: missing article for label {aid}")
        texts.append(split_sentences(path.read_text(encoding="utf-8")))
    framed = frame_all(texts, embeddings)
    p, r, f1 = micro_scores(list(gold.values()), [set(f.frame_set(share, most))
                                                  for f in framed])
    method = framed[0].method if framed else "-"
    print(f"frames on {len(gold)} articles ({articles}), {method}: micro precision {p:.3f} "
          f"recall {r:.3f} F1 {f1:.3f}")
    return p, r, f1


FRAMING_SET = EVAL_DATA / "framing_eval"


def _framing_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _versions(rows: list[tuple[str, str, datetime, list[str]]], embeddings: bool
              ) -> list[Any]:
    from extractors.framing_changes import FramedVersion

    out = []
    for (vid, outlet, when, _s), f in zip(rows, frame_all([r[3] for r in rows], embeddings),
                                          strict=True):
        out.append(FramedVersion(vid, vid, outlet, False, when, 1,
                                 {s.frame: s.hits for s in f.frames}, f.tone,
                                 len(f.tone_terms)))
    return out


def _histories(rows: list[dict[str, str]], embeddings: bool, seed: int = 7
               ) -> tuple[list[Any], dict[str, bool]]:
    """Weekly outlet histories built from the labelled sentences, shift known by design."""
    import random
    from datetime import timedelta

    pools: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        family = {"Security_and_defense": "security", "Economic": "economic",
                  "External_regulation_and_reputation": "external",
                  "Political": "external"}.get(r["dominant"])
        if family:
            pools[family] += r["text"].split(" | ")
    plan = {"Stable Security": ("security", "security"), "Stable External": ("external",
                                                                             "external"),
            "Shift Security to Economic": ("security", "economic"),
            "Shift External to Security": ("external", "security")}
    rng = random.Random(seed)
    start = datetime(2024, 9, 2)
    made = []
    for outlet, (early, late) in plan.items():
        for week in range(6):
            for n in range(2):
                family = early if week < 3 else late
                made.append((f"{outlet}-{week}-{n}", outlet,
                             start + timedelta(days=7 * week + n),
                             rng.sample(pools[family], 3)))
    return _versions(made, embeddings), {o: o.startswith("Shift") for o in plan}


def report_framing(folder: Path | None = None, embeddings: bool = True) -> dict[str, float]:
    """Dominant frame and tone accuracy on the labelled articles, and precision/recall of
    framing-change flags (articles against their outlet; outlet drift on built histories)."""
    from extractors.framing_changes import article_changes, outlet_changes

    rows = _framing_rows((folder or FRAMING_SET) / "articles.tsv")
    framed = frame_all([r["text"].split(" | ") for r in rows], embeddings)
    dominant = sum(f.dominant == r["dominant"] for f, r in zip(framed, rows, strict=True))
    tone = sum((f.tone > 0) == (r["tone"] == "pos") and f.tone != 0
               for f, r in zip(framed, rows, strict=True))
    versions = _versions([(r["id"], r["outlet"], datetime.fromisoformat(r["published_at"]),
                           r["text"].split(" | ")) for r in rows], embeddings)
    flagged = {c.article_id or "" for c in article_changes(versions,
                                                           {v.version_id for v in versions})}
    judged = [r for r in rows if r["departs"] in ("yes", "no")]
    a_gold = sum(r["departs"] == "yes" for r in judged)
    history, shifted = _histories(rows, embeddings)
    drifting = {c.outlet or "" for c in outlet_changes(history)}
    outlets = sorted(set(shifted) | drifting)  # one decision per labelled article and outlet
    precision, recall, _n = label_scores(
        [r["departs"] == "yes" for r in judged] + [shifted.get(o, False) for o in outlets],
        [r["id"] in flagged for r in judged] + [o in drifting for o in outlets], True)
    result = {"dominant": dominant / len(rows), "tone": tone / len(rows),
              "flag_precision": precision, "flag_recall": recall}
    print(f"framing on {len(rows)} labelled articles ({framed[0].method}): dominant frame right "
          f"{result['dominant']:.0%}, tone sign right {result['tone']:.0%}")
    print(f"framing-change flags: {len(judged)} labelled articles ({a_gold} departing), "
          f"{len(shifted)} outlet histories ({sum(shifted.values())} shifting): precision "
          f"{result['flag_precision']:.2f}, recall {result['flag_recall']:.2f} "
          f"(articles flagged {sorted(flagged & {r['id'] for r in judged})}, outlets "
          f"drifting {sorted(drifting)})")
    return result
