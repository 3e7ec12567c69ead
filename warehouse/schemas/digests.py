"""Row schemas of the digest outbox: digests, their ranked items, delivery attempts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from warehouse.schemas.base import (
    Boolean,
    Double,
    Integer,
    TableRow,
    Timestamp,
    Varchar,
    VarcharList,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class DigestRow(TableRow):
    """A stored digest, written before it is sent."""

    TABLE: ClassVar[str] = "digests"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("003_schedule_digests",)
    digest_id: Varchar
    created_at: Timestamp
    covers_from: Timestamp | None
    covers_until: Timestamp
    subject: Varchar
    text_body: Varchar
    html_body: Varchar
    recipients: VarcharList
    item_count: Integer


@dataclass(frozen=True, kw_only=True, slots=True)
class DigestItemRow(TableRow):
    """One ranked item of a stored digest, shown or not, with its score's parts."""

    TABLE: ClassVar[str] = "digest_items"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("011_digest_items",)
    digest_id: Varchar
    item_no: Integer                    # rank, 1 = first
    shown: Boolean                      # item_no <= [email].max_items
    status: Varchar                     # new | changed: the lead assertion's
    reason: Varchar
    score: Double                       # novelty * reach * evidence
    novelty: Double
    reach: Double
    evidence: Double
    checkworthiness: Double
    concreteness: Double
    outlet_count: Integer
    outlet_weight: Double
    outlets: VarcharList
    grouped_by: VarcharList
    lead_claim_id: Varchar
    flagged_claim_ids: VarcharList
    claim_ids: VarcharList


@dataclass(frozen=True, kw_only=True, slots=True)
class DigestDeliveryRow(TableRow):
    """One send attempt to one recipient (append-only)."""

    TABLE: ClassVar[str] = "digest_deliveries"
    MIGRATIONS: ClassVar[tuple[str, ...]] = ("003_schedule_digests",
                                             "009_resume_and_recipients")
    delivery_id: Varchar
    digest_id: Varchar
    attempted_at: Timestamp
    outcome: Varchar                    # sent | failed
    error: Varchar | None
    recipient: Varchar | None           # None on rows from before 009: every recipient
