"""Turn stage results into warehouse rows (the typed row schemas of warehouse.schemas)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import overload

from extractors.articles import Extracted
from extractors.errors import PactwatchError
from extractors.feeds import FeedEntry
from extractors.http import Response
from extractors.language import Language
from extractors.nlp import DocAnalysis
from extractors.relevance import Relevance
from extractors.story import entity_key
from extractors.urls import url_id
from warehouse.schemas import (
    ArticleRow,
    ArticleUrlRow,
    ArticleVersionRow,
    EntityRow,
    FailureRow,
    FeedEntryRow,
    FetchRow,
    MentionRow,
    SentenceRow,
)


@overload
def naive(dt: datetime) -> datetime: ...
@overload
def naive(dt: None) -> None: ...
@overload
def naive(dt: datetime | None) -> datetime | None: ...
def naive(dt: datetime | None) -> datetime | None:
    """UTC without tzinfo, as the warehouse stores it."""
    if dt is None or dt.tzinfo is None:
        return dt
    return dt.astimezone(UTC).replace(tzinfo=None)


def digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def content_hash(title: str, text: str) -> str:
    """Identity of an article's content: what an analyst reads, not the page's markup."""
    return digest(title.strip(), " ".join(text.split()))


def fetch_row(run_id: str, kind: str, url: str, requested_at: datetime, feed_id: str | None,
              response: Response | None, error: PactwatchError | None) -> FetchRow:
    outcome = error.fetch_outcome if error else (
        "not_modified" if response and response.status == 304 else "ok")
    return FetchRow(
        fetch_id=digest(run_id, kind, url, requested_at.isoformat()),
        run_id=run_id, kind=kind, url=url, feed_id=feed_id,
        final_url=response.final_url if response else None,
        requested_at=naive(requested_at), outcome=outcome,
        status_code=response.status if response else None,
        bytes=response.byte_count if response else None,
        etag=response.etag if response else None,
        last_modified=response.last_modified if response else None,
        content_hash=response.body_hash if response else None,
        elapsed_ms=int(response.elapsed * 1000) if response else None,
        error_class=error.error_class if error else None,
        error=str(error) if error else None,
    )


def failure_row(run_id: str, stage: str, url: str | None, error: PactwatchError | str,
                error_class: str | None = None, at: datetime | None = None) -> FailureRow:
    when = naive(at or datetime.now(UTC))
    return FailureRow(
        failure_id=digest(run_id, stage, url or "", str(error), when.isoformat()),
        run_id=run_id, stage=stage, url=url,
        error_class=error_class or (error.error_class if isinstance(error, PactwatchError)
                                    else "terminal"),
        reason=str(error), occurred_at=when,
    )


def entry_row(run_id: str, feed_id: str, entry: FeedEntry, seen_at: datetime) -> FeedEntryRow:
    return FeedEntryRow(
        feed_id=feed_id, canonical_url=entry.canonical_url,
        fingerprint=entry.fingerprint, guid=entry.guid, url=entry.url,
        title=entry.title, summary=entry.summary, content=entry.content or None,
        published_at=naive(entry.published_at), updated_at=naive(entry.updated_at),
        first_seen_at=naive(seen_at), run_id=run_id,
    )


@dataclass(frozen=True)
class VersionInput:
    """One article version ready to load: what was extracted and decided about it."""

    canonical_url: str
    url: str
    outlet: str | None
    feed_id: str | None
    is_seed: bool
    fetched_at: datetime
    published_at: datetime | None
    extracted: Extracted
    relevance: Relevance
    language: Language | None = None    # detected; None: not detected (older callers)
    link_canonical: str | None = None  # the feed link's canonical URL, when it differs


    @property
    def article_id(self) -> str:
        return url_id(self.canonical_url)

    @property
    def content_hash(self) -> str:
        return content_hash(self.extracted.title, self.extracted.text)

    @property
    def version_id(self) -> str:
        return digest(self.article_id, self.content_hash)


def article_rows(run_id: str, v: VersionInput, nlp_method: str | None
                 ) -> tuple[ArticleRow, ArticleVersionRow]:
    """The `articles` row (inserted only if new) and the `article_versions` row."""
    article = ArticleRow(
        article_id=v.article_id, canonical_url=v.canonical_url, url=v.url,
        outlet=v.outlet, feed_id=v.feed_id, is_seed=v.is_seed,
        first_seen_at=naive(v.fetched_at), run_id=run_id,
    )
    e = v.extracted
    version = ArticleVersionRow(
        version_id=v.version_id, article_id=v.article_id, content_hash=v.content_hash,
        fetched_at=naive(v.fetched_at), run_id=run_id, title=e.title,
        author=e.author, published_at=naive(v.published_at or e.published_at),
        site_name=e.site_name, language=v.language.code if v.language else e.language,
        language_confidence=v.language.confidence if v.language else None,
        not_analysed_reason=v.language.reason if v.language else None,
        text=e.text, extraction_method=e.method, extraction_note=e.note,
        relevant=v.relevance.relevant, relevance_score=v.relevance.score,
        relevance_reason=v.relevance.reason, relevance_method=v.relevance.method,
        relevance_evidence=list(v.relevance.evidence), nlp_method=nlp_method,
        page_problem=e.page_problem,
    )
    return article, version


def link_row(run_id: str, v: VersionInput) -> ArticleUrlRow:
    """The `article_urls` row: which article the feed link's canonical URL was stored as."""
    return ArticleUrlRow(url=v.link_canonical or v.canonical_url, article_id=v.article_id,
                         first_seen_at=naive(v.fetched_at), run_id=run_id)


def nlp_rows(v: VersionInput, doc: DocAnalysis, nlp_method: str,
             label_of: dict[str, str]
             ) -> tuple[list[SentenceRow], list[EntityRow], list[MentionRow]]:
    """Sentence, entity and mention rows of one analysed version.

    `label_of` maps canonical names from the alias table to their label, so "Moscow" used
    as an actor is the GPE Russia whatever spaCy called the mention.
    """
    entities: dict[str, EntityRow] = {}
    mentions: list[MentionRow] = []
    sid = {s.idx: f"{v.version_id}:{s.idx}" for s in doc.sentences}
    sentences = [SentenceRow(sentence_id=sid[s.idx], version_id=v.version_id,
                             article_id=v.article_id, sentence_idx=s.idx,
                             start_char=s.start_char, end_char=s.end_char, text=s.text)
                 for s in doc.sentences]
    for m in doc.mentions:
        entity_id = digest(entity_key(m.canonical))
        entities.setdefault(entity_id, EntityRow(
            entity_id=entity_id, canonical_name=m.canonical,
            label=label_of.get(m.canonical, m.label), first_seen_at=naive(v.fetched_at)))
        mentions.append(MentionRow(
            mention_id=f"{v.version_id}:{m.start_char}", entity_id=entity_id,
            sentence_id=sid[m.sentence_idx], version_id=v.version_id,
            article_id=v.article_id, start_char=m.start_char, end_char=m.end_char,
            text=m.text, label=m.label, nlp_method=nlp_method))
    return sentences, list(entities.values()), mentions
