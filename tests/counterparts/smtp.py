"""A real SMTP server on loopback for the mail tests (aiosmtpd, in a thread), a French catalogue
to tell the languages of a mail apart.

The server speaks SMTP as any relay does: Django's SMTP backend connects to it over TCP, so a
test sees what a mail server would receive, not what Django's in-memory outbox keeps.
"""

from __future__ import annotations

import email
import socket
import struct
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


@dataclass(frozen=True)
class Received:
    """One mail as the server received it."""

    to: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())


class Mailbox:
    """The server's handler: keeps every mail it accepts; while `refusing`, answers each one
    with a temporary failure (451), as a relay that is full or being restarted does."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refusing = False
        self.port = 0  # where the server listens, once started

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusing:
            return "451 4.3.0 Mail server busy, try again later"
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(tuple(envelope.rcpt_tos), message))
        return "250 2.0.0 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [mail for mail in self.received if address in mail.to]

    def recipients(self) -> list[str]:
        return sorted(address for mail in self.received for address in mail.to)


class LoopbackController(Controller):
    """aiosmtpd's threaded server on a port the system chooses (port 0): the port is read back
    before the controller checks that the server answers, so parallel test runs never collide."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    mailbox = Mailbox()
    controller = LoopbackController(mailbox, hostname="127.0.0.1", port=0)
    controller.start()
    mailbox.port = controller.port
    try:
        yield mailbox
    finally:
        controller.stop()


def smtp_mailers(port: int) -> dict[str, dict[str, Any]]:
    """Django's MAILERS setting for the SMTP backend on a loopback port."""
    return {
        "default": {
            "BACKEND": SMTP_BACKEND,
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


def unused_port() -> int:
    """A loopback port nothing listens on (the system's choice, released at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- a catalogue in another language ---------------------------------------------------------


def write_catalogue(locale_dir: Path, language: str, messages: Mapping[str, str]) -> None:
    """A compiled gettext catalogue (.mo) for `language` under `locale_dir`: the repository
    ships none yet, and a mail in one language can only be told from a mixed one when another
    language exists."""
    catalogue = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    keys = sorted(catalogue)
    ids = [key.encode() for key in keys]
    strs = [catalogue[key].encode() for key in keys]
    header = 7 * 4
    tables = 2 * len(keys) * 8
    offset = header + tables
    id_entries, str_entries, data = [], [], b""
    for chunk, entries in ((ids, id_entries), (strs, str_entries)):
        for text in chunk:
            entries.append((len(text), offset + len(data)))
            data += text + b"\0"
    output = struct.pack("<7I", 0x950412DE, 0, len(keys), header, header + len(keys) * 8, 0, 0)
    for length, start in id_entries + str_entries:
        output += struct.pack("<2I", length, start)
    target = locale_dir / language / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    (target / "django.mo").write_bytes(output + data)
