"""The `frame` step: framing rows for newly analysed versions, then the changes they make."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from extractors import framing
from extractors.embeddings import Encoder, ModelMissing, model_folder, shared_encoder
from extractors.frame_prototypes import Prototypes, encode_prototypes
from extractors.framing_changes import (
    Baseline,
    FramedVersion,
    FramingChange,
    article_change,
    article_changes,
    outlet_changes,
    version_changes,
    week_change,
)
from extractors.story import Story
from extractors.tone import Reading, encode_tone_prototypes, readings
from flows.config import ConfigError, Settings
from flows.rows import digest
from warehouse.framing_baselines import FramingBaselines, Sums
from warehouse.load import Batch
from warehouse.schemas import EvaluativeTermRow, FramingChangeRow, FramingRow, StanceRow


def check_framing_model(settings: Settings) -> None:
    """Before a pass does any work: the embedding model is there when framing needs it."""
    cfg = settings.framing
    if not cfg.embeddings:
        return
    try:
        model_folder(cfg.model_dir)
    except ModelMissing as exc:
        key = "model_dir" if cfg.model_dir else "embeddings"
        raise ConfigError(f"{settings.config_path}: [framing].{key}: {exc}; or set "
                          "embeddings = false to frame by lexicons alone") from None


Texts = tuple[tuple[str, tuple[str, ...]], ...]   # prototypes, hashable: class → texts


def frame_model(model_dir: Path | None, story: Story) -> tuple[Encoder, Prototypes, Prototypes]:
    """The sentence encoder and the story's frame and tone prototypes encoded, once per
    process and story."""
    return _frame_model(model_dir, tuple(story.framing.prototypes.items()),
                        tuple(story.tone.prototypes.items()))


@lru_cache(maxsize=2)
def _frame_model(model_dir: Path | None, frames: Texts, tone: Texts
                 ) -> tuple[Encoder, Prototypes, Prototypes]:
    encoder = shared_encoder(model_dir)
    return (encoder, encode_prototypes(encoder, dict(frames)),
            encode_tone_prototypes(encoder, dict(tone)))


def framing_votes(articles: list[list[str]], embeddings: bool, story: Story,
                  model_dir: Path | None = None) -> list[list[Reading]] | list[None]:
    """The nearest frame and the tone of every sentence of every article, by the `story`'s
    prototypes (None each when embeddings are off): one batched encoding for the list."""
    if not embeddings or not articles:
        return [None] * len(articles)
    encoder, frames, tone = frame_model(model_dir, story)
    return readings(encoder, frames, tone, articles)


def framing_rows(run_id: str, versions: list[tuple[str, str, list[str]]],
                 votes: list[list[Reading]] | list[None], story: Story) -> Batch:
    """Frames (and tone as frame 'tone'), stances and evaluative terms per version, read
    with the `story`'s words."""
    batch = Batch()
    for (version_id, article_id, sentences), voted in zip(versions, votes, strict=True):
        batch.extend(version_framing(run_id, version_id, article_id,
                                     framing.analyse(sentences, voted, story=story)))
    return batch


def version_framing(run_id: str, version_id: str, article_id: str, f: framing.Framing
                    ) -> Batch:
    """The framing, stances and evaluative-term rows of one version framed as `f`."""
    batch = Batch()
    voted = f.method == framing.method_for(True)
    batch.add(*(FramingRow(version_id=version_id, article_id=article_id, frame=s.frame,
                           score=s.score, hits=s.hits, votes=s.votes if voted else None,
                           sentence_idxs=list(s.sentences), terms=list(s.terms),
                           method=f.method, run_id=run_id) for s in f.frames))
    batch.add(FramingRow(version_id=version_id, article_id=article_id, frame="tone",
                         score=f.tone, hits=len(f.tone_terms), votes=None,
                         sentence_idxs=list(f.tone_sentences),
                         terms=sorted(set(f.tone_terms)), method=f.method, run_id=run_id))
    batch.add(*(StanceRow(version_id=version_id, article_id=article_id, actor=actor,
                          score=score) for actor, score in f.stances.items()))
    batch.add(*(EvaluativeTermRow(version_id=version_id, sentence_idx=e.sentence_idx,
                                  term=e.term, quoted=e.quoted) for e in f.evaluative))
    return batch


def _framed(r: dict[str, Any]) -> FramedVersion:
    hits = {k: int(v) for k, v in (r["hits"] or {}).items() if k != "tone"}
    when = r["published_at"] or datetime(1970, 1, 1)
    return FramedVersion(r["version_id"], r["article_id"], r["outlet"], bool(r["is_seed"]),
                         when, int(r["version_no"]), hits, float(r["tone"]),
                         int(r["tone_terms"] or 0))


def change_rows(run_id: str, history: list[dict[str, Any]], fresh: set[str]
                ) -> list[FramingChangeRow]:
    """Rows for the framing changes that the versions in `fresh` (and every outlet week)
    make, judged on the whole history in memory (`warehouse.state.framing_history`): the
    reference that `pass_change_rows` equals on the changes it can make."""
    versions = [_framed(r) for r in history]
    return _rows(run_id, [*article_changes(versions, fresh), *version_changes(versions, fresh),
                          *outlet_changes(versions)])


def _baseline(s: Sums) -> Baseline:
    return Baseline(s.n, s.shares, s.tone, s.hits)


def pass_change_rows(run_id: str, read: FramingBaselines, fresh: set[str]
                     ) -> list[FramingChangeRow]:
    """Rows for the framing changes that the versions in `fresh` make, and for the outlet
    weeks they (or versions framed again) can change, judged on the sums the warehouse
    gave (`warehouse.framing_baselines.framing_baselines`); keyed so that re-running adds
    nothing."""
    articles = (article_change(_framed(v), _baseline(own), _baseline(coverage))
                for v, own, coverage in read.articles)
    weeks = (week_change(outlet, week, _baseline(before), _baseline(now))
             for outlet, week, before, now in read.weeks)
    return _rows(run_id, [*(c for c in articles if c),
                          *version_changes([_framed(r) for r in read.versions], fresh),
                          *(c for c in weeks if c)])


def _rows(run_id: str, found: list[FramingChange]) -> list[FramingChangeRow]:
    """Keyed rows of `found`."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return [FramingChangeRow(
        change_id=digest(c.scope, c.article_id or "", c.outlet or "",
                         str(c.window_start or ""), c.baseline if c.scope == "version" else ""),
        scope=c.scope, article_id=c.article_id, outlet=c.outlet,
        window_start=c.window_start, baseline=c.baseline,
        frames_moved=list(c.frames_moved), tone_before=c.tone_before,
        tone_after=c.tone_after, magnitude=c.magnitude, p_value=c.p_value,
        detected_at=now, run_id=run_id) for c in found]
