"""SMTP delivery of a stored digest (none, STARTTLS or SSL; login when a username is set)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flows.config import EmailConfig


class DeliveryError(RuntimeError):
    """The SMTP server could not be reached or did not accept the message."""


def compose(cfg: EmailConfig, subject: str, text: str, html_body: str, digest_id: str,
            recipients: Sequence[str]) -> EmailMessage:
    """A multipart/alternative message (text, then HTML) to the digest's stored
    `recipients`. Header values are ours only."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=digest_id, domain="pactwatch.local")
    msg.set_content(text)
    msg.add_alternative(html_body, subtype="html")
    return msg


def send(cfg: EmailConfig, msg: EmailMessage, to: Sequence[str]) -> dict[str, str]:
    """Hand `msg` to the SMTP server for the envelope recipients `to` (the To header may
    name more: those who have it already). Returns the recipients the server refused, each
    with its reply; the others have it. Raises DeliveryError when nobody got it (server
    unreachable, login or message refused)."""
    try:
        with _client(cfg) as client:
            refused = client.send_message(msg, to_addrs=list(to))
    except smtplib.SMTPRecipientsRefused as exc:  # every recipient refused
        refused = exc.recipients
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{cfg.smtp_host}:{cfg.smtp_port}: {exc.__class__.__name__}: "
                            f"{exc}") from exc
    return {rcpt: f"{code} {reply.decode(errors='replace')}"
            for rcpt, (code, reply) in refused.items()}


def _client(cfg: EmailConfig) -> smtplib.SMTP:
    """A connected (and, as configured, encrypted and logged-in) SMTP client."""
    context = ssl.create_default_context()
    if cfg.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port,
                                                timeout=cfg.timeout_s, context=context)
    else:
        client = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout_s)
    try:
        if cfg.security == "starttls":
            client.starttls(context=context)
        if cfg.username:
            client.login(cfg.username, cfg.password)
    except BaseException:
        client.close()
        raise
    return client
