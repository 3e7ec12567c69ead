"""SMTP delivery of a stored digest (none, STARTTLS or SSL; login when a username is set)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flows.settings import EmailConfig


class DeliveryError(RuntimeError):
    """The SMTP server could not be reached or did not accept the message."""


def compose(cfg: EmailConfig, subject: str, text: str, html_body: str,
            digest_id: str) -> EmailMessage:
    """A multipart/alternative message (text, then HTML). Header values are ours only."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = cfg.sender
    msg["To"] = ", ".join(cfg.recipients)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(idstring=digest_id, domain="pactwatch.local")
    msg.set_content(text)
    msg.add_alternative(html_body, subtype="html")
    return msg


def send(cfg: EmailConfig, msg: EmailMessage) -> None:
    """Hand `msg` to the SMTP server. Raises DeliveryError with the server's reason."""
    context = ssl.create_default_context()
    try:
        if cfg.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port,
                                                    timeout=cfg.timeout_s, context=context)
        else:
            client = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout_s)
        with client:
            if cfg.security == "starttls":
                client.starttls(context=context)
            if cfg.username:
                client.login(cfg.username, cfg.password)
            refused = client.send_message(msg)
        if refused:
            raise DeliveryError(f"recipients refused: {sorted(refused)}")
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"{cfg.smtp_host}:{cfg.smtp_port}: {exc.__class__.__name__}: "
                            f"{exc}") from exc
