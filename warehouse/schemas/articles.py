"""Row schemas of articles and what is read from them: versions, sentences, entities,
mentions, near-duplicate signatures and links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from warehouse.schemas.base import (
    BigIntList,
    Boolean,
    Double,
    Integer,
    TableRow,
    Timestamp,
    Varchar,
    VarcharList,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class ArticleRow(TableRow):
    """One article per canonical URL (inserted only when new)."""

    TABLE: ClassVar[str] = "articles"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("001_init",)
    article_id: Varchar
    canonical_url: Varchar
    url: Varchar                        # the link as first given
    outlet: Varchar | None
    feed_id: Varchar | None
    is_seed: Boolean
    first_seen_at: Timestamp
    run_id: Varchar | None


@dataclass(frozen=True, kw_only=True, slots=True)
class ArticleUrlRow(TableRow):
    """A feed link's canonical URL and the article it was stored as."""

    TABLE: ClassVar[str] = "article_urls"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("008_feed_fallback_robots",)
    url: Varchar
    article_id: Varchar
    first_seen_at: Timestamp
    run_id: Varchar | None


@dataclass(frozen=True, kw_only=True, slots=True)
class ArticleVersionRow(TableRow):
    """One distinct (title, main text) of an article, with language and relevance."""

    TABLE: ClassVar[str] = "article_versions"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("001_init", "007_relevance_language",
                                             "008_feed_fallback_robots")
    version_id: Varchar
    article_id: Varchar
    content_hash: Varchar
    fetched_at: Timestamp
    run_id: Varchar | None
    title: Varchar | None
    author: Varchar | None
    published_at: Timestamp | None
    site_name: Varchar | None
    language: Varchar | None
    text: Varchar
    extraction_method: Varchar
    extraction_note: Varchar | None
    relevant: Boolean
    relevance_score: Double | None
    relevance_reason: Varchar | None
    nlp_method: Varchar | None
    relevance_method: Varchar | None
    relevance_evidence: VarcharList | None
    language_confidence: Double | None
    not_analysed_reason: Varchar | None
    page_problem: Varchar | None        # None: the text is the page's


@dataclass(frozen=True, kw_only=True, slots=True)
class SentenceRow(TableRow):
    """A sentence of an analysed version, with offsets into its text."""

    TABLE: ClassVar[str] = "sentences"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("001_init",)
    sentence_id: Varchar                # <version_id>:<sentence_idx>
    version_id: Varchar
    article_id: Varchar
    sentence_idx: Integer
    start_char: Integer
    end_char: Integer
    text: Varchar


@dataclass(frozen=True, kw_only=True, slots=True)
class EntityRow(TableRow):
    """A canonical entity."""

    TABLE: ClassVar[str] = "entities"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("001_init",)
    entity_id: Varchar
    canonical_name: Varchar
    label: Varchar
    first_seen_at: Timestamp


@dataclass(frozen=True, kw_only=True, slots=True)
class MentionRow(TableRow):
    """An entity mention in a sentence."""

    TABLE: ClassVar[str] = "mentions"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("001_init",)
    mention_id: Varchar                 # <version_id>:<start_char>
    entity_id: Varchar
    sentence_id: Varchar
    version_id: Varchar
    article_id: Varchar
    start_char: Integer
    end_char: Integer
    text: Varchar
    label: Varchar
    nlp_method: Varchar | None


@dataclass(frozen=True, kw_only=True, slots=True)
class ArticleSignatureRow(TableRow):
    """The MinHash signature of a version's title and text."""

    TABLE: ClassVar[str] = "article_signatures"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("004_duplicates",)
    version_id: Varchar
    article_id: Varchar
    run_id: Varchar | None
    signature: BigIntList
    method: Varchar


@dataclass(frozen=True, kw_only=True, slots=True)
class DuplicateRow(TableRow):
    """A near-duplicate copy linked to the earliest article it nearly equals."""

    TABLE: ClassVar[str] = "duplicates"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("004_duplicates",)
    article_id: Varchar                 # the copy
    duplicate_of: Varchar
    similarity: Double                  # estimated Jaccard of 5-word shingles
    detected_at: Timestamp
    method: Varchar


@dataclass(frozen=True, kw_only=True, slots=True)
class DuplicateCheckRow(TableRow):
    """A version's signature compared with all others (linking resumes after a crash)."""

    TABLE: ClassVar[str] = "duplicate_checks"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("009_resume_and_recipients",)
    version_id: Varchar
    run_id: Varchar | None
    checked_at: Timestamp
