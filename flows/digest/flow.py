"""The `digest` flow: build what is due, store it in the outbox, send what is pending."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from prefect import flow, get_run_logger

from flows.config import ConfigError, EmailConfig, Settings, load_settings
from flows.digest import render as digests
from flows.digest.mail import DeliveryError, compose, send
from flows.rows import digest as hash_id
from warehouse.db import WarehouseError, connect, open_warehouse, publish_snapshot, utcnow
from warehouse.digest_queries import (
    claims_in_window,
    entities_in_window,
    failed_work,
    failing_feeds,
    framing_changes,
    last_digest_until,
    not_analysed,
    outlet_frames,
    pending_digests,
)
from warehouse.load import Batch, load_batch
from warehouse.lock import writer_lock
from warehouse.schemas import DigestDeliveryRow, DigestItemRow, DigestRow


@dataclass
class DigestSummary:
    created: str | None = None
    subject: str = ""
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def build_digest(con: duckdb.DuckDBPyConnection, until: datetime | None = None,
                 settings: Settings | None = None,
                 window: tuple[datetime | None, datetime] | None = None) -> digests.Digest:
    """The digest of everything flagged since the previous digest (or in `window`, as
    (from, until), for a digest already stored: the story page shows the latest one),
    ranked with the outlets' weights and capped at `[email].max_items` (defaults without
    `settings`)."""
    since, end = window or (last_digest_until(con), until or utcnow())
    changes = framing_changes(con, since, end)
    outlets = {c["outlet"] for c in changes if c["outlet"]}
    framing = digests.framing_items(changes, {o: outlet_frames(con, o) for o in outlets})
    return digests.build(claims_in_window(con, since, end), entities_in_window(con, since, end),
                         failing_feeds(con), since, end, failed_work(con, since, end),
                         framing, settings.outlet_weights if settings else None,
                         settings.digest_max_items if settings else digests.DEFAULT_MAX_ITEMS,
                         not_analysed(con, since, end))


def preview(settings: Settings, out: Path) -> digests.Digest:
    """Write the digest that is due as HTML to `out`, from the snapshot; store nothing."""
    con = connect(settings.snapshot_path, read_only=True)
    try:
        d = replace(build_digest(con, settings=settings), stored=False)
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot read {settings.snapshot_path}: {exc.__class__.__name__}; "
                             "a pass with this version (`pactwatch run`) republishes it") from exc
    finally:
        con.close()
    out.write_text(digests.render_html(d, settings.report_base_url), encoding="utf-8")
    return d


def item_rows(d: digests.Digest) -> list[DigestItemRow]:
    """`digest_items` rows: every item of `d` in rank order, with its score's parts."""
    return [DigestItemRow(
        digest_id=d.digest_id, item_no=n, shown=n <= d.max_items,
        status=item.status, reason=item.lead.reason, score=item.score,
        novelty=item.scoring.novelty, reach=item.scoring.reach,
        evidence=item.scoring.evidence, checkworthiness=item.scoring.checkworthiness,
        concreteness=item.scoring.concreteness, outlet_count=item.scoring.outlet_count,
        outlet_weight=item.scoring.outlet_weight, outlets=item.outlets,
        grouped_by=list(item.grouped_by), lead_claim_id=item.lead.claim_id,
        flagged_claim_ids=[a.claim_id for a in item.assertions],
        claim_ids=list(item.claim_ids),
    ) for n, item in enumerate(d.items, 1)]


def store(con: duckdb.DuckDBPyConnection, d: digests.Digest, recipients: tuple[str, ...],
          base_url: str = "") -> str:
    """Store `d` (bodies, recipients) and all its items in one transaction; returns its id."""
    batch = Batch()
    batch.add(DigestRow(
        digest_id=d.digest_id, created_at=utcnow(), covers_from=d.covers_from,
        covers_until=d.covers_until, subject=d.subject,
        text_body=digests.render_text(d, base_url),
        html_body=digests.render_html(d, base_url),
        recipients=list(recipients), item_count=len(d.items)))
    batch.add(*item_rows(d))
    load_batch(con, batch)
    return d.digest_id


def _record(con: duckdb.DuckDBPyConnection, digest_id: str, sent: Sequence[str],
            failed: dict[str, str]) -> None:
    """Log one delivery attempt: a row per recipient, `sent` or `failed` with the reason."""
    at = utcnow()
    batch = Batch()
    outcomes = [(r, "sent", None) for r in sent] + [(r, "failed", e) for r, e in failed.items()]
    batch.add(*(DigestDeliveryRow(
        delivery_id=hash_id(digest_id, at.isoformat(), rcpt), digest_id=digest_id,
        attempted_at=at, outcome=outcome, error=error, recipient=rcpt)
        for rcpt, outcome, error in outcomes))
    load_batch(con, batch)


def _send_pending(con: duckdb.DuckDBPyConnection, cfg: EmailConfig, summary: DigestSummary,
                  log: Any) -> None:
    """Send every digest not yet accepted for all its stored recipients, oldest first, to
    the recipients that do not have it yet; log the attempt per recipient."""
    for row in pending_digests(con):
        to = list(row["pending_to"])
        msg = compose(cfg, row["subject"], row["text_body"], row["html_body"],
                      row["digest_id"], row["recipients"])
        try:
            refused = send(cfg, msg, to)
        except DeliveryError as exc:
            refused = dict.fromkeys(to, str(exc))
        _record(con, row["digest_id"], [r for r in to if r not in refused], refused)
        if not refused:
            summary.sent.append(row["digest_id"])
            continue
        reasons = set(refused.values())
        reason = (reasons.pop() if len(refused) == len(to) and len(reasons) == 1 else
                  "recipients refused: " + ", ".join(f"{r} ({e})" for r, e in refused.items()))
        summary.failed.append((row["digest_id"], reason))
        log.warning("digest %s not sent to %s, kept for the next run: %s", row["digest_id"],
                    ", ".join(refused), reason)


@flow(name="digest", log_prints=True)
def digest(config_path: str) -> DigestSummary:
    """Store the digest that is due (unless empty and `send_empty` is off), then send every
    digest not yet accepted by the SMTP server, oldest first. A digest is stored before it
    is sent and marked sent only after the server accepted it: a failure leaves it pending
    for the next run, and a sent digest is never sent again."""
    settings = load_settings(config_path)
    if settings.email is None:
        raise ConfigError(f"{settings.config_path}: [email] is not configured")
    cfg = settings.email
    log = get_run_logger()
    summary = DigestSummary()
    wh = settings.warehouse_path
    wait = settings.wait_for_lock_s
    with writer_lock(wh, wait):
        with open_warehouse(wh, wait) as con:
            d = build_digest(con, settings=settings)
            if not d.empty or cfg.send_empty:
                summary.created = store(con, d, cfg.recipients, settings.report_base_url)
                summary.subject = d.subject
            _send_pending(con, cfg, summary, log)
        publish_snapshot(wh)  # under the writer lock, once the connection is closed
    log.info("digest: created %s, sent %d, failed %d", summary.created or "none",
             len(summary.sent), len(summary.failed))
    return summary
