"""Commands that measure and train the models: eval, train."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deploy.cli.common import EXIT_CONFIG, Subparsers, fail
from flows.config import builtin_story


def cmd_eval(args: argparse.Namespace) -> int:
    """Evaluation: claims, check-worthiness, frames (SemEval) or framing (own set)."""
    from deploy.evaluate import labelled as evaluate
    from extractors.embeddings import ModelMissing

    embeddings = not args.lexicons_only
    if args.what == "tone":
        from deploy.evaluate.tone import run as eval_tone

        return eval_tone(embeddings, args.split, args.verbose)
    try:
        splits = ("dev", "heldout") if args.split == "all" else (args.split,)
        if args.what == "claims":
            evaluate.report_claims(Path(args.file) if args.file else None, args.verbose,
                                   splits)
            _realworld(lambda r: r.report_kcna_claims(splits=splits, verbose=args.verbose))
        elif args.what == "relevance":
            story = builtin_story()
            _realworld(lambda r: r.report_relevance(story, verbose=args.verbose,
                                                    splits=splits))
        elif args.what == "framing":
            evaluate.report_framing(Path(args.file) if args.file else None, embeddings)
        elif args.what == "frames":
            if not args.file or not args.labels:
                return fail(EXIT_CONFIG, "eval frames needs ARTICLES_DIR and LABELS.tsv")
            evaluate.report_frames(Path(args.file), Path(args.labels), embeddings=embeddings)
        else:
            if not args.file:
                return fail(EXIT_CONFIG, "eval checkworthy needs a CheckThat! TSV file")
            evaluate.report_checkworthy(Path(args.file), args.model)
    except (OSError, ValueError, ModelMissing) as exc:
        return fail(EXIT_CONFIG, str(exc))
    return 0


def _realworld(report: Callable[[Any], object]) -> None:
    """Run a report on the real-world labelled sets, or say why they are skipped."""
    from deploy.evaluate import realworld as evaluate_realworld

    try:
        report(evaluate_realworld)
    except evaluate_realworld.DataMissing as exc:
        print(f"skipped the real-world sets: {exc}")


def cmd_train(args: argparse.Namespace) -> int:
    """Train the check-worthiness model on a CheckThat! train split."""
    from extractors import checkworthy
    from extractors.embeddings import ModelMissing

    try:
        examples, problems = checkworthy.read_tsv(args.train)
        for problem in problems:
            print(f"skipped malformed row: {problem}")
        config = checkworthy.PRESETS[args.preset]
        vectors = (checkworthy.cached_vectors([e.text for e in examples], args.cache)
                   if config.embedding_weight > 0 else None)
    except (OSError, ValueError, ModelMissing) as exc:
        return fail(EXIT_CONFIG, str(exc))
    model = checkworthy.train(examples, config, Path(args.train).name, vectors)
    out = Path(args.out or f"extractors/models/checkworthy-{args.preset}.npz")
    out.parent.mkdir(parents=True, exist_ok=True)
    model.save(out)
    print(f"trained {model.component} on {len(examples)} sentences; wrote {out}")
    return 0


def add_commands(sub: Subparsers) -> None:
    """Register eval and train on the `pactwatch` parser."""
    ev = sub.add_parser("eval", help="measure claim matching or check-worthiness")
    ev.add_argument("what", choices=["claims", "relevance", "checkworthy", "frames",
                                     "framing", "tone"])
    ev.add_argument("--split", choices=["dev", "heldout", "all"], default="all",
                    help="claims/relevance/tone: which part of the labelled real-world and "
                    "follow-up sets (default: all)")
    ev.add_argument("file", nargs="?", help="claims: the set's folder (default: the "
                    "bundled deploy/evaluate/data/claims_eval); checkworthy: a CheckThat! TSV")
    ev.add_argument("labels", nargs="?", help="frames: the labels TSV (id<TAB>frame,frame)")
    ev.add_argument("--verbose", action="store_true", help="list every disagreement")
    ev.add_argument("--model", type=Path, default=None, help="checkworthy: a model file "
                    "(default: the pipeline's, extractors/models/checkworthy-v1.1.npz)")
    ev.add_argument("--lexicons-only", action="store_true",
                    help="frames/framing/tone: as with [framing] embeddings = false")
    ev.set_defaults(func=cmd_eval)
    tr = sub.add_parser("train", help="train the check-worthiness model")
    tr.add_argument("what", choices=["checkworthy"])
    tr.add_argument("--train", required=True, help="CheckThat! train TSV")
    tr.add_argument("--preset", choices=["v1.1", "v3"], default="v1.1",
                    help="v1.1: the pipeline's model; v3: the frozen CheckThat! choice")
    tr.add_argument("--out", default=None,
                    help="default: extractors/models/checkworthy-PRESET.npz")
    tr.add_argument("--cache", type=Path, default=None, help="a folder to keep the train "
                    "split's sentence embeddings in (encoding 22,500 sentences takes minutes)")
    tr.set_defaults(func=cmd_train)
