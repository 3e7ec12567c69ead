"""Row schemas of framing: frames and tone, stances, evaluative terms, framing changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from warehouse.schemas.base import (
    Boolean,
    Date,
    Double,
    Integer,
    IntegerList,
    TableRow,
    Timestamp,
    Varchar,
    VarcharList,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class FramingRow(TableRow):
    """A frame's share of a version's framing, or its tone (frame 'tone')."""

    TABLE: ClassVar[str] = "framing"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("005_framing", "006_framing_votes")
    version_id: Varchar
    article_id: Varchar
    frame: Varchar                      # one of the 14 frames, or 'tone'
    score: Double                       # frame: share 0-1; tone: -1 … 1
    hits: Integer
    sentence_idxs: IntegerList | None   # the sentences that carry it
    terms: VarcharList | None
    method: Varchar
    run_id: Varchar | None
    votes: Integer | None               # None for tone and for lexicons alone


@dataclass(frozen=True, kw_only=True, slots=True)
class StanceRow(TableRow):
    """The tone of a version's sentences naming one actor."""

    TABLE: ClassVar[str] = "stances"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("005_framing",)
    version_id: Varchar
    article_id: Varchar
    actor: Varchar
    score: Double                       # -1 … 1


@dataclass(frozen=True, kw_only=True, slots=True)
class EvaluativeTermRow(TableRow):
    """An evaluative word in a sentence, and whether it is someone else's (quoted)."""

    TABLE: ClassVar[str] = "evaluative_terms"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("005_framing",)
    version_id: Varchar
    sentence_idx: Integer
    term: Varchar
    quoted: Boolean


@dataclass(frozen=True, kw_only=True, slots=True)
class FramingChangeRow(TableRow):
    """A flagged framing change of an article, an outlet's week or a version."""

    TABLE: ClassVar[str] = "framing_changes"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("005_framing",)
    change_id: Varchar
    scope: Varchar                      # article | outlet | version
    article_id: Varchar | None
    outlet: Varchar | None
    window_start: Date | None           # outlet scope: the week that moved
    baseline: Varchar
    frames_moved: VarcharList           # "Frame before→after"
    tone_before: Double | None
    tone_after: Double | None
    magnitude: Double                   # total variation distance of frame shares
    p_value: Double | None
    detected_at: Timestamp
    run_id: Varchar | None


@dataclass(frozen=True, kw_only=True, slots=True)
class FramingCheckRow(TableRow):
    """A framed version judged for framing changes (judging resumes after a cut-off pass)."""

    TABLE: ClassVar[str] = "framing_checks"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("013_framing_checks",)
    version_id: Varchar
    run_id: Varchar | None
    checked_at: Timestamp
