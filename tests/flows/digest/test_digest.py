"""Digests through a real SMTP server on loopback: delivery, MIME, escaping, outbox."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from deploy.demo.server import DevServer
from flows.digest.flow import digest
from flows.monitor import monitor
from tests.conftest import Inbox, write_config

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("prefect_harness")]

HOSTILE = ("<script>alert('x')</script> Ukrainian officials said North Korea delivered 150 "
           "self-propelled howitzers to Russia under the treaty.\r\nBcc: evil@example.org")


def page(title: str, text: str) -> str:
    from html import escape
    return (f"<html lang='en'><head><title>{escape(title)}</title></head><body><article>"
            f"<h1>{escape(title)}</h1><p>{escape(text)}</p><p>This report on the partnership "
            "between Russia and North Korea was written from public statements.</p>"
            "</article></body></html>")


def rss(*slugs: str) -> str:
    items = "".join(f"<item><title>{s}</title><link>/{s}.html</link></item>" for s in slugs)
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>{items}"
            "</channel></rss>")


def email_config(port: int) -> str:
    return (f"[email]\nsmtp_host = '127.0.0.1'\nsmtp_port = {port}\nsecurity = 'none'\n"
            "sender = 'pactwatch@example.org'\nrecipients = ['analyst@example.org']\n")


def digests(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT status, attempts, item_count, last_error FROM v_digests "
                           "ORDER BY created_at").fetchall()
    finally:
        con.close()


def test_digest_is_delivered_escaped_and_never_sent_twice(tmp_path: Path, server: DevServer,
                                                          inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    (server.root / "hostile.html").write_text(page("<script>x</script> Pact\r\nBcc: a@b.c",
                                                   HOSTILE))
    (server.root / "feed.xml").write_text(rss("hostile"))
    config = write_config(tmp_path / "c.toml", [("Wire", f"{server.base_url}/feed.xml")],
                          extra=email_config(port))
    monitor(str(config))
    first = digest(str(config))
    assert first.sent and not first.failed
    [msg] = box.messages
    assert msg["Subject"].startswith("pactwatch: ") and "new claims" in msg["Subject"]
    assert msg["To"] == "analyst@example.org" and msg["Bcc"] is None
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "150 self-propelled howitzers" in text and "Wire" in text
    assert "<script" not in html.lower() and "alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    # nothing new: no digest (send_empty is off), nothing re-sent
    second = digest(str(config))
    assert (second.created, second.sent) == (None, [])
    assert len(box.messages) == 1


def test_refused_digest_waits_in_the_outbox_and_goes_once_the_server_recovers(
        tmp_path: Path, server: DevServer, inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    (server.root / "a.html").write_text(page("A", HOSTILE.split("\r")[0]))
    (server.root / "feed.xml").write_text(rss("a"))
    config = write_config(tmp_path / "c.toml", [("Wire", f"{server.base_url}/feed.xml")],
                          extra=email_config(port))
    monitor(str(config))
    box.refuse = True
    refused = digest(str(config))
    assert refused.created and not refused.sent and "554" in refused.failed[0][1]
    snap = tmp_path / "wh" / "pactwatch.snapshot.duckdb"
    [(status, attempts, items, error)] = digests(snap)
    assert (status, attempts) == ("pending", 1) and items > 0 and "refused for the test" in error
    box.refuse = False
    recovered = digest(str(config))
    assert recovered.sent == [refused.created] and recovered.created is None
    assert len(box.messages) == 1
    assert digests(snap) == [("sent", 2, items, None)]
    digest(str(config))
    assert len(box.messages) == 1


def test_a_refused_recipient_does_not_make_the_others_receive_the_digest_twice(
        tmp_path: Path, server: DevServer, inbox: tuple[Inbox, int]) -> None:
    box, port = inbox
    (server.root / "a.html").write_text(page("A", HOSTILE.split("\r")[0]))
    (server.root / "feed.xml").write_text(rss("a"))
    team = "['analyst@example.org', 'gone@example.org', 'boss@example.org']"
    config = write_config(tmp_path / "c.toml", [("Wire", f"{server.base_url}/feed.xml")],
                          extra=email_config(port).replace("['analyst@example.org']", team))
    monitor(str(config))
    box.refuse_rcpt = {"gone@example.org"}
    first = digest(str(config))
    assert first.created and not first.sent and "gone@example.org" in first.failed[0][1]
    assert [box.received(a) for a in ("analyst@example.org", "boss@example.org",
                                      "gone@example.org")] == [1, 1, 0]
    again = digest(str(config))  # still refused: nobody else gets it again
    assert again.failed and len(box.messages) == 1
    snap = tmp_path / "wh" / "pactwatch.snapshot.duckdb"
    con = duckdb.connect(str(snap), read_only=True)
    [(status, sent_to, pending_to)] = con.execute(
        "SELECT status, sent_to, pending_to FROM v_digests").fetchall()
    con.close()
    assert (status, sent_to, pending_to) == (
        "pending", ["analyst@example.org", "boss@example.org"], ["gone@example.org"])
    # the team changes in the config; the pending digest still goes to whom it was made for
    config.write_text(config.read_text().replace(team, "['newcomer@example.org']"))
    box.refuse_rcpt = set()
    last = digest(str(config))
    assert last.sent == [first.created] and last.created is None
    assert box.envelopes[-1] == ("gone@example.org",)
    assert [box.received(a) for a in ("analyst@example.org", "boss@example.org",
                                      "gone@example.org", "newcomer@example.org")] == [1, 1, 1, 0]
    assert digests(snap)[0][0] == "sent"
