"""The `digest` flow: build what is due, store it in the outbox, send what is pending."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger

from flows import digest as digests
from flows.mail import DeliveryError, compose, send
from flows.rows import digest as hash_id
from flows.settings import ConfigError, Settings, load_settings
from warehouse.db import WarehouseError, connect, open_warehouse, publish_snapshot, utcnow
from warehouse.digest_queries import (
    claims_in_window,
    entities_in_window,
    failed_work,
    failing_feeds,
    framing_changes,
    last_digest_until,
    outlet_frames,
    pending_digests,
)
from warehouse.load import Batch, load_batch
from warehouse.lock import writer_lock


@dataclass
class DigestSummary:
    created: str | None = None
    subject: str = ""
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def build_digest(con: duckdb.DuckDBPyConnection, until: datetime | None = None,
                 window: tuple[datetime | None, datetime] | None = None) -> digests.Digest:
    """The digest of everything flagged since the previous digest (or in `window`, as
    (from, until), for a digest already stored: the story page shows the latest one)."""
    since, end = window or (last_digest_until(con), until or utcnow())
    changes = framing_changes(con, since, end)
    outlets = {c["outlet"] for c in changes if c["outlet"]}
    framing = digests.framing_items(changes, {o: outlet_frames(con, o) for o in outlets})
    return digests.build(claims_in_window(con, since, end), entities_in_window(con, since, end),
                         failing_feeds(con), since, end, failed_work(con, since, end),
                         framing)


def preview(settings: Settings, out: Path) -> digests.Digest:
    """Write the digest that is due as HTML to `out`, from the snapshot; store nothing."""
    con = connect(settings.snapshot_path, read_only=True)
    try:
        d = build_digest(con)
    except duckdb.Error as exc:
        raise WarehouseError(f"cannot read {settings.snapshot_path}: {exc.__class__.__name__}; "
                             "a pass with this version (`pactwatch run`) republishes it") from exc
    finally:
        con.close()
    out.write_text(digests.render_html(d, settings.report_base_url), encoding="utf-8")
    return d


def _store(con: duckdb.DuckDBPyConnection, d: digests.Digest, recipients: tuple[str, ...],
           base_url: str = "") -> str:
    digest_id = hash_id("digest", d.covers_until.isoformat())
    batch = Batch()
    batch.add("digests", {
        "digest_id": digest_id, "created_at": utcnow(), "covers_from": d.covers_from,
        "covers_until": d.covers_until, "subject": d.subject,
        "text_body": digests.render_text(d, base_url),
        "html_body": digests.render_html(d, base_url),
        "recipients": list(recipients), "item_count": len(d.items)})
    load_batch(con, batch)
    return digest_id


def _record(con: duckdb.DuckDBPyConnection, digest_id: str, error: str | None) -> None:
    at = utcnow()
    batch = Batch()
    batch.add("digest_deliveries", {
        "delivery_id": hash_id(digest_id, at.isoformat()), "digest_id": digest_id,
        "attempted_at": at, "outcome": "failed" if error else "sent", "error": error})
    load_batch(con, batch)


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
    with writer_lock(wh, wait), open_warehouse(wh, wait) as con:
        d = build_digest(con)
        if not d.empty or cfg.send_empty:
            summary.created = _store(con, d, cfg.recipients, settings.report_base_url)
            summary.subject = d.subject
        for row in pending_digests(con):
            msg = compose(cfg, row["subject"], row["text_body"], row["html_body"],
                          row["digest_id"])
            try:
                send(cfg, msg)
            except DeliveryError as exc:
                _record(con, row["digest_id"], str(exc))
                summary.failed.append((row["digest_id"], str(exc)))
                log.warning("digest %s not sent, kept for the next run: %s", row["digest_id"],
                            exc)
                continue
            _record(con, row["digest_id"], None)
            summary.sent.append(row["digest_id"])
    publish_snapshot(wh)
    log.info("digest: created %s, sent %d, failed %d", summary.created or "none",
             len(summary.sent), len(summary.failed))
    return summary
